from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from stk_lint.python_rule import PythonRule, dotted_name

if TYPE_CHECKING:
    from stk_lint.python_rule import PythonContext

# Functions that run work after the request that scheduled it may have ended, by the last
# part of their name: stk's helpers (stk.tasks) and Quart's `app.add_background_task`.
# name -> how the work is handed over
_SCHEDULERS = {
    "run_in_background": "coroutine",  # run_in_background(work(...))
    "run_with_session": "function",  # run_with_session(work, *args)
    "add_background_task": "function",  # app.add_background_task(work, *args)
}

# What belongs to the request, by the qualified name the module's imports give it.
REQUEST_STATE = {
    **{f"{p}.g": "g" for p in ("quart", "quart.globals", "flask", "flask.globals")},
    **{f"{p}.request": "request" for p in ("quart", "quart.globals", "flask", "flask.globals")},
    **{f"{p}.websocket": "websocket" for p in ("quart", "quart.globals")},
    **{f"{p}.session": "session" for p in ("quart", "quart.globals", "flask", "flask.globals")},
    **{
        f"{p}.current_user": "current_user"
        for p in ("quart_security", "quart_security.proxies", "flask_login", "flask_security")
    },
}
_STATE_MODULES = frozenset(name.rpartition(".")[0] for name in REQUEST_STATE)
_WHY = {
    "g": (
        "`g` belongs to the request that scheduled this work: when the request ends, "
        "`g.db_session` is closed and removed (and `add_background_task` gives a new, empty "
        "`g`). Use the session `run_with_session` passes, and pass other values in"
    ),
    "request": "the request has ended by then: read what the work needs in the view and pass it in",
    "websocket": "the websocket may be closed by then: read what the work needs first and pass it in",
    "session": (
        "Quart's `session` is the finished request's cookie session: read what the work needs "
        "in the view and pass it in"
    ),
    "current_user": (
        "`current_user` is loaded per request: pass the user's id in and load the user with "
        "the work's own session"
    ),
}
_COPIES_CONTEXT = ("copy_current_request_context", "copy_current_websocket_context")


