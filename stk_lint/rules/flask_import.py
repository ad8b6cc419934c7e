from __future__ import annotations

import libcst as cst

from stk_lint.python_engine import module_name
from stk_lint.rule import PythonRule

# What stk uses instead of each Flask package. Anything else `flask_*` gets the generic advice.
REPLACEMENTS = {
    "flask": "`quart` (same API, async: `from quart import Blueprint, g, request, render_template`)",
    "flask_security": "`quart_security` (`auth_required`, `roles_required`, `current_user`)",
    "flask_login": '`quart_security` (`current_user`, `auth_required("session")`)',
    "flask_principal": "`quart_security` (`roles_required`, `roles_accepted`)",
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
    why = (
        "stk runs on Quart, the async re-implementation of Flask. Flask's objects are "
        "synchronous: `flask.request` and `flask.g` are not Quart's request-scoped objects, "
        "Flask extensions register against a Flask app that does not exist, and "
        "flask_sqlalchemy's session is synchronous where stk uses `AsyncSession`. The code "
        "often imports fine and then fails at request time."
    )
    bad = (
        "from flask import Blueprint, render_template\n"
        "from flask_security import auth_required\n"
        "\n"
        'bp = Blueprint("things", __name__)\n'
        "\n"
        "\n"
        '@bp.get("/things/")\n'
        '@auth_required("session")\n'
        "async def things_page():\n"
        '    return await render_template("things/index.html")\n'
    )
    good = (
        "from quart import Blueprint, render_template\n"
        "from quart_security import auth_required\n"
        "\n"
        'bp = Blueprint("things", __name__)\n'
        "\n"
        "\n"
        '@bp.get("/things/")\n'
        '@auth_required("session")\n'
        "async def things_page():\n"
        '    return await render_template("things/index.html")\n'
    )
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
        "from flask.views import MethodView\n",
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
        package = _flask_package(module_name(node.module))
        if package:
            self.report(node.module, self._message(package))

    @staticmethod
    def _message(package: str) -> str:
        return f"`{package}` is Flask; stk uses {replacement_for(package)}"
