from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from stk_lint import app_index
from stk_lint.python_rule import PythonRule, string_value
from stk_lint.rule import PYTHON, TEMPLATE
from stk_lint.rules._examples import EXAMPLE_APP

if TYPE_CHECKING:
    from stk_lint.templates.context import TemplateContext

RENDERERS = frozenset(
    f"{package}.{function}"
    for package in ("quart", "quart.templating", "flask", "flask.templating")
    for function in ("render_template", "stream_template")
)


def template_names(node: cst.BaseExpression) -> tuple[str, ...] | None:
    """`"a.html"` or `["a.html", "b.html"]` (Quart renders the first it finds)."""
    value = string_value(node)
    if value is not None:
        return (value,)
    if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        values = [
            string_value(e.value) if isinstance(e, cst.Element) else None for e in node.elements
        ]
        if all(v is not None for v in values):
            return tuple(v for v in values if v is not None)
    return None


def missing_message(index: app_index.AppIndex, names: tuple[str, ...]) -> str | None:
    """Why none of the names is a template of the app, or None when one is (or when the
    index cannot tell)."""
    answers = [index.template_exists(name) for name in names]
    if any(answer is not False for answer in answers):
        return None
    listed = ", ".join(f"`{name}`" for name in names)
    what = f"no template folder of the app holds {listed}"
    if len(names) > 1:
        what = f"no template folder of the app holds any of {listed}"
    similar = index.similar_template(names[0])
    hint = f" (did you mean `{similar}`?)" if similar else ""
    return f"{what}{hint}: Quart raises TemplateNotFound when this renders"


class TemplateNotFound(PythonRule):
    code = "STK601"
    languages = (PYTHON, TEMPLATE)
    name = "template-not-found"
    requires = ("render_template", "stream_template")
    needs_project = True
    summary = (
        "A constant template name (`render_template`, `{% extends %}`, `{% include %}`, "
        "`{% import %}`) that no template folder of the app holds."
    )
    why = (
        "Quart looks a template up only when the page is rendered: a renamed or mistyped "
        "template passes every import and every test that does not request that page, then "
        "raises `TemplateNotFound` (a 500) for the user who does. stk-lint knows the app's "
        "template folders (the app's `templates/`, each blueprint's `template_folder=`, and "
        "the templates an installed extension such as quart-security ships, "
        "`security/*.html`), so it can say so before the page is requested."
    )
    bad = """\
        from quart import Blueprint, render_template

        bp = Blueprint("things", __name__, template_folder="templates")


        @bp.get("/things/")
        async def things_page():
            return await render_template("things/indx.html")
        """
    good = """\
        from quart import Blueprint, render_template

        bp = Blueprint("things", __name__, template_folder="templates")


        @bp.get("/things/")
        async def things_page():
            return await render_template("things/index.html")
        """
    limits = (
        "Only names written as constants are checked: a name built at run time "
        '(`f"{kind}/index.html"`, a variable) is not, nor `{% include ... ignore missing %}`. '
        "The rule stays silent when it cannot know every template folder: no "
        "`Quart(__name__)` app in the project, a `template_folder` or `root_path` computed at "
        "run time, a Jinja loader of the app's own (`jinja_loader`, `ChoiceLoader`...), or a "
        "subclass of `Quart`/`Blueprint`. Installed extensions are read when their package is "
        "named `quart_*` or `flask_*` and imported by the project; another package that "
        "registers a blueprint with templates is not seen. A template outside the app's "
        "template folders (an e-mail rendered by a Jinja environment of its own) is not "
        "checked. The app is looked for under the import root of the "
        "checked file; a folder of plain modules such as `tests/` belongs to the app package "
        "beside it."
    )
    example_path = "stk/views.py"
    example_files = EXAMPLE_APP
    valid = (
        # quart-security's own template, rendered from its package
        'from quart import render_template\n\nasync def f():\n    return await render_template("security/login_user.html")\n',
        # a blueprint's template_folder
        'from quart import render_template\n\nasync def f():\n    return await render_template("things/form.html")\n',
        # a list: the first one found is rendered
        'from quart import render_template\n\nasync def f():\n    return await render_template(["things/custom.html", "things/index.html"])\n',
        # built at run time: not checked
        'from quart import render_template\n\nasync def f(kind):\n    return await render_template(f"{kind}/index.html")\n',
        # another render_template than Quart's
        'from stk.mail import render_template\n\nasync def f():\n    return await render_template("mail/welcome.txt")\n',
    )
    invalid = (
        'import quart\n\nasync def f():\n    return await quart.render_template("thing/index.html")\n',
        'from quart import stream_template\n\nasync def f():\n    return await stream_template(["a.html", "b.html"])\n',
    )

    def visit_Call(self, node: cst.Call) -> None:
        if not node.args or self.context.qualified(node.func) not in RENDERERS:
            return
        index = app_index.of(self.context.project, self.context.path)
        if index is None:
            return
        argument = node.args[0]
        if argument.keyword is not None and argument.keyword.value != "template_name_or_list":
            return
        names = template_names(argument.value)
        if names is None:
            return
        message = missing_message(index, names)
        if message is not None:
            self.report(argument.value, message)

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        index = app_index.of(context.project, context.path)
        if index is None or index.template_name_of(context.path) is None:
            return
        from stk_lint.templates.references import template_references

        for reference in template_references(context):
            message = missing_message(index, reference.names)
            if message is not None:
                tag = f"{{% {reference.kind} %}}"
                context.report(cls, reference.start, reference.end, f"{tag}: {message}")