class _Bindings(cst.CSTVisitor):
    """Names a function binds anywhere in its body (its locals, with nested scopes' too:
    a name bound anywhere counts, so a use of it is never taken for the module's)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Param(self, node: cst.Param) -> None:
        self.names.add(node.name.value)

    def _targets(self, node: cst.CSTNode | None) -> None:
        if isinstance(node, cst.Name):
            self.names.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._targets(element.value)
        elif isinstance(node, cst.StarredElement):
            self._targets(node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._targets(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._targets(node.asname.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._targets(node.target)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._targets(node.name.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        bound: cst.BaseExpression = node.asname.name if node.asname is not None else node.name
        while isinstance(bound, cst.Attribute):
            bound = bound.value
        self._targets(bound)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.names.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.names.add(node.name.value)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.names.discard(item.name.value)


class _Uses(cst.CSTVisitor):
    """First use of each piece of request state in a function body."""

    def __init__(self, imports: dict[str, str], local: set[str]) -> None:
        self.imports = imports
        self.local = local
        self.found: dict[str, cst.CSTNode] = {}

    def _qualify(self, node: cst.CSTNode) -> str | None:
        name = dotted_name(node)
        if name is None:
            return None
        head, dot, rest = name.partition(".")
        if head in self.local or head not in self.imports:
            return None
        return self.imports[head] + dot + rest

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        qualified = self._qualify(node)
        if qualified is not None:
            for cut in range(qualified.count(".") + 1):
                prefix = qualified.rsplit(".", cut)[0] if cut else qualified
                if prefix in REQUEST_STATE:
                    self.found.setdefault(REQUEST_STATE[prefix], node)
                    return False
        node.value.visit(self)  # not `.attr`: `thing.request` is not Quart's request
        return False

    def visit_Name(self, node: cst.Name) -> None:
        qualified = self._qualify(node)
        if qualified in REQUEST_STATE:
            self.found.setdefault(REQUEST_STATE[qualified], node)


class RequestStateInBackground(PythonRule):
    code = "STK203"
    name = "request-state-in-background"
    requires = tuple(_SCHEDULERS)
    summary = (
        "`g`, `request`, `websocket`, Quart's `session` or `current_user` used inside work "
        "handed to `run_in_background`, `run_with_session` or `app.add_background_task`."
    )
    why = (
        "Background work runs after the view that scheduled it has returned. By then the "
        "request is over: its `g.db_session` has been closed and removed by the teardown "
        "hook (an `AttributeError`, or a closed session), `request` and `session` describe a "
        "finished request, `current_user` belongs to it. stk's `run_with_session(func, ...)` "
        "calls `func(session, ...)` with a session of its own, committed when `func` returns; "
        "everything else the work needs is read in the view and passed in as arguments."
    )
    bad = """\
        from quart import Blueprint, g
        from quart_security import current_user
        from sqlalchemy import delete

        from stk.tasks import run_in_background
        from stk.user.models import Activity

        bp = Blueprint("user", __name__)


        async def prune(user_id):
            await g.db_session.execute(delete(Activity).where(Activity.user_id == user_id))
            await g.db_session.commit()


        @bp.post("/api/activities/prune")
        async def prune_activities():
            await run_in_background(prune(current_user.id))
            return {"message": "Pruning"}
        """
    good = """\
        from quart import Blueprint
        from quart_security import current_user
        from sqlalchemy import delete

        from stk.tasks import run_with_session
        from stk.user.models import Activity

        bp = Blueprint("user", __name__)


        async def prune(session, user_id):
            await session.execute(delete(Activity).where(Activity.user_id == user_id))


        @bp.post("/api/activities/prune")
        async def prune_activities():
            await run_with_session(prune, current_user.id)
            return {"message": "Pruning"}
        """
    limits = (
        "Only the body of the function handed over is read (with the functions nested in "
        "it), when it is defined in the same module under a name defined once: a helper it "
        "calls, a function imported from another module, a method (`self.job`) or a lambda "
        "is not followed. The work is recognised by the scheduler's name "
        "(`run_in_background(job(...))`, `run_with_session(job, ...)`, "
        "`x.add_background_task(job, ...)`). Request state is recognised through the "
        "module's imports (`from quart import g`, `import quart` then `quart.g`), so a local "
        "variable named `session` (an `AsyncSession`) is not a finding. Work wrapped in "
        "`copy_current_request_context` keeps its request and is not reported."
    )
    valid = (
        # the session run_with_session gives shadows Quart's session
        """\
            from quart import session
            from stk.tasks import run_with_session


            async def job(session, thing_id):
                await session.get(Thing, thing_id)


            async def view():
                await run_with_session(job, 1)
            """,
        # a local variable named like request state
        """\
            from quart import g, session
            import stk.extensions as ext
            from stk.tasks import run_in_background


            async def job():
                async with ext.async_session_factory() as session:
                    await session.commit()


            async def view():
                await run_in_background(job())
                return g.user
            """,
        # request state read in the view and passed in
        """\
            from quart import request
            from stk.tasks import run_in_background


            async def job(search):
                return search


            async def view():
                await run_in_background(job(request.args['q']))
            """,
        # a request context copied on purpose
        """\
            from quart import copy_current_request_context, request
            from stk.tasks import run_in_background


            @copy_current_request_context
            async def job():
                return request.path


            async def view():
                await run_in_background(job())
            """,
        # a `g` that is not Quart's
        """\
            from app.state import g
            from stk.tasks import run_in_background


            async def job():
                return g.value


            async def view():
                await run_in_background(job())
            """,
    )
    invalid = (
        """\
            from quart import current_app, request


            async def audit():
                print(request.remote_addr)


            async def view():
                current_app.add_background_task(audit)
            """,
        """\
            import quart
            from stk.tasks import run_with_session


            async def job(db):
                return quart.session['cart']


            async def view():
                await run_with_session(job)
            """,
        """\
            from quart import websocket
            from stk.tasks import run_in_background


            async def view():
                async def listen():
                    await websocket.receive()

                await run_in_background(listen())
            """,
    )

    def __init__(self, context: PythonContext) -> None:
        super().__init__(context)
        self._defs: dict[str, list[cst.FunctionDef]] = {}
        self._handed: list[tuple[str, str]] = []  # (function name, scheduler)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._defs.setdefault(node.name.value, []).append(node)

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted_name(node.func)
        if name is None:
            return
        scheduler = name.rpartition(".")[2]
        kind = _SCHEDULERS.get(scheduler)
        if kind is None or not node.args or node.args[0].keyword is not None:
            return
        work = node.args[0].value
        if kind == "coroutine":
            if not isinstance(work, cst.Call):
                return
            work = work.func
        if isinstance(work, cst.Name):
            self._handed.append((work.value, scheduler))

    def leave_Module(self, original_node: cst.Module) -> None:
        imports = self.context.imports
        # Only names imported from where request state lives can be request state.
        relevant = {
            local: qualified
            for local, qualified in imports.items()
            if qualified in REQUEST_STATE or qualified in _STATE_MODULES
        }
        if not self._handed or not relevant:
            return
        done: set[str] = set()
        for function_name, scheduler in self._handed:
            definitions = self._defs.get(function_name, [])
            if len(definitions) != 1 or function_name in done:
                continue
            done.add(function_name)
            function = definitions[0]
            if any(
                (dotted_name(d.decorator) or "").rpartition(".")[2] in _COPIES_CONTEXT
                for d in function.decorators
            ):
                continue
            uses = _Uses(relevant, set())
            function.body.visit(uses)
            if uses.found:  # now without the names the function binds itself
                bindings = _Bindings()
                function.params.visit(bindings)
                function.body.visit(bindings)
                uses = _Uses(relevant, bindings.names)
                function.body.visit(uses)
            for state, node in uses.found.items():
                self.report(
                    node,
                    f"`{state}` in `{function_name}`, which runs in the background "
                    f"(`{scheduler}`): {_WHY[state]}",
                )
