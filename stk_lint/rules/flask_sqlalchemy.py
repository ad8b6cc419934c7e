from __future__ import annotations

import re

import libcst as cst

from stk_lint.python_rule import PythonRule, dotted_name

# `await session.run_sync(count_things)`: `count_things(session)` gets a synchronous Session.
_RUN_SYNC = re.compile(r"\brun_sync\(\s*(\w+)")
# `await db.session.commit()`: this `db.session` is awaited, so it is an async session
# (`session = async_scoped_session(...)` in the app's own `db` module), not
# Flask-SQLAlchemy's synchronous one, whose methods give no awaitable.
_AWAITED_DB_SESSION = re.compile(r"\bawait\s+db\.session\.\w+\s*\(")
# `Session = scoped_session(sessionmaker(bind=engine))`: a capitalised name that is a
# session (or a session factory), not a model.
_SESSION_BINDING = re.compile(
    r"^[ \t]*(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*(?:[\w.]+\.)?"
    r"(scoped_session|async_scoped_session|sessionmaker|async_sessionmaker|Session|AsyncSession)\(",
    re.MULTILINE,
)


class FlaskSqlalchemyModel(PythonRule):
    code = "STK302"
    name = "flask-sqlalchemy-model"
    requires = ("Model",)
    summary = "A model class inheriting Flask-SQLAlchemy's `db.Model`."
    why = (
        "stk models inherit the plain SQLAlchemy `DeclarativeBase` subclass `Base` from the "
        "app's extensions. `db.Model` belongs to Flask-SQLAlchemy: it needs a Flask app, "
        "brings a synchronous session and `Model.query`, none of which exist under "
        "`AsyncSession`."
    )
    bad = """\
        from sqlalchemy import Column, Integer, String

        from app.extensions import db


        class Thing(db.Model):
            id = Column(Integer, primary_key=True)
            name = Column(String(255))
        """
    good = """\
        from sqlalchemy import Column, Integer, String

        from stk.extensions import Base


        class Thing(Base):
            __tablename__ = "things"
            id = Column(Integer, primary_key=True)
            name = Column(String(255))
        """
    limits = (
        "Only a base written `db.Model` is recognised: an alias (`Model = db.Model`, "
        "`from flask_sqlalchemy.model import Model`) is not; the `flask_sqlalchemy` import "
        "behind it is reported by STK101."
    )
    valid = (
        "class Form(forms.Model):\n    pass\n",
        "class Thing(Base, SerializerMixin):\n    pass\n",
    )
    invalid = ("class Thing(SerializerMixin, db.Model):\n    pass\n",)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for base in node.bases:
            if dotted_name(base.value) == "db.Model":
                self.report(
                    base,
                    f"`{node.name.value}` inherits Flask-SQLAlchemy's `db.Model`; inherit `Base` "
                    "(a plain `DeclarativeBase`) from the app's extensions",
                )


