from __future__ import annotations

import re

import libcst as cst

from stk_lint.findings import NodeFix
from stk_lint.python_rule import PythonRule, dotted_name
from stk_lint.rule import Invalid
from stk_lint.tree import children

HANDLER_DECORATORS = frozenset(
    {
        "route",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "websocket",
        "before_request",
        "before_app_request",
        "after_request",
        "after_app_request",
        "teardown_request",
        "teardown_app_request",
        "errorhandler",
        "app_errorhandler",
        "before_websocket",
        "after_websocket",
        "before_serving",
        "after_serving",
    }
)
# Classes whose instances register handlers, and names people conventionally give them.
APP_CLASSES = frozenset({"Quart", "Blueprint", "Flask"})
CONVENTIONAL = re.compile(
    r"^(app|application|current_app|bp|blueprint|api|\w+_(bp|blueprint|app|api))$"
)


# Methods of a class-based view (`quart.views.View`/`MethodView`) that handle requests.
VIEW_METHODS = frozenset(
    {"dispatch_request", "get", "post", "put", "patch", "delete", "head", "options"}
)


def _as_view_class(value: cst.BaseExpression) -> str | None:
    """`OrderAPI` in `OrderAPI.as_view("orders")`."""
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "as_view"
    ):
        return dotted_name(value.func.value)
    return None


