from __future__ import annotations

import libcst as cst

from stk_lint.findings import NodeFix
from stk_lint.python_rule import PythonRule, module_name
from stk_lint.rule import Invalid

# What stk uses instead of each Flask package. Anything else `flask_*` gets the generic advice.
REPLACEMENTS = {
    "flask": "`quart` (same API, async: `from quart import Blueprint, g, request, render_template`)",
    "flask_security": "`quart_security` (`auth_required`, `roles_required`, `current_user`)",
    "flask_login": '`quart_security` (`current_user`, `auth_required("session")`)',
    "flask_principal": "`quart_security` (`roles_required`, `RoleMixin`)",
    "flask_sqlalchemy": "plain SQLAlchemy 2.x async: models inherit `Base` from the app's "
    "extensions, queries go through `g.db_session`",
    "flask_migrate": "Alembic directly (`alembic revision --autogenerate`, `alembic upgrade head`)",
    "flask_wtf": "a Vue form that posts JSON (`{item: {...}}`) to an async endpoint",
    "flask_caching": "an async cache client called with `await`",
    "flask_cors": "`quart_cors`",
    "flask_mail": "an async mail client run through `stk.tasks.run_in_background()`",
    "flask_socketio": "Quart's native `@bp.websocket(...)` (stk broadcasts via `Activity.register`)",
    "flask_restful": "async Quart blueprints returning dicts",
    "flask_babel": "`quart_babel`",
}
GENERIC = "its Quart counterpart (`quart_*`) or an async library"

# What the fix may rewrite to: the public names each target module exports, read once
# from quart 0.22 and quart-security 2.0 and kept here (stk-lint never imports them).
QUART = frozenset(
    [
        "Blueprint",
        "Config",
        "Markup",
        "Quart",
        "Request",
        "Response",
        "ResponseReturnValue",
        "Websocket",
        "abort",
        "after_this_request",
        "appcontext_popped",
        "appcontext_pushed",
        "appcontext_tearing_down",
        "before_render_template",
        "copy_current_app_context",
        "copy_current_request_context",
        "copy_current_websocket_context",
        "current_app",
        "escape",
        "flash",
        "g",
        "get_flashed_messages",
        "get_template_attribute",
        "got_request_exception",
        "got_websocket_exception",
        "has_app_context",
        "has_request_context",
        "has_websocket_context",
        "json",
        "jsonify",
        "make_push_promise",
        "make_response",
        "message_flashed",
        "redirect",
        "render_template",
        "render_template_string",
        "request",
        "request_finished",
        "request_started",
        "request_tearing_down",
        "send_file",
        "send_from_directory",
        "session",
        "signals_available",
        "stream_template",
        "stream_template_string",
        "stream_with_context",
        "template_rendered",
        "url_for",
        "websocket",
        "websocket_finished",
        "websocket_started",
        "websocket_tearing_down",
    ]
)
QUART_SECURITY = frozenset(
    [
        "RoleMixin",
        "SQLAlchemyStateStore",
        "SQLAlchemyUserDatastore",
        "Security",
        "SecurityState",
        "UserMixin",
        "auth_required",
        "current_user",
        "hash_password",
        "hash_password_async",
        "password_changed",
        "roles_required",
        "tf_profile_changed",
        "url_for_security",
        "user_authenticated",
        "user_logged_out",
        "user_registered",
        "verify_password",
        "verify_password_async",
    ]
)
TARGETS: dict[str, tuple[str, frozenset[str]]] = {
    "flask": ("quart", QUART),
    "flask.views": ("quart.views", frozenset({"MethodView", "View"})),
    "flask.json": ("quart.json", frozenset({"dump", "dumps", "load", "loads", "jsonify"})),
    "flask_security": ("quart_security", QUART_SECURITY),
}
# Names that exist in both but are awaitable in Quart (`await render_template(...)`,
# `await request.get_json()`): rewriting them is right, but callers need `await`.
# Checked against quart 0.22 (`get_flashed_messages` is a plain function there).
BECOME_ASYNC = frozenset(
    [
        "request",
        "websocket",
        "render_template",
        "render_template_string",
        "stream_template",
        "stream_template_string",
        "make_response",
        "make_push_promise",
        "send_file",
        "send_from_directory",
        "flash",
        "MethodView",
        "View",
        # Decorators whose Quart version wraps into a coroutine function (the decorated
        # function must then be awaited) or needs an async generator.
        "copy_current_app_context",
        "copy_current_request_context",
        "copy_current_websocket_context",
        "stream_with_context",
    ]
)
# What to write instead of a Flask name Quart does not have under the same name.
RENAMED = {"Flask": "Quart", "login_required": 'auth_required("session")'}