class FlaskSqlalchemySession(PythonRule):
    code = "STK303"
    name = "flask-sqlalchemy-session"
    requires = ("session", "query", "paginate")
    summary = (
        "Flask-SQLAlchemy habits: `db.session`, `Model.query`, `session.query()`, `.paginate()`."
    )
    why = (
        "These APIs do not exist on SQLAlchemy's `AsyncSession`. stk queries with "
        "`await g.db_session.execute(select(Model)...)` (or `.scalars()`, `.get()`, "
        "`.scalar()`) and paginates by hand: `offset((page - 1) * per_page).limit(per_page)` "
        "plus `select(func.count())` for the total."
    )
    bad = """\
        from quart import request

        from app.extensions import db
        from .models import Thing


        async def list_things():
            page = request.args.get("page", 1, type=int)
            result = Thing.query.filter_by(active=True).paginate(page=page, per_page=25)
            db.session.commit()
            return {"items": [t.to_dict() for t in result.items]}
        """
    good = """\
        from quart import g, request
        from sqlalchemy import func, select

        from .models import Thing


        async def list_things():
            page = request.args.get("page", 1, type=int)
            query = select(Thing).where(Thing.active.is_(True))
            total = await g.db_session.scalar(select(func.count()).select_from(query.subquery()))
            result = await g.db_session.execute(
                query.order_by(Thing.id).offset((page - 1) * 25).limit(25)
            )
            return {"items": [t.to_dict() for t in result.scalars()], "total": total}
        """
    limits = (
        "`Model.query` is recognised on capitalised names (classes); `.query(...)` calls on "
        "receivers named like a session (`session`, `db_session`, `s`, `*_session`). "
        "`session.query()` on the synchronous Session that `AsyncSession.run_sync()` hands "
        "to a plain `def` of the same module, or to a lambda, is not reported: it exists there. "
        "A name bound in the module to `scoped_session(...)`, `sessionmaker(...)` or "
        "`Session(...)` (or their async versions) is named as such, not as a model. "
        "`db.session` is not reported in a module that awaits one of its methods "
        "(`await db.session.commit()`): there it is the app's own async session (an "
        "`async_scoped_session` in a `db` module), not Flask-SQLAlchemy's."
    )
    valid = (
        "async def search(request):\n    return request.args.get('query')\n",
        "def parse(url):\n    return url.query\n",
        "async def f(es):\n    return await es.query(index='x')\n",
        """\
            def pages(client):
                paginator = client.get_paginator('list_objects')
                return paginator.paginate(Bucket='b')
            """,
        # run_sync hands a synchronous Session, which has .query().
        """\
            from quart import g

            def count_things(session):
                return session.query(Thing).count()

            async def f():
                total = await g.db_session.run_sync(count_things)
                names = await g.db_session.run_sync(lambda s: s.query(Thing.name).all())
                return total, names
            """,
        # The app's own `db` module binds `session = async_scoped_session(...)`.
        """\
            from app import db

            async def write(event):
                db.session.add(event)
                await db.session.commit()
            """,
    )
    invalid = (
        "async def f():\n    return User.query.get(1)\n",
        "async def f(session):\n    return session.query(User).all()\n",
        "async def f():\n    return g.db_session.query(User).all()\n",
        "async def f(stmt):\n    return db.paginate(stmt)\n",
        "async def f():\n    return Thing.query.filter_by(a=1).paginate(page=2)\n",
        "from app import db\n\nasync def f():\n    db.session.add(x)\n",
        """\
            from sqlalchemy.orm import scoped_session, sessionmaker

            Session = scoped_session(sessionmaker(bind=engine))

            async def f():
                return Session.query(Thing).all()
            """,
    )

    def __init__(self, context) -> None:
        super().__init__(context)
        self.run_sync_functions = set(_RUN_SYNC.findall(context.source))
        self.session_bindings = dict(_SESSION_BINDING.findall(context.source))
        self.async_db_session = _AWAITED_DB_SESSION.search(context.source) is not None
        # First parameter of each enclosing lambda handed to `run_sync(...)`.
        self.run_sync_lambdas: dict[int, str] = {}
        self.sync_sessions: list[str] = []

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if id(node) in self.run_sync_lambdas:
            self.sync_sessions.append(self.run_sync_lambdas[id(node)])

    def leave_Lambda(self, node: cst.Lambda) -> None:
        if id(node) in self.run_sync_lambdas:
            self.sync_sessions.pop()

    def _is_sync_session(self, receiver: str) -> bool:
        """The synchronous Session `run_sync()` passes: `.query()` exists on it."""
        if receiver in self.sync_sessions:
            return True
        functions = self.context.functions
        if not functions:
            return False
        function = functions[-1]
        params = function.params.params or function.params.posonly_params
        return (
            function.asynchronous is None
            and function.name.value in self.run_sync_functions
            and bool(params)
            and params[0].name.value == receiver
        )

    def visit_Attribute(self, node: cst.Attribute) -> None:
        attr = node.attr.value
        receiver = dotted_name(node.value)
        if attr == "session" and receiver == "db":
            if self.async_db_session:
                return
            self.report(
                node,
                "`db.session` is Flask-SQLAlchemy's synchronous session; use the request-scoped "
                "`g.db_session` (an AsyncSession) with `await`",
            )
        elif attr == "query" and receiver in self.session_bindings:
            self.report(
                node,
                f"`{receiver}` is a `{self.session_bindings[receiver]}(...)`, not a model: "
                f"`{receiver}.query` is the legacy Query API of a synchronous Session "
                "(AsyncSession has none); use `await g.db_session.execute(select(...))`",
            )
        elif attr == "query" and receiver is not None and _is_class_name(receiver):
            self.report(
                node,
                f"`{receiver}.query` does not exist on stk models; use "
                f"`await g.db_session.execute(select({receiver})...)`",
            )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        receiver = dotted_name(func.value)
        if func.attr.value == "run_sync" and node.args:
            handed = node.args[0].value
            if isinstance(handed, cst.Lambda) and handed.params.params:
                self.run_sync_lambdas[id(handed)] = handed.params.params[0].name.value
        if (
            func.attr.value == "query"
            and receiver is not None
            and _is_session_name(receiver)
            and not self._is_sync_session(receiver)
        ):
            self.report(
                node,
                f"`{receiver}.query()` is the legacy Query API; use "
                "`await session.execute(select(...))`",
            )
        elif func.attr.value == "paginate" and _is_flask_query(func.value):
            self.report(
                node,
                "`.paginate()` is Flask-SQLAlchemy; paginate with `.offset((page - 1) * per_page)"
                ".limit(per_page)` and count with `select(func.count())`",
            )


def _is_flask_query(receiver: cst.BaseExpression) -> bool:
    """`db.paginate(...)`, `Model.query....paginate()`, `query.paginate()`; not a boto3 paginator."""
    node: cst.BaseExpression = receiver
    while True:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute):
            if node.attr.value == "query":
                return True
            node = node.value
        elif isinstance(node, cst.Name):
            return node.value in ("db", "query") or node.value.endswith("_query")
        else:
            return False


def _is_class_name(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return last[:1].isupper() and not last.isupper()


def _is_session_name(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return last in ("session", "db_session", "s", "sess") or last.endswith("_session")
