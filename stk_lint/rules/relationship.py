from __future__ import annotations

import ast
import collections

import libcst as cst

from stk_lint import cpython
from stk_lint.findings import NodeFix
from stk_lint.python_rule import PythonRule, dotted_name, module_name, string_value
from stk_lint.rule import Invalid, Option
from stk_lint.rules._edit import insert_item

SELECTIN = '"selectin"'
# Loader values whose replacement by "selectin" loads the same rows, only earlier.
# Any other (`dynamic`, `noload`, `raise`, `write_only`, False, None) changes what the
# attribute is or returns: replacing it is an unsafe fix.
# (`lazy=False` is SQLAlchemy's spelling of "joined", `lazy=None` of "noload".)
SAME_DATA = frozenset({"True", "False", "select", "joined", "subquery", "immediate", "selectin"})
# Never loaded implicitly, only queried with explicit SQL: SQLAlchemy's own advice for
# large collections under asyncio. Accepted whatever `allowed-lazy` says.
WRITE_ONLY = "write_only"
# What each loader does under AsyncSession, for the message (as SQLAlchemy 2 documents
# them, and as an AsyncSession over aiosqlite behaves).
LAZY = frozenset({"True", "select"})
NEVER_LOADS = frozenset({"None", "noload"})
RAISES = frozenset({"raise", "raise_on_sql"})
# Eager loaders: they work under AsyncSession, but are not the loader stk writes.
_EAGER = {
    "joined": (
        "loads eagerly with a LEFT OUTER JOIN in every query for the parent: it works under "
        "AsyncSession, but a result holding a joined collection needs `.unique()` (else "
        "InvalidRequestError) and the JOIN repeats the parent's columns for every related row"
    ),
    "subquery": (
        "loads eagerly with a second query that repeats the parent's query as a subquery: "
        "it works under AsyncSession, but SQLAlchemy prefers selectin, which selects the "
        "related rows by the parents' keys instead of running the parent's query again"
    ),
    "immediate": (
        "loads eagerly with one SELECT per parent object as the parents load (N+1 "
        "queries): it works under AsyncSession, but selectin loads them in one IN query"
    ),
}
_EAGER["False"] = _EAGER["joined"]  # lazy=False is SQLAlchemy's spelling of "joined"
EAGER = frozenset(_EAGER)
# The loader strategies `lazy=` takes as strings (SQLAlchemy 2's _LazyLoadArgumentType;
# True, False and None are not strings and are always judged).
LOADER_NAMES = (
    "select",
    "joined",
    "selectin",
    "subquery",
    "raise",
    "raise_on_sql",
    "noload",
    "immediate",
    "write_only",
    "dynamic",
)
# The callables that make a relationship (the last part of the resolved name):
# `dynamic_loader()` is `relationship(lazy="dynamic")`, `relation()` its pre-2.0 alias.
RELATIONSHIP_CALLS = frozenset({"relationship", "relation", "dynamic_loader"})
# Flask-SQLAlchemy's `db` (its `SQLAlchemy()` instance) carries relationship, backref
# and dynamic_loader; `db` is the name every Flask-SQLAlchemy app gives it.
FLASK_SQLALCHEMY_DB = "db"


def _loader_problem(lazy: str) -> str:
    if lazy in LAZY:
        return "loads on first access, which raises MissingGreenlet under AsyncSession"
    if lazy == "dynamic":
        return (
            "gives a query that runs synchronously when read, which raises MissingGreenlet "
            "under AsyncSession (SQLAlchemy's asyncio support has no dynamic loader; "
            '`lazy="write_only"` replaces it)'
        )
    if lazy in EAGER:
        return _EAGER[lazy]
    if lazy in NEVER_LOADS:
        return "never loads the related rows: the attribute is silently empty"
    if lazy in RAISES:
        return (
            "raises on access instead of loading, unless each query loads it with a loader option"
        )
    return "is not a loader stk uses"


def _annotation_kind(annotation: cst.BaseExpression) -> str | None:
    """`WriteOnlyMapped`/`DynamicMapped` from `x: WriteOnlyMapped["X"] = relationship()`:
    the annotation decides the loader, whatever `lazy=` says."""
    if isinstance(annotation, cst.Subscript):
        name = dotted_name(annotation.value)
        if name is not None:
            last = name.rsplit(".", 1)[-1]
            if last in ("WriteOnlyMapped", "DynamicMapped"):
                return last
    return None