def _dotted(name: str) -> cst.Name | cst.Attribute:
    head, *rest = name.split(".")
    node: cst.Name | cst.Attribute = cst.Name(head)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _flask_package(module: str) -> str | None:
    head = module.split(".", 1)[0]
    if head == "flask" or head.startswith("flask_"):
        return head
    return None


def replacement_for(package: str) -> str:
    return REPLACEMENTS.get(package, GENERIC)


class FlaskImport(PythonRule):
    code = "STK101"
    name = "flask-import"
    requires = ("flask",)  # every flagged module name starts with it
    summary = "Imports Flask or a Flask extension (`flask`, `flask_security`, any `flask_*`)."
    fix = "safe"
    limits = (
        "The fix rewrites `from flask import ...`, `from flask.views import ...`, "
        "`from flask.json import ...` and `from flask_security import ...` when every imported "
        "name exists in the Quart module (`Flask` does not: it is `Quart`); otherwise the "
        "message names what is missing. It is unsafe when a name becomes awaitable in Quart "
        "(`request`, `render_template`, `make_response`, ...) or its decorator needs async "
        "code (`stream_with_context`, `copy_current_request_context`). `import flask` and other "
        "`flask_*` packages are reported without a fix."
    )
    why = (
        "stk runs on Quart, the async re-implementation of Flask. Flask's objects are "
        "synchronous: `flask.request` and `flask.g` are not Quart's request-scoped objects, "
        "Flask extensions register against a Flask app that does not exist, and "
        "flask_sqlalchemy's session is synchronous where stk uses `AsyncSession`. The code "
        "often imports fine and then fails at request time."
    )
    bad = """\
        from flask import Blueprint, render_template
        from flask_security import auth_required

        bp = Blueprint("things", __name__)


        @bp.get("/things/")
        @auth_required("session")
        async def things_page():
            return await render_template("things/index.html")
        """
    good = """\
        from quart import Blueprint, render_template
        from quart_security import auth_required

        bp = Blueprint("things", __name__)


        @bp.get("/things/")
        @auth_required("session")
        async def things_page():
            return await render_template("things/index.html")
        """
    valid = (
        "import quart\nfrom quart import Quart\n",
        "from quart_security import current_user\n",
        "from .flask_compat import shim  # a local module, not the package\n",
        "import flaskless\n",
        "from myapp.flask import helpers\n",
    )
    invalid = (
        "import flask\n",
        "import flask.json as fjson\n",
        Invalid(
            "from flask.views import MethodView\n",
            expected_fix="from quart.views import MethodView\n",
        ),
        "from flask_sqlalchemy import SQLAlchemy\n",
        "import flask_login\n",
        "from flask_anything_else import thing\n",
    )

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            package = _flask_package(module_name(alias.name))
            if package:
                self.report(alias, self._message(package))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        module = module_name(node.module)
        package = _flask_package(module)
        if not package:
            return
        message = self._message(package)
        target = TARGETS.get(module)
        if target is None or isinstance(node.names, cst.ImportStar):
            self.report(node.module, message)
            return
        new_module, exports = target
        names = [module_name(alias.name) for alias in node.names]
        missing = [name for name in names if name not in exports]
        if missing:
            listed = ", ".join(
                f"`{n}`" + (f" (use `{RENAMED[n]}`)" if n in RENAMED else "") for n in missing
            )
            message += f"; not fixed automatically: `{new_module}` has no {listed}"
            self.report(node.module, message)
            return
        awaitable = sorted(set(names) & BECOME_ASYNC)
        fix_message = f"Import from `{new_module}` instead of `{module}`"
        if awaitable:
            shown = ", ".join(f"`{n}`" for n in awaitable)
            fix_message += (
                f" ({shown} are async in Quart: add the `await`s, and make wrapped "
                "generators async)"
                if "stream_with_context" in awaitable
                else f" ({shown} are async in Quart: add the `await`s)"
            )
        fix = NodeFix(
            fix_message,
            "unsafe" if awaitable else "safe",
            ((node.module, _dotted(new_module)),),
        )
        self.report(node.module, message, fix)

    @staticmethod
    def _message(package: str) -> str:
        return f"`{package}` is Flask; stk uses {replacement_for(package)}"
