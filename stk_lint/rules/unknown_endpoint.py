from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from stk_lint import app_index
from stk_lint.python_rule import PythonRule, dotted_name, string_value
from stk_lint.rule import PYTHON, TEMPLATE
from stk_lint.rules._examples import EXAMPLE_APP
from stk_lint.summaries import absolute_import

if TYPE_CHECKING:
    from stk_lint.templates.context import TemplateContext

URL_FOR = frozenset(
    f"{package}.url_for" for package in ("quart", "quart.helpers", "flask", "flask.helpers")
)
# quart-security's helper: `url_for_security("login")` builds `security.login`.
URL_FOR_SECURITY = frozenset(
    {"quart_security.url_for_security", "quart_security.utils.url_for_security"}
)


def unknown_message(
    index: app_index.AppIndex, endpoint: str, blueprints: set[str] | None = None
) -> str | None:
    """Why `url_for(endpoint)` cannot build, or None when it can (or the index cannot tell)."""
    answer = index.endpoint(endpoint, blueprints)
    if not answer.known or answer.exists:
        return None
    hint = f" (did you mean `{answer.suggestion}`?)" if answer.suggestion else ""
    if endpoint.startswith("."):
        where = "of the request's blueprint" if blueprints else "of any blueprint or of the app"
        what = f"no route {where} has the endpoint `{endpoint[1:]}`"
    else:
        what = f"no route has the endpoint `{endpoint}`"
    return f"{what}{hint}: `url_for` raises BuildError when this runs"


class UnknownEndpoint(PythonRule):
    code = "STK602"
    languages = (PYTHON, TEMPLATE)
    name = "unknown-endpoint"
    requires = ("url_for",)
    needs_project = True
    summary = (
        "`url_for` (or quart-security's `url_for_security`) with a constant endpoint that no "
        "route of the app defines."
    )
    why = (
        "`url_for` looks the endpoint up when it runs: a renamed view function or "
        "blueprint leaves a link that builds nothing, and Quart raises `BuildError` (a 500) "
        "on the page or API that builds it, often a layout every page shares. stk-lint "
        "knows the app's endpoints: each blueprint's name (or the `name=` it is "
        "registered under) with its view functions' names or `endpoint=`, the app's own "
        "routes, `add_url_rule`, `static` and the `static` of a blueprint with a "
        "`static_folder`, and those of installed extensions such as quart-security "
        "(`security.login`)."
    )
    bad = """\
        from quart import Blueprint, redirect, url_for

        bp = Blueprint("things", __name__)


        @bp.get("/things/")
        async def things_page():
            ...


        @bp.post("/things/new")
        async def create_thing():
            return redirect(url_for("things.thing_page"))
        """
    good = """\
        from quart import Blueprint, redirect, url_for

        bp = Blueprint("things", __name__)


        @bp.get("/things/")
        async def things_page():
            ...


        @bp.post("/things/new")
        async def create_thing():
            return redirect(url_for(".things_page"))
        """
    limits = (
        "Only a constant endpoint is checked. The rule is silent where the app's routes "
        "are not all known: no `Quart(__name__)` app in the project, a route added to an "
        "object it cannot follow (`@app.route` on an app made by a factory of another "
        "module, or passed in as a parameter), an endpoint or blueprint name computed at run "
        "time, a blueprint registered under a computed `name=`, a subclass of "
        "`Quart`/`Blueprint`. A relative `.name` is checked against the blueprint of the "
        "route whose view holds it; elsewhere (a helper, a template) it must exist in some "
        "blueprint or in the app. Installed extensions are read when their package is named "
        "`quart_*` or `flask_*` and imported by the project. The app is looked for under the import root of the "
        "checked file; a folder of plain modules such as `tests/` belongs to the app package "
        "beside it."
    )
    example_path = "stk/views.py"
    example_files = EXAMPLE_APP
    valid = (
        # quart-security's blueprint, read from the installed package
        'from quart import url_for\n\ndef login_url():\n    return url_for("security.login")\n',
        """\
            from quart_security import url_for_security

            def login_url():
                return url_for_security("login")
            """,
        'from quart import url_for\n\ndef css():\n    return url_for("static", filename="app.css")\n',
        # the endpoint= of a route, and add_url_rule
        """\
            from quart import Blueprint, url_for

            bp = Blueprint("things", __name__)


            @bp.get("/", endpoint="home")
            async def index():
                return url_for("things.home")


            async def export():
                ...


            bp.add_url_rule("/export", view_func=export)
            LINK = url_for("things.export")
            """,
        # computed: not checked
        'from quart import url_for\n\ndef link(kind):\n    return url_for(f"{kind}.index")\n',
        # another url_for than Quart's
        'from stk.links import url_for\n\nLINK = url_for("nowhere")\n',
    )
    invalid = (
        'from quart import url_for\n\ndef login_url():\n    return url_for("security.logon")\n',
        """\
            from quart_security import url_for_security

            def login_url():
                return url_for_security("logon")
            """,
        # relative to the view's own blueprint
        """\
            from quart import Blueprint, url_for

            bp = Blueprint("things", __name__)


            @bp.get("/")
            async def index():
                return url_for(".lst")
            """,
        'from quart import url_for\n\nLINK = url_for("nothing.index")\n',
    )

    def visit_Call(self, node: cst.Call) -> None:
        if not node.args:
            return
        function = self.context.qualified(node.func)
        if function not in URL_FOR and function not in URL_FOR_SECURITY:
            return
        argument = node.args[0]
        if argument.keyword is not None and argument.keyword.value != "endpoint":
            return
        endpoint = string_value(argument.value)
        if not endpoint:
            return
        if function in URL_FOR_SECURITY:
            endpoint = f"security.{endpoint}"
        index = app_index.of(self.context.project, self.context.path)
        if index is None:
            return
        blueprints = self._request_blueprints(index) if endpoint.startswith(".") else None
        message = unknown_message(index, endpoint, blueprints)
        if message is not None:
            self.report(argument.value, message)

    def _request_blueprints(self, index: app_index.AppIndex) -> set[str] | None:
        """The blueprints of the route whose view holds the call, if that is known."""
        place = index.module_of(self.context.path)
        if place is None:
            return None
        module, is_package = place
        for function in reversed(self.context.functions):
            found: set[str] = set()
            routes = 0
            for decorator in function.decorators:
                call = decorator.decorator
                if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                    continue
                if call.func.attr.value not in app_index.ROUTE_DECORATORS:
                    continue
                target = dotted_name(call.func.value)
                if target is None or "." in target:
                    return None
                routes += 1
                imported = self.context.imports.get(target)
                if imported is not None:
                    ref = f"import:{absolute_import(imported, module, is_package)}"
                else:
                    ref = f"local:{target}"
                names = index.request_blueprints(module, ref)
                if names is None:
                    return None
                found |= names
            if routes:
                return found
        return None

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        if "url_for" not in context.text:
            return
        index = app_index.of(context.project, context.path)
        if index is None or index.template_name_of(context.path) is None:
            return
        from stk_lint.templates.references import url_for_calls

        for reference in url_for_calls(context):
            message = unknown_message(index, reference.names[0])
            if message is not None:
                context.report(cls, reference.start, reference.end, message)
