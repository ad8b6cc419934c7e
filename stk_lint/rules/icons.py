"""Icon rules: Material Design Icons where stk ships Tabler, and unknown Tabler names.

Both rules look at templates (class and `*-icon` attributes, `<v-icon>` text, page
scripts, Jinja expressions), `.js` files (string literals) and Python string
literals (navigation definitions passed to templates), so they are Python rules
that also define the template and JS hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from stk_lint.findings import NodeFix
from stk_lint.python_rule import PythonRule
from stk_lint.rule import JS, PYTHON, TEMPLATE, Invalid
from stk_lint.rules._examples import page
from stk_lint.templates.icons import (
    MDI_FONT,
    class_list_tabler_uses,
    mdi_fix,
    mdi_message,
    mdi_to_tabler,
    mdi_uses,
    names_icons,
    tabler_names,
    tabler_uses,
    unknown_tabler_message,
)

if TYPE_CHECKING:
    from stk_lint.python_rule import PythonContext
    from stk_lint.templates.context import JsContext, TemplateContext

_FONT_MESSAGE = (
    "loads the Material Design Icons font; stk ships Tabler Icons "
    "(`static/icons/tabler-icons.min.css`, `ti ti-NAME`)"
)


class _StringVisitor(PythonRule):
    """Visits Python string literals that are not docstrings."""

    def __init__(self, context: PythonContext) -> None:
        super().__init__(context)
        self._docstrings: set[int] = set()

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.SimpleString):
            self._docstrings.add(id(node.value))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self._docstrings or "b" in node.prefix.lower():
            return
        self.check_string(node)

    def check_string(self, node: cst.SimpleString) -> None:
        raise NotImplementedError


class MdiIcon(_StringVisitor):
    code = "STK501"
    languages = (PYTHON, TEMPLATE, JS)
    name = "mdi-icon"
    requires = ("mdi", "materialdesignicons")  # Python files without them are not parsed
    summary = "A Material Design Icon (`mdi-*`) or the MDI font, where stk ships Tabler Icons."
    why = (
        "stk loads the Tabler Icons webfont and configures Vuetify to render icon names as "
        'CSS classes (`icon="ti ti-x"`). The Material Design Icons font is not shipped, so '
        "`mdi-pencil` renders as an empty box, with no error anywhere. The finding names the "
        "Tabler equivalent when stk-lint knows it (and the fix swaps it in)."
    )
    example_path = "app/templates/things/index.html"
    bad = page("""\
        <v-btn icon="mdi-close" variant="text"></v-btn>
        <v-icon size="small" @click="editItem(item)">mdi-pencil</v-icon>
        """)
    good = page("""\
        <v-btn icon="ti ti-x" variant="text"></v-btn>
        <v-icon size="small" @click="editItem(item)">ti ti-pencil</v-icon>
        """)
    fix = "safe"
    valid = (
        page("""\
            <i class="ti ti-plus"></i>
            <a href="/docs/mdi-migration">Icons</a>
            """),
        page("<p>Use mdi-pencil in text is prose, not an icon</p>\n"),
        page('<img src="/static/img/mdi-logo.png">\n'),
        "<script>\nconst hint = 'Replace mdi-home with ti-home';\n</script>\n",
    )
    invalid = (
        page('<i class="mdi mdi-account"></i>\n'),
        page('<v-list-item prepend-icon="mdi-home"></v-list-item>\n'),
        page("<v-btn :icon=\"open ? 'mdi-chevron-up' : 'mdi-chevron-down'\"></v-btn>\n"),
        '{% block css %}<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@mdi/font'
        '@7/css/materialdesignicons.min.css">{% endblock %}\n',
        "{% block css %}<style>@import url('https://cdn.jsdelivr.net/npm/@mdi/font/css/"
        "materialdesignicons.min.css');</style>{% endblock %}\n",
        page("<v-icon v-text=\"'mdi-delete'\"></v-icon>\n"),
        Invalid(
            "<script>\nconst nav = [{ title: 'Home', icon: 'mdi-home', to: '/' }];\n</script>\n",
            expected_fix=(
                "<script>\nconst nav = [{ title: 'Home', icon: 'ti ti-home', to: '/' }];\n</script>\n"
            ),
        ),
        "<script>\nconst v = Vuetify.createVuetify({ icons: { defaultSet: 'mdi' } });\n</script>\n",
        page("<v-icon>{% if admin %}mdi-cog{% else %}ti ti-refresh{% endif %}</v-icon>\n"),
        """\
            <script>
            app.component('cart-badge', {
              template: '<v-chip prepend-icon="mdi-cart">Cart</v-chip>',
            });
            </script>
            """,
    )
    limits = (
        "An icon name built at run time (`'mdi-' + name`) is not seen. JS and Python "
        "string literals count only when they are wholly an icon name or class list "
        "(`'mdi-home'`, `'me-2 mdi mdi-account'`); a sentence that mentions one "
        "(`'Replace mdi-home with ti-home'`), or a class list with a word class "
        "(`'mdi mdi-home active'`), is taken as prose; markup inside a JS string (a "
        "component's `template: '<v-chip prepend-icon=\"mdi-cart\">'`, HTML for "
        "`innerHTML`) is read as markup: its class and `*-icon` attributes and `<v-icon>` "
        "text, not its prose. Jinja tags in `<v-icon>` text are read through "
        "(`{% if admin %}mdi-cog{% else %}ti ti-refresh{% endif %}`: both names). Python "
        "docstrings are skipped. The "
        "MDI helper classes (`mdi-spin`, `mdi-24px`, `mdi-rotate-90`, `mdi-flip-h`, "
        "`mdi-light`) name no icon: the message says what to use instead, with no fix. The "
        "Tabler suggestion covers about 240 common names; for others the message links the "
        "Tabler catalogue."
    )

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        if "mdi" not in context.text:
            return
        cls._check_texts(context)
        for start, end, value in context.stylesheet_links():
            if MDI_FONT.search(value):
                context.report(cls, start, end, f"This link {_FONT_MESSAGE}")
        for start, end, rule in context.style_imports():
            if MDI_FONT.search(rule):
                context.report(cls, start, end, f"This import {_FONT_MESSAGE}")
        if context.scripts:
            cls._check_js_config(context)

    @classmethod
    def check_js(cls, context: JsContext) -> None:
        if "mdi" not in context.source:
            return
        cls._check_texts(context)
        cls._check_js_config(context)

    @classmethod
    def _check_texts(cls, context: TemplateContext | JsContext) -> None:
        for piece in context.icon_texts():
            if "mdi" not in piece.text:
                continue
            if piece.kind != "string" or names_icons(piece.text):
                for use in mdi_uses(piece.text, piece.start):
                    context.report(cls, use.start, use.end, mdi_message(use.name), mdi_fix(use))
            if MDI_FONT.search(piece.text):
                context.report(
                    cls, piece.start, piece.start + len(piece.text), f"This import {_FONT_MESSAGE}"
                )

    @classmethod
    def _check_js_config(cls, context: TemplateContext | JsContext) -> None:
        facts = context.js
        for pair in facts.pairs:
            key = pair.child_by_field_name("key")
            value = pair.child_by_field_name("value")
            if key is None or value is None or facts.node_text(key) != "defaultSet":
                continue
            if facts.node_text(value).strip("'\"`") == "mdi":
                context.report(
                    cls,
                    value.start_byte,
                    value.end_byte,
                    "Vuetify's `defaultSet: 'mdi'` renders Material Design Icons, which stk "
                    "does not load; keep stk's Vuetify config (`config.vuetifyConfig`)",
                )

    def check_string(self, node: cst.SimpleString) -> None:
        raw = node.value
        if "mdi" not in raw:
            return
        for use in mdi_uses(raw) if names_icons(node.raw_value) else ():
            tabler = mdi_to_tabler().get(use.name)
            fix = None
            if tabler is not None:
                new = raw[: use.start] + f"ti ti-{tabler}" + raw[use.end :]
                fix = NodeFix(
                    f"Replace with `ti ti-{tabler}`",
                    "safe",
                    ((node, node.with_changes(value=new)),),
                )
            self.report(node, mdi_message(use.name), fix)
        if MDI_FONT.search(raw):
            self.report(node, f"This string {_FONT_MESSAGE}")


class UnknownTablerIcon(_StringVisitor):
    code = "STK502"
    languages = (PYTHON, TEMPLATE, JS)
    requires = ("ti-",)
    name = "unknown-tabler-icon"
    summary = "A `ti ti-NAME` whose NAME is not a Tabler icon."
    why = (
        "A Tabler icon class that does not exist renders nothing: no error in the browser "
        "console, just a blank button. Names are easy to get wrong (`ti-edit` exists, "
        "`ti-pencil-edit` does not; `ti-trash` exists, `ti-delete` does not). stk-lint "
        "reads the names from the project's vendored `static/icons/tabler-icons*.css` when "
        "there is one, else from the @tabler/icons release it ships."
    )
    example_path = "app/templates/things/index.html"
    bad = page('<v-btn icon="ti ti-delete" @click="remove"></v-btn>\n')
    good = page('<v-btn icon="ti ti-trash" @click="remove"></v-btn>\n')
    valid = (
        page('<i class="ti ti-users-group me-2"></i>\n'),
        page("<v-icon>ti ti-{{ icon }}</v-icon>\n"),
        page("<v-icon :icon=\"'ti ti-' + item.icon\"></v-icon>\n"),
        page('<i class="text-ti ti-like"></i>\n'),
    )
    invalid = (
        page('<i class="me-2 ti ti-pencil-edit"></i>\n'),
        page("<v-icon>ti ti-not-an-icon</v-icon>\n"),
        page('<v-list-item prepend-icon="ti ti-2fa"></v-list-item>\n'),
        """\
            <script>
            const items = [{ title: 'Roles', icon: 'ti ti-shield-account', to: '/roles' }];
            </script>
            """,
        page("<v-icon>{% if saved %}ti ti-chek{% endif %}</v-icon>\n"),
        """\
            <script>
            app.component('save-button', {
              template: '<v-btn prepend-icon="ti ti-device-floppy-off">Save</v-btn>',
            });
            </script>
            """,
    )
    limits = (
        "Only whole names are checked: `'ti ti-' + name` and `ti ti-{{ icon }}` are built at "
        "run time. JS and Python strings count only when wholly a class list, or as markup "
        "when they hold some, and `<v-icon>` text is read through Jinja tags (see STK501). "
        "A name Tabler Icons 3 renamed (`ti-2fa`, `ti-360-view`, `ti-circle-1`) gets its new "
        "name from Tabler's alias list; another gets the closest known name, if any. "
        "The project's stylesheet is looked for in `static/icons/` of the file's folder and "
        "every folder above it up to the project root; an icon font loaded from a CDN is not "
        "read, the shipped list applies."
    )

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        if "ti-" in context.text:
            cls._check_texts(context)

    @classmethod
    def check_js(cls, context: JsContext) -> None:
        if "ti-" in context.source:
            cls._check_texts(context)

    @classmethod
    def _check_texts(cls, context: TemplateContext | JsContext) -> None:
        names = context.tabler_names
        for piece in context.icon_texts():
            if "ti-" not in piece.text or (piece.kind == "string" and not names_icons(piece.text)):
                continue
            if piece.kind == "class":
                uses = class_list_tabler_uses(piece.text, piece.start)
            else:
                uses = tabler_uses(piece.text, piece.start)
            for use in uses:
                if use.name not in names:
                    context.report(cls, use.start, use.end, unknown_tabler_message(use.name, names))

    def check_string(self, node: cst.SimpleString) -> None:
        raw = node.value
        if "ti-" not in raw or not names_icons(node.raw_value):
            return
        names = tabler_names(self.context.path, self.context.project)
        for use in tabler_uses(raw):
            if use.name not in names:
                self.report(node, unknown_tabler_message(use.name, names))