def _keyword(call: cst.Call, name: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def _lazy_arg() -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name("lazy"),
        value=cst.SimpleString(SELECTIN),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def _unpacks_keywords(call: cst.Call) -> bool:
    """`relationship("B", **options)`: `options` may set `lazy=`, unknown to a reader."""
    return any(arg.star == "**" for arg in call.args)


def _with_lazy(call: cst.Call) -> cst.Call:
    """The call with `lazy="selectin"` added after its last argument."""
    args = list(call.args)
    # `relationship(\n    back_populates="x",\n)`: one argument per line, so the new one too.
    single = None
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        single = cst.Comma(whitespace_after=call.whitespace_before_args)
    return call.with_changes(args=insert_item(args, len(args), _lazy_arg(), single))


class NonSelectinRelationship(PythonRule):
    code = "STK301"
    name = "non-selectin-relationship"
    fix = "safe"
    # The called name ends with one of them (`relation(`: the pre-2.0 alias, called).
    requires = ("relationship", "backref", "dynamic_loader", "relation(")
    summary = (
        'A `relationship()` without `lazy="selectin"`, or a plain-string `backref` '
        "(whose reverse side then loads lazily)."
    )
    why = (
        "Under `AsyncSession` a lazy load cannot run: touching `thing.user` on an object whose "
        "relationship was not loaded raises `sqlalchemy.exc.MissingGreenlet` (`greenlet_spawn "
        'has not been called`). `lazy="selectin"` loads the related rows together with the '
        "parent (one extra `SELECT ... IN` as the parents are loaded), so attribute access "
        "and `to_dict()` work. "
        'A `backref="things"` string creates '
        "the reverse relationship with the default lazy loading: use "
        '`backref=backref("things", lazy="selectin")`.'
    )
    bad = """\
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import relationship

        from stk.extensions import Base


        class Thing(Base):
            __tablename__ = "things"
            id = Column(Integer, primary_key=True)
            user_id = Column(Integer, ForeignKey("user.id"))
            user = relationship("User", backref="things")
        """
    good = """\
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import backref, relationship

        from stk.extensions import Base


        class Thing(Base):
            __tablename__ = "things"
            id = Column(Integer, primary_key=True)
            user_id = Column(Integer, ForeignKey("user.id"))
            user = relationship("User", lazy="selectin", backref=backref("things", lazy="selectin"))
        """
    options = {
        "allowed-lazy": Option(
            default=["selectin"],
            help='Loader strategies accepted besides "selectin", e.g. ["selectin", "raise", '
            '"noload"]. `"write_only"` is always accepted.',
            choices=LOADER_NAMES,
        )
    }
    limits = (
        '`lazy="write_only"` and `WriteOnlyMapped[...]` relationships are accepted: they are '
        "never loaded implicitly, only queried with explicit SQL, which is what SQLAlchemy "
        "recommends for large collections under asyncio. A `DynamicMapped[...]` annotation "
        "is reported whatever `lazy=` says (the annotation decides the loader), without a "
        'fix. The fix adds `lazy="selectin"` or replaces `lazy=True`/`False`/`"select"`/'
        '`"joined"`/`"subquery"`/`"immediate"` (the same rows, loaded earlier); replacing '
        '`"dynamic"`, `"noload"`, `"raise"` or `None` is unsafe, since the attribute then '
        "behaves differently. A `backref()` is imported from the module `relationship` came "
        "from; where the name `backref` is bound to something else in the module, the fix "
        "calls it through an imported `sqlalchemy.orm` module (`orm.backref`), or is not "
        "offered. "
        "A `lazy=` given as a variable is trusted, and a call without `lazy=` that unpacks "
        'keyword arguments (`relationship("B", **options)`) is not reported: `options` '
        "may set it, and adding `lazy=` then raises TypeError. Checked: calls that resolve "
        "to SQLAlchemy's `relationship`, `backref`, `dynamic_loader` (a relationship with "
        '`lazy="dynamic"`, reported without a fix) or the pre-2.0 `relation`, under any '
        "import name (`orm.relationship`, `sqlalchemy.orm.backref`), and Flask-SQLAlchemy's "
        "`db.relationship`/`db.backref`/`db.dynamic_loader`, wherever `db` was imported "
        "from (or a name the module binds to `SQLAlchemy(...)`). Eager loaders "
        '(`"joined"`, `"subquery"`, `"immediate"`) work under AsyncSession and are '
        "reported as not stk's loader: list them in `allowed-lazy` to accept them "
        "(`lazy=False`, SQLAlchemy's spelling of joined, is always reported)."
    )
    valid = (
        """\
            from sqlalchemy.orm import Mapped, relationship

            class Role(Base):
                users: Mapped[list["User"]] = relationship(
                    secondary="roles_users", back_populates="roles", lazy="selectin"
                )
            """,
        """\
            import sqlalchemy.orm as orm

            class A(Base):
                b = orm.relationship("B", lazy=LAZY)
            """,
        "def relationship(a, b):\n    return a + b\n\nx = relationship(1, 2)\n",
        # A graph client's `relationship()` is not SQLAlchemy's.
        "from app.graph import client\n\nedge = client.relationship('FOLLOWS', a, b)\n",
        """\
            from stk.extensions import db

            class Order(db.Model):
                lines = db.relationship("OrderLine", lazy="selectin",
                    backref=db.backref("order", lazy="selectin"))
            """,
        # Write-only collections are never loaded implicitly: fine under AsyncSession.
        """\
            from sqlalchemy.orm import Mapped, WriteOnlyMapped, relationship

            class Customer(Base):
                events: WriteOnlyMapped["Event"] = relationship(back_populates="customer")
                orders: Mapped[list["Order"]] = relationship(lazy="write_only")
            """,
    )
    invalid = (
        Invalid(
            'from sqlalchemy.orm import relationship\n\nclass A(Base):\n    b = relationship("B")\n',
            expected_fix="""\
            from sqlalchemy.orm import relationship

            class A(Base):
                b = relationship("B", lazy="selectin")
            """,
        ),
        """\
            from sqlalchemy.orm import relationship

            class A(Base):
                b = relationship("B", lazy="joined")
            """,
        """\
            from sqlalchemy import orm

            class A(Base):
                b = orm.relationship("B", lazy="dynamic")
            """,
        Invalid(
            """\
            from sqlalchemy.orm import backref, relationship

            class A(Base):
                b = relationship("B", lazy="selectin", backref=backref("a"))
            """,
            expected_fix="""\
            from sqlalchemy.orm import backref, relationship

            class A(Base):
                b = relationship("B", lazy="selectin", backref=backref("a", lazy="selectin"))
            """,
        ),
        'class A(db.Model):\n    b = db.relationship("B", lazy=True)\n',
        # Flask-SQLAlchemy's `db`, imported from the app, and its backrefs.
        Invalid(
            """\
            from stk.extensions import db

            class Order(db.Model):
                lines = db.relationship("OrderLine", lazy="selectin",
                    backref=db.backref("order", lazy="dynamic"))
            """,
            expected_fix="""\
            from stk.extensions import db

            class Order(db.Model):
                lines = db.relationship("OrderLine", lazy="selectin",
                    backref=db.backref("order", lazy="selectin"))
            """,
        ),
        """\
            from sqlalchemy.orm import backref, relationship

            class Order(Base):
                customer = relationship("Customer", lazy="selectin",
                    backref=backref("orders", lazy=True))
            """,
        """\
            from sqlalchemy.orm import dynamic_loader

            class Customer(Base):
                orders = dynamic_loader("Order")
            """,
        # `relation()`, SQLAlchemy 1.x's alias, in code not yet ported.
        """\
            from sqlalchemy.orm import relation

            class Customer(Base):
                orders = relation("Order")
            """,
        # The annotation wins over `lazy=`: still a dynamic loader.
        """\
            from sqlalchemy.orm import DynamicMapped, relationship

            class A(Base):
                bs: DynamicMapped["B"] = relationship(lazy="selectin")
            """,
    )

    def __init__(self, context) -> None:
        super().__init__(context)
        # local name -> the `from sqlalchemy.orm import ...` statement that bound it
        self.orm_imports: dict[str, cst.ImportFrom] = {}
        # id of an annotated assignment's value -> `WriteOnlyMapped`/`DynamicMapped`
        self.annotated: dict[int, str] = {}
        # name -> how many times the module binds it (see _times_bound)
        self.bindings: dict[str, int] | None = None
        # Names the module binds to Flask-SQLAlchemy's `SQLAlchemy(...)`, besides `db`.
        self.flask_sqlalchemy: set[str] = set()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        kind = _annotation_kind(node.annotation.annotation)
        if kind is not None and node.value is not None:
            self.annotated[id(node.value)] = kind

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or isinstance(node.names, cst.ImportStar):
            return
        if module_name(node.module) == "sqlalchemy.orm":
            for alias in node.names:
                local = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(local, cst.Name):
                    self.orm_imports[local.value] = node

    def visit_Assign(self, node: cst.Assign) -> None:
        # `database = SQLAlchemy(app)`: Flask-SQLAlchemy's instance under another name.
        if isinstance(node.value, cst.Call):
            qualified = self.context.qualified(node.value.func) or ""
            if qualified.startswith("flask_sqlalchemy") and qualified.endswith(".SQLAlchemy"):
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        self.flask_sqlalchemy.add(target.target.value)

    def _kind(self, func: cst.BaseExpression) -> str | None:
        """`relationship`, `relation`, `dynamic_loader` or `backref` when `func` is
        SQLAlchemy's (`relationship`, `orm.relationship`, `sqlalchemy.orm.backref`, under
        any import name) or Flask-SQLAlchemy's (`db.relationship`, wherever `db` was
        imported from); else None."""
        name = dotted_name(func)
        if name is None:
            return None
        head, _, kind = name.rpartition(".")
        qualified = self.context.qualify(name)
        if qualified.startswith("sqlalchemy."):
            kind = qualified.rsplit(".", 1)[-1]
        elif head != FLASK_SQLALCHEMY_DB and head not in self.flask_sqlalchemy:
            return None
        return kind if kind in RELATIONSHIP_CALLS or kind == "backref" else None

    def visit_Call(self, node: cst.Call) -> None:
        kind = self._kind(node.func)
        if kind is None:
            return
        if kind == "dynamic_loader":
            self._check_dynamic_loader(node)
        elif kind in RELATIONSHIP_CALLS:
            annotated = self.annotated.get(id(node))
            if annotated == "DynamicMapped":
                self.report(
                    node,
                    '`DynamicMapped` makes this relationship `lazy="dynamic"` whatever '
                    "`lazy=` says: it runs a synchronous query on access, which raises "
                    'MissingGreenlet under AsyncSession; use `Mapped[list[...]]` with `lazy="selectin"`, '
                    "or `WriteOnlyMapped` for a collection too large to load",
                )
            elif annotated != "WriteOnlyMapped":  # write-only: never loaded implicitly
                self._check_lazy(node, f"`{kind}()`")
            backref = _keyword(node, "backref")
            if backref is not None and string_value(backref.value) is not None:
                name = string_value(backref.value)
                self.report(
                    backref,
                    f'`backref="{name}"` gives the reverse side default lazy loading; use '
                    f'`backref=backref("{name}", lazy="selectin")`',
                    self._backref_fix(node, backref),
                )
        if kind == "backref":
            self._check_lazy(node, "`backref()`")

    def _check_dynamic_loader(self, call: cst.Call) -> None:
        """`dynamic_loader("B")` is `relationship("B", lazy="dynamic")`; no fix: the
        attribute is a query, and code reading it changes with the loader."""
        if "dynamic" in self.context.options.get("allowed-lazy", ["selectin"]):
            return
        self.report(
            call,
            f'`dynamic_loader()` is `relationship(lazy="dynamic")`: it {_loader_problem("dynamic")}; '
            'use `relationship(..., lazy="selectin")`',
        )

    def _check_lazy(self, call: cst.Call, what: str) -> None:
        allowed = self.context.options.get("allowed-lazy", ["selectin"])
        lazy = _keyword(call, "lazy")
        if lazy is None and _unpacks_keywords(call):
            return  # `**options` may hold `lazy=`; adding one could raise TypeError
        if lazy is None:
            fix = NodeFix('Add `lazy="selectin"`', "safe", ((call, _with_lazy(call)),))
            self.report(
                call,
                f'{what} without `lazy="selectin"` raises MissingGreenlet '
                'when accessed under AsyncSession; add `lazy="selectin"`',
                fix,
            )
            return
        value = lazy.value
        if isinstance(value, cst.Name) and value.value in ("True", "False", "None"):
            loader = shown = value.value
        elif isinstance(value, cst.SimpleString):
            loader = string_value(value) or ""
            if loader in allowed or loader == WRITE_ONLY:
                return
            shown = f'"{loader}"'
        else:
            return  # a variable: trust it
        if loader in EAGER and loader != "False":
            # Eager loaders work under AsyncSession: a project may accept them.
            problem = f'{_loader_problem(loader)}; use `lazy="selectin"` (or list "{loader}" in `allowed-lazy`)'
        else:
            problem = f'{_loader_problem(loader)}; use `lazy="selectin"`'
        fix = NodeFix(
            'Use `lazy="selectin"`',
            "safe" if loader in SAME_DATA else "unsafe",
            ((value, cst.SimpleString(SELECTIN)),),
        )
        self.report(
            lazy,
            f"{what} with `lazy={shown}` {problem}",
            fix,
        )

    def _backref_fix(self, relationship: cst.Call, backref: cst.Arg) -> NodeFix | None:
        """`backref="x"` -> `backref=backref("x", lazy="selectin")`, importing backref."""
        found = self._backref_callee(relationship.func)
        if found is None:
            return None  # no name for sqlalchemy.orm.backref that is safe to use
        callee, replacements = found
        value = cst.Call(func=callee, args=[cst.Arg(value=backref.value), _lazy_arg()])
        return NodeFix(
            'Use `backref(..., lazy="selectin")`',
            "safe",
            (*replacements, (backref.value, value)),
        )

    def _backref_callee(
        self, func: cst.BaseExpression
    ) -> tuple[cst.BaseExpression, list[tuple[cst.CSTNode, cst.CSTNode]]] | None:
        """How to call sqlalchemy.orm.backref here, and the import to add for it."""
        if isinstance(func, cst.Attribute):  # orm.relationship / db.relationship
            return func.with_changes(attr=cst.Name("backref")), []
        imported = self._only_bound_by_import("sqlalchemy.orm.backref")
        if imported is not None:
            return cst.Name(imported), []
        added = self._import_backref_beside(func)
        if added is not None:
            return cst.Name("backref"), [added]
        module = self._only_bound_by_import("sqlalchemy.orm")
        if module is not None:  # `backref` means something else here: `orm.backref`
            return cst.Attribute(value=cst.Name(module), attr=cst.Name("backref")), []
        return None

    def _only_bound_by_import(self, qualified: str) -> str | None:
        """A local name imported as `qualified` and bound nowhere else in the module."""
        return next(
            (
                name
                for name, target in self.context.imports.items()
                if target == qualified and self._times_bound(name) == 1
            ),
            None,
        )

    def _import_backref_beside(
        self, func: cst.BaseExpression
    ) -> tuple[cst.CSTNode, cst.CSTNode] | None:
        """`from sqlalchemy.orm import relationship` -> `... import backref, relationship`,
        unless the module binds `backref` to something else (a function, a class attribute):
        the new import would be shadowed, or shadow it."""
        if not isinstance(func, cst.Name) or self._times_bound("backref") != 0:
            return None
        statement = self.orm_imports.get(func.value)
        if statement is None:
            return None
        names = list(statement.names)  # type: ignore[arg-type]
        index = next(
            (
                i
                for i, alias in enumerate(names)
                if module_name(alias.name)[:1].islower() and module_name(alias.name) > "backref"
            ),
            len(names),
        )
        alias = cst.ImportAlias(name=cst.Name("backref"))
        return statement, statement.with_changes(names=insert_item(names, index, alias))

    def _times_bound(self, name: str) -> int:
        """How many times the module binds `name` anywhere (imports, `def`, `class`,
        assignments, parameters...). Only files with a string backref need to know."""
        if self.bindings is None:
            self.bindings = _count_bindings(self.context.source)
        if self.bindings is _UNKNOWN:
            return 2  # as good as taken
        return self.bindings.get(name, 0)


_UNKNOWN: dict[str, int] = {}


def _count_bindings(source: str) -> dict[str, int]:
    """Every name binding in the module, counted, from CPython's parser (which builds a
    tree and runs nothing); _UNKNOWN for a file it rejects."""
    tree = cpython.tree_or_none(source)
    if tree is None:
        return _UNKNOWN
    counts: collections.Counter[str] = collections.Counter()
    for node in ast.walk(tree):
        counts.update(_bound_by(node))
    return counts


def _bound_by(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return [node.id]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [node.asname or node.name.split(".", 1)[0]]
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []
