from __future__ import annotations

import libcst as cst

from stk_lint.rule import Option, PythonRule


def _string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _keyword(call: cst.Call, name: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


class NonSelectinRelationship(PythonRule):
    code = "STK301"
    name = "non-selectin-relationship"
    requires = ("relationship", "backref")  # the called name ends with one of them
    summary = (
        'A `relationship()` without `lazy="selectin"`, or a plain-string `backref` '
        "(whose reverse side then loads lazily)."
    )
    why = (
        "Under `AsyncSession` a lazy load cannot run: touching `thing.user` on an object whose "
        "relationship was not loaded raises `sqlalchemy.exc.MissingGreenlet` (`greenlet_spawn "
        'has not been called`). `lazy="selectin"` loads the related rows with the parent '
        'query, so attribute access and `to_dict()` work. A `backref="things"` string creates '
        "the reverse relationship with the default lazy loading: use "
        '`backref=backref("things", lazy="selectin")`.'
    )
    bad = (
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "from sqlalchemy.orm import relationship\n"
        "\n"
        "from stk.extensions import Base\n"
        "\n"
        "\n"
        "class Thing(Base):\n"
        '    __tablename__ = "things"\n'
        "    id = Column(Integer, primary_key=True)\n"
        '    user_id = Column(Integer, ForeignKey("user.id"))\n'
        '    user = relationship("User", backref="things")\n'
    )
    good = (
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "from sqlalchemy.orm import backref, relationship\n"
        "\n"
        "from stk.extensions import Base\n"
        "\n"
        "\n"
        "class Thing(Base):\n"
        '    __tablename__ = "things"\n'
        "    id = Column(Integer, primary_key=True)\n"
        '    user_id = Column(Integer, ForeignKey("user.id"))\n'
        '    user = relationship("User", lazy="selectin", backref=backref("things", lazy="selectin"))\n'
    )
    options = {
        "allowed-lazy": Option(
            default=["selectin"],
            help='Loader strategies accepted besides "selectin", e.g. ["selectin", "raise", '
            '"noload", "write_only"].',
        )
    }
    limits = (
        "A `lazy=` given as a variable is trusted. Only calls that resolve to "
        "`sqlalchemy.orm.relationship`/`backref` (or Flask-SQLAlchemy's `db.relationship`) "
        "are checked."
    )
    valid = (
        "from sqlalchemy.orm import Mapped, relationship\n\n"
        "class Role(Base):\n"
        '    users: Mapped[list["User"]] = relationship(\n'
        '        secondary="roles_users", back_populates="roles", lazy="selectin"\n    )\n',
        "import sqlalchemy.orm as orm\n\n"
        'class A(Base):\n    b = orm.relationship("B", lazy=LAZY)\n',
        "def relationship(a, b):\n    return a + b\n\nx = relationship(1, 2)\n",
    )
    invalid = (
        'from sqlalchemy.orm import relationship\n\nclass A(Base):\n    b = relationship("B")\n',
        "from sqlalchemy.orm import relationship\n\n"
        'class A(Base):\n    b = relationship("B", lazy="joined")\n',
        "from sqlalchemy import orm\n\n"
        'class A(Base):\n    b = orm.relationship("B", lazy="dynamic")\n',
        "from sqlalchemy.orm import backref, relationship\n\n"
        'class A(Base):\n    b = relationship("B", lazy="selectin", backref=backref("a"))\n',
        'class A(db.Model):\n    b = db.relationship("B", lazy=True)\n',
    )

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.context.qualified(node.func) or ""
        if not qualified.startswith(("sqlalchemy.", "db.")):
            return
        kind = qualified.rsplit(".", 1)[-1]
        if kind == "relationship":
            self._check_lazy(node, "`relationship()`")
            backref = _keyword(node, "backref")
            if backref is not None and _string_value(backref.value) is not None:
                name = _string_value(backref.value)
                self.report(
                    backref,
                    f'`backref="{name}"` gives the reverse side default lazy loading; use '
                    f'`backref=backref("{name}", lazy="selectin")`',
                )
        elif kind == "backref":
            self._check_lazy(node, "`backref()`")

    def _check_lazy(self, call: cst.Call, what: str) -> None:
        allowed = self.context.options.get("allowed-lazy", ["selectin"])
        lazy = _keyword(call, "lazy")
        if lazy is None:
            self.report(
                call,
                f'{what} without `lazy="selectin"` raises MissingGreenlet '
                'when accessed under AsyncSession; add `lazy="selectin"`',
            )
            return
        value = lazy.value
        if isinstance(value, cst.Name) and value.value in ("True", "False", "None"):
            shown = value.value
        elif isinstance(value, cst.SimpleString):
            shown = _string_value(value)
            if shown in allowed:
                return
            shown = f'"{shown}"'
        else:
            return  # a variable: trust it
        self.report(
            lazy,
            f"{what} with `lazy={shown}` loads lazily or blocks under AsyncSession; use "
            '`lazy="selectin"`',
        )