def _view_func(call: cst.Call) -> cst.BaseExpression | None:
    """The view of `add_url_rule(rule, endpoint, view_func, ...)`."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "view_func":
            return arg.value
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[2].value if len(positional) > 2 else None


def _blocks_async(function: cst.FunctionDef) -> bool:
    """Whether `async def` would not compile: a generator with `yield from` or with
    `return <value>` (both are errors in an async generator). Nested scopes are skipped."""
    found = {"yield": False, "yield_from": False, "return_value": False}
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        for child in children(node):
            if isinstance(child, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                continue
            if isinstance(child, cst.Yield):
                key = "yield_from" if isinstance(child.value, cst.From) else "yield"
                found[key] = True
            elif isinstance(child, cst.Return) and child.value is not None:
                found["return_value"] = True
            stack.append(child)
    return found["yield_from"] or (found["yield"] and found["return_value"])


def _callee_class(value: cst.BaseExpression) -> str | None:
    if isinstance(value, cst.Call):
        name = dotted_name(value.func)
        if name is not None:
            return name.rsplit(".", 1)[-1]
    return None


class SyncHandler(PythonRule):
    code = "STK201"
    name = "sync-handler"
    summary = "A route, websocket, error handler or request hook defined with plain `def`."
    # Unsafe: code calling the function directly, and sync calls inside it that now
    # need `await` (STK202 flags those next), change meaning.
    fix = "unsafe"
    why = (
        "Every stk handler is `async def`: the database session, `request.get_json()`, "
        "`render_template()` and quart-security are all awaitable, and a plain `def` "
        "cannot await them. Quart runs a sync handler in a thread pool instead of on the "
        "event loop, where `g.db_session` (an AsyncSession bound to the loop) must not be used."
    )
    bad = """\
        from quart import Blueprint
        from quart_security import auth_required

        bp = Blueprint("things", __name__)


        @bp.get("/api/things")
        @auth_required("session")
        def list_things():
            return {"items": []}
        """
    good = """\
        from quart import Blueprint
        from quart_security import auth_required

        bp = Blueprint("things", __name__)


        @bp.get("/api/things")
        @auth_required("session")
        async def list_things():
            return {"items": []}
        """
    limits = (
        "The decorator's receiver must be bound in the module to `Quart(...)`/`Blueprint(...)` "
        "or carry a conventional name (`app`, `bp`, `blueprint`, `api`, `*_bp`, `*_app`, ...). "
        "`add_url_rule(..., view_func=...)` is followed within the module: to a function "
        "defined there, and to the request methods (`get`, `post`, ..., `dispatch_request`) "
        "of a class registered with `Class.as_view(...)`, directly or through a name; views "
        "defined in another module are not. No fix is offered for a generator handler with "
        "`yield from` or `return <value>`, which an `async def` cannot contain."
    )
    valid = (
        """\
            from quart import Quart

            app = Quart(__name__)

            @app.cli.command('seed')
            def seed():
                pass

            @app.template_filter('money')
            def money(value):
                return f'{value:.2f}'
            """,
        "def helper(items):\n    return [i for i in items if i]\n",
        "cache = {}\n\n@cache.get\ndef not_a_route():\n    pass\n",
        """\
            from quart import Blueprint

            bp = Blueprint('x', __name__)

            @bp.get('/')
            async def index():
                return 'ok'
            """,
    )
    invalid = (
        """\
            from quart import Blueprint

            bp = Blueprint('x', __name__)

            @bp.before_request
            def check():
                pass
            """,
        Invalid(
            """\
            from quart import Quart

            def create_app():
                app = Quart(__name__)

                @app.errorhandler(404)
                def not_found(e):
                    return 'missing', 404

                return app
            """,
            expected_fix="""\
            from quart import Quart

            def create_app():
                app = Quart(__name__)

                @app.errorhandler(404)
                async def not_found(e):
                    return 'missing', 404

                return app
            """,
        ),
        """\
            from .views import admin_bp

            @admin_bp.route('/x', methods=['POST'])
            def x():
                return ''
            """,
        """\
            from quart import Blueprint

            ws = Blueprint('ws', __name__)

            @ws.websocket('/ws')
            def feed():
                pass
            """,
        """\
            from quart import Blueprint

            bp = Blueprint('x', __name__)

            def health():
                return 'ok'

            bp.add_url_rule('/health', view_func=health)
            """,
        Invalid(
            """\
            from quart import Blueprint
            from quart.views import MethodView

            bp = Blueprint('x', __name__)

            class ThingAPI(MethodView):
                def get(self, id):
                    return {}

            view = ThingAPI.as_view('thing_api')
            bp.add_url_rule('/things/<int:id>', view_func=view)
            """,
            expected_fix="""\
            from quart import Blueprint
            from quart.views import MethodView

            bp = Blueprint('x', __name__)

            class ThingAPI(MethodView):
                async def get(self, id):
                    return {}

            view = ThingAPI.as_view('thing_api')
            bp.add_url_rule('/things/<int:id>', view_func=view)
            """,
        ),
    )

    @classmethod
    def could_fire(cls, source: str) -> bool:
        # A decorated plain `def` whose decorator names one of the handler methods, or a
        # view registered with `add_url_rule`.
        return "add_url_rule" in source or (
            "@" in source
            and "def" in source
            and any(method in source for method in HANDLER_DECORATORS)
        )

    def __init__(self, context) -> None:
        super().__init__(context)
        self.app_names: set[str] = set()
        self.pending: list[tuple[cst.FunctionDef, str, str, cst.CSTNode | None]] = []
        # For `add_url_rule`: plain defs by name, plain request methods by class, the
        # names bound to `Class.as_view(...)`, and the views registered (with receivers).
        self.plain_functions: dict[str, tuple[cst.FunctionDef, cst.CSTNode | None]] = {}
        self.plain_methods: dict[str, list[tuple[cst.FunctionDef, cst.CSTNode | None]]] = {}
        self.view_names: dict[str, str] = {}
        self.registered: list[tuple[cst.BaseExpression, str]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        if _callee_class(node.value) in APP_CLASSES:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.app_names.add(target.target.value)
        view_class = _as_view_class(node.value)
        if view_class is not None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.view_names[target.target.value] = view_class

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "add_url_rule":
            receiver = dotted_name(func.value)
            view = _view_func(node)
            if receiver is not None and view is not None:
                self.registered.append((view, receiver))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        is_app = node.value is not None and _callee_class(node.value) in APP_CLASSES
        if is_app and isinstance(node.target, cst.Name):
            self.app_names.add(node.target.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is not None:
            return
        name = node.name.value
        classes = self.context.classes
        if self.context.functions[:-1]:
            pass  # a nested helper: only decorators can register it
        elif classes and name in VIEW_METHODS:
            self.plain_methods.setdefault(classes[-1].name.value, []).append(
                (node, self.context.statement)
            )
        elif not classes:
            self.plain_functions[name] = (node, self.context.statement)
        for decorator in node.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Call):
                target = target.func
            if not isinstance(target, cst.Attribute):
                continue
            method = target.attr.value
            receiver = dotted_name(target.value)
            if method in HANDLER_DECORATORS and receiver is not None:
                self.pending.append((node, receiver, method, self.context.statement))
                return

    def _is_app(self, receiver: str) -> bool:
        return receiver in self.app_names or bool(CONVENTIONAL.match(receiver.rsplit(".", 1)[-1]))

    def leave_Module(self, node: cst.Module) -> None:
        # Decided at the end: the app may be bound after a handler in source order.
        for function, receiver, method, statement in self.pending:
            if self._is_app(receiver):
                self._report(function, f"`@{receiver}.{method}`", statement)
        reported: set[int] = set()
        for view, receiver in self.registered:
            if not self._is_app(receiver):
                continue
            how = f"`{receiver}.add_url_rule`"
            view_class = _as_view_class(view)
            if view_class is None and isinstance(view, cst.Name):
                view_class = self.view_names.get(view.value)
                if view_class is None and view.value in self.plain_functions:
                    function, statement = self.plain_functions[view.value]
                    if id(function) not in reported:
                        reported.add(id(function))
                        self._report(function, how, statement)
                    continue
            for function, statement in self.plain_methods.get(view_class or "", ()):
                if id(function) not in reported:
                    reported.add(id(function))
                    self._report(function, f"{how} (`{view_class}.as_view`)", statement)

    def _report(self, function: cst.FunctionDef, how: str, statement: cst.CSTNode | None) -> None:
        name = function.name.value
        fix = None
        if not _blocks_async(function):
            fix = NodeFix(
                f"Make `{name}` an `async def`",
                "unsafe",
                ((function, function.with_changes(asynchronous=cst.Asynchronous())),),
            )
        self.report(
            function.name,
            f"`{name}` is registered with {how} but is a plain `def`; stk handlers must be "
            "`async def`",
            fix,
            statement,
        )
