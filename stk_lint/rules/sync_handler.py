from __future__ import annotations

import re

import libcst as cst

from stk_lint.findings import NodeFix
from stk_lint.python_engine import dotted_name
from stk_lint.rule import PythonRule

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
    bad = (
        "from quart import Blueprint\n"
        "from quart_security import auth_required\n"
        "\n"
        'bp = Blueprint("things", __name__)\n'
        "\n"
        "\n"
        '@bp.get("/api/things")\n'
        '@auth_required("session")\n'
        "def list_things():\n"
        '    return {"items": []}\n'
    )
    good = (
        "from quart import Blueprint\n"
        "from quart_security import auth_required\n"
        "\n"
        'bp = Blueprint("things", __name__)\n'
        "\n"
        "\n"
        '@bp.get("/api/things")\n'
        '@auth_required("session")\n'
        "async def list_things():\n"
        '    return {"items": []}\n'
    )
    limits = (
        "The decorator's receiver must be bound in the module to `Quart(...)`/`Blueprint(...)` "
        "or carry a conventional name (`app`, `bp`, `blueprint`, `api`, `*_bp`, `*_app`, ...); "
        "handlers registered with `add_url_rule(view_func=...)` are not followed."
    )
    valid = (
        "from quart import Quart\n\napp = Quart(__name__)\n\n"
        "@app.cli.command('seed')\ndef seed():\n    pass\n\n"
        "@app.template_filter('money')\ndef money(value):\n    return f'{value:.2f}'\n",
        "def helper(items):\n    return [i for i in items if i]\n",
        "cache = {}\n\n@cache.get\ndef not_a_route():\n    pass\n",
        "from quart import Blueprint\n\nbp = Blueprint('x', __name__)\n\n"
        "@bp.get('/')\nasync def index():\n    return 'ok'\n",
    )
    invalid = (
        "from quart import Blueprint\n\nbp = Blueprint('x', __name__)\n\n"
        "@bp.before_request\ndef check():\n    pass\n",
        "from quart import Quart\n\ndef create_app():\n    app = Quart(__name__)\n\n"
        "    @app.errorhandler(404)\n    def not_found(e):\n        return 'missing', 404\n\n"
        "    return app\n",
        "from .views import admin_bp\n\n@admin_bp.route('/x', methods=['POST'])\n"
        "def x():\n    return ''\n",
        "from quart import Blueprint\n\nws = Blueprint('ws', __name__)\n\n"
        "@ws.websocket('/ws')\ndef feed():\n    pass\n",
    )

    @classmethod
    def could_fire(cls, source: str) -> bool:
        # A decorated plain `def` whose decorator names one of the handler methods.
        return (
            "@" in source
            and "def" in source
            and any(method in source for method in HANDLER_DECORATORS)
        )

    def __init__(self, context) -> None:
        super().__init__(context)
        self.app_names: set[str] = set()
        self.pending: list[tuple[cst.FunctionDef, str, str, cst.CSTNode | None]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        if _callee_class(node.value) in APP_CLASSES:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.app_names.add(target.target.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        is_app = node.value is not None and _callee_class(node.value) in APP_CLASSES
        if is_app and isinstance(node.target, cst.Name):
            self.app_names.add(node.target.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is not None:
            return
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

    def leave_Module(self, node: cst.Module) -> None:
        # Decided at the end: the app may be bound after a handler in source order.
        for function, receiver, method, statement in self.pending:
            last = receiver.rsplit(".", 1)[-1]
            if receiver in self.app_names or CONVENTIONAL.match(last):
                self.report(
                    function.name,
                    f"`{function.name.value}` is registered with `@{receiver}.{method}` but is a "
                    "plain `def`; stk handlers must be `async def`",
                    NodeFix(
                        f"Make `{function.name.value}` an `async def`",
                        "unsafe",
                        ((function, function.with_changes(asynchronous=cst.Asynchronous())),),
                    ),
                    statement,
                )
