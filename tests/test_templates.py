"""Template rules on realistic stk pages: clean pages stay clean, broken ones fire exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stk_lint.testing import apply_fixes, lint, where

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
CRUD = "app/templates/things/index.html"
ROLES = "app/templates/roles/index.html"
LOGIN = "app/templates/security/login_user.html"
WAN = "app/templates/security/wan_register.html"
NAVIGATION = "app/static/js/navigation.js"


def fixture(relative: str) -> str:
    return (FIXTURES / relative).read_text(encoding="utf-8")


def all_fixture_files() -> list[str]:
    return sorted(
        p.relative_to(FIXTURES).as_posix()
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.suffix in (".html", ".js")
    )


@pytest.mark.parametrize("relative", all_fixture_files())
def test_realistic_pages_are_clean(relative):
    assert lint(fixture(relative), relative) == []


def test_the_skill_crud_page_broken_in_every_way():
    page = fixture(CRUD)
    broken = (
        page.replace("${ item.name }", "{{ item.name }}")
        .replace("${snackMessage}", "{{ snackMessage }}")
        .replace("ti ti-pencil", "mdi-pencil")
        .replace(
            'icon="ti ti-x" variant="text"></v-btn>\n      </template>',
            'icon="mdi-close" variant="text"></v-btn>\n      </template>',
        )
        .replace("ti ti-trash", "ti ti-delete")
        .replace("    delimiters: config.delimiters,\n", "")
    )
    findings = lint(broken, CRUD)
    assert where(findings) == [
        (24, 41, "STK401"),
        (27, 60, "STK501"),
        (28, 52, "STK502"),
        (38, 58, "STK501"),
        (51, 3, "STK401"),
        (62, 16, "STK402"),
    ]
    by_code = {f.line: f for f in findings}
    assert "`${ item.name }`" in by_code[24].message
    assert (by_code[24].end_line, by_code[24].end_column) == (24, 56)
    assert "`ti ti-pencil`" in by_code[27].message
    assert "did you mean `ti-trash`" in by_code[28].message
    fixed = apply_fixes(broken, findings)
    assert '<a :href="`/things/${item.id}`">${ item.name }</a>' in fixed
    assert "${ snackMessage }" in fixed
    assert '@click="editItem(item)">ti ti-pencil</v-icon>' in fixed
    assert 'icon="ti ti-x" variant="text"></v-btn>\n      </template>\n    </v-toolbar>' in fixed


def test_login_page_vue_state_in_jinja_output():
    page = fixture(LOGIN)
    broken = page.replace(
        '{{ _("Sign in") }}\n      </v-btn>', "${ method }{{ method }}\n      </v-btn>"
    )
    findings = lint(broken, LOGIN, select=["STK401"])
    assert where(findings) == [(18, 20, "STK401")]
    # The loop variable `value` and `message` from get_flashed_messages stay Jinja's,
    # though the page's data() also has `message`.
    assert "{{ message }}" in page and "{{ value }}" in page


def test_json_script_and_tojson_are_server_side():
    page = fixture(ROLES)
    assert "{{ roles|tojson|safe }}" in page  # `roles` is also a data() key
    assert lint(page, ROLES, select=["STK401"]) == []
    broken = page.replace("${ role.users.length }", "{{ role.users.length }}")
    assert where(lint(broken, ROLES, select=["STK401"])) == [(8, 30, "STK401")]


PROJECT_EDIT = (
    '{% extends "layout.html" %}\n'
    "{% block content %}\n"
    '<div id="project-app">\n'
    "  <h1>{{ project_name }}</h1>\n"
    '  <p class="text-medium-emphasis">{{ owner.email }} · {{ summary }}</p>\n'
    '  <v-text-field v-model="project_name" label="Name"></v-text-field>\n'
    '  <v-list><v-list-item v-for="owner in members">{{ owner.email }}</v-list-item></v-list>\n'
    "</div>\n"
    "{% endblock %}\n"
    "{% block js %}\n"
    "<script>\n"
    "const app = Vue.createApp({\n"
    "  delimiters: config.delimiters,\n"
    "  data() {\n"
    "    return {\n"
    "      project_name: '{{ project_name }}',\n"
    "      owner: {{ owner|tojson }},\n"
    "      summary: '{{ project.summary }}',\n"
    "      members: [],\n"
    "    };\n"
    "  },\n"
    "});\n"
    'app.use(Vuetify.createVuetify()).mount("#project-app");\n'
    "</script>\n"
    "{% endblock %}\n"
)


def test_state_seeded_from_the_same_jinja_expression_is_not_a_finding():
    """`project_name: '{{ project_name }}'` in data() and `{{ project_name }}` in the
    markup render one server value (so does `owner: {{ owner|tojson }}` and
    `{{ owner.email }}`). `{{ summary }}` reads a different server name than the one
    `summary` was seeded from, and a `v-for` variable is never a server value: both stay."""
    findings = lint(PROJECT_EDIT, "stk/templates/projects/edit.html", select=["STK401"])
    assert [(f.line, f.message.split(" is rendered")[0]) for f in findings] == [
        (5, "`{{ summary }}`"),
        (7, "`{{ owner.email }}`"),
    ]
    unseeded = PROJECT_EDIT.replace("project_name: '{{ project_name }}'", "project_name: ''")
    assert (4, 7, "STK401") in where(
        lint(unseeded, "stk/templates/projects/edit.html", select=["STK401"])
    )


def test_attribute_use_is_bound_by_the_fix():
    page = fixture(ROLES).replace(':title="role.name"', 'title="{{ role.name }}"')
    [finding] = lint(page, ROLES, select=["STK401"])
    assert (finding.line, finding.column) == (6, 62)
    assert ':title="role.name"' in finding.message
    assert apply_fixes(page, [finding]) == fixture(ROLES)


# --- STK401 scopes ----------------------------------------------------------------------

SCRIPT = (
    "{% block js %}<script>\nVue.createApp({ delimiters: config.delimiters,\n"
    "  data() { return { items: [], value: 1, q: '' }; },\n"
    "  methods: { edit(x) {} }, computed: { total() { return 0; } }, props: ['owner'] });\n"
    "</script>{% endblock %}\n"
)


@pytest.mark.parametrize(
    "markup",
    [
        "{% for value in values %}<b>{{ value }}</b>{% endfor %}",
        "{% for k, items in groups.items() %}{{ items }}{{ loop.index }}{% endfor %}",
        "{% set q = request.args.q %}<b>{{ q }}</b>",
        "{% with total = 3 %}{{ total }}{% endwith %}",
        "{% macro row(items) %}{{ items }}{% endmacro %}",
        '{% import "forms.html" as owner %}{{ owner.field() }}',
        '{% from "forms.html" import edit %}{{ edit("x") }}',
        "{% call(value) grid() %}{{ value }}{% endcall %}",
        "<b>{{ items | length }}</b>",
        "<b>{{ unknown_server_value }}</b>",
        "<b>{{ config.APP_NAME }} {{ request.path }}</b>",
        "<!-- {{ items }} -->",
        '<script type="application/json">{{ items }}</script>',
        "<script>const x = {{ items }};</script>",
        # Literal text: braces in a raw block that read no Vue state, and a `v-pre` element.
        "{% raw %}<b>{{ anything }}</b>{% endraw %}",
        "<pre v-pre>{{ items }} {% raw %}{{ items }}{% endraw %}</pre>",
    ],
)
def test_jinja_bound_and_server_values_stay_clean(markup):
    assert lint(markup + "\n" + SCRIPT, "app/templates/x.html", select=["STK401"]) == []


@pytest.mark.parametrize(
    ("markup", "column"),
    [
        ("<b>{{ items.length }}</b>", 4),
        ("<b>{{ edit(1) }}</b>", 4),
        ("<b>{{ total }}</b>", 4),
        ("<b>{{ owner.name }}</b>", 4),
        ("{% for v in vs %}{% endfor %}<b>{{ value }}</b>", 33),
        ("{% macro m(x) %}{% endmacro %}{{ q }}", 31),
        ("<b>{{ 'x' if value else 'y' }}</b>", 4),
        ('<i v-for="(row, i) in items">{{ row.name }}{{ i }}</i>', 30),
        ("{% raw %}<b>{{ items.length }}</b>{% endraw %}", 13),
    ],
)
def test_vue_state_in_jinja_output_fires(markup, column):
    findings = lint(markup + "\n" + SCRIPT, "app/templates/x.html", select=["STK401"])
    assert findings and findings[0].line == 1 and findings[0].column == column


def test_v_for_binding_ends_with_its_element():
    markup = '<ul><li v-for="row in rows">${ row }</li></ul><p>{{ row }}</p>\n'
    assert lint(markup, "app/templates/x.html", select=["STK401"]) == []
    inside = '<ul><li v-for="row in rows"><p>{{ row }}</p></li></ul>\n'
    assert where(lint(inside, "app/templates/x.html", select=["STK401"])) == [(1, 32, "STK401")]


def test_slot_props_destructured_and_renamed():
    markup = (
        '<v-data-table><template #item.name="{ item: row, index = 0 }">'
        "{{ row.id }}{{ item }}{{ index }}</template></v-data-table>\n"
    )
    findings = lint(markup, "app/templates/x.html", select=["STK401"])
    assert [f.message.split("`")[1] for f in findings] == ["{{ row.id }}", "{{ index }}"]


def test_whitespace_control_gets_no_fix():
    [finding] = lint("<b>{{- items -}}</b>\n" + SCRIPT, "app/templates/x.html", select=["STK401"])
    assert finding.fix is None


def test_fix_turns_output_into_vue_interpolation():
    source = "<p>\n  {{ items.length }} things, {{ edit(1) }}\n</p>\n" + SCRIPT
    findings = lint(source, "app/templates/x.html", select=["STK401"])
    assert len(findings) == 2
    assert apply_fixes(source, findings).startswith(
        "<p>\n  ${ items.length } things, ${ edit(1) }\n</p>"
    )


def test_template_option_strings_in_a_page():
    source = (
        "<script>\napp.component('thing-row', {\n  props: ['thing'], delimiters: config.delimiters,\n"
        "  template: '<tr><td>{{ thing.name }}</td><td>{{ site_name }}</td></tr>',\n});\n"
        "const t = `{{ thing.name }}`;\n</script>\n"
    )
    findings = lint(source, "app/templates/x.html", select=["STK401"])
    assert where(findings) == [(4, 22, "STK401")]
    assert apply_fixes(source, findings).count("${ thing.name }") == 1


def test_template_option_strings_in_a_js_file():
    source = (
        "app.component('thing-row', {\n  delimiters: config.delimiters,\n  props: ['thing'],\n"
        "  template: '<tr><td>{{ thing.name }}</td></tr>',\n});\n"
        "app.component('plain', { template: '<b>{{ thing }}</b>' });\n"
        "app.component('ticks', { delimiters: ['${', '}'], template: `<b>{{ x }}</b>` });\n"
    )
    findings = lint(source, "app/static/js/components.js", select=["STK401"])
    assert where(findings) == [(4, 22, "STK401"), (7, 65, "STK401")]
    assert findings[0].fix is not None and findings[1].fix is not None
    # A template literal gets `\${ }`: a bare `${ x }` would be JavaScript's interpolation.
    assert "<b>\\${ x }</b>" in apply_fixes(source, findings)


def test_suppression_comments():
    source = (
        "{# stk-lint: ignore[STK401] #}\n<b>{{ items }}</b>\n"
        "<b>{{ items }}</b>{# stk-lint: ignore[STK401] #}\n"
        "<b>{{ items }}</b>{# stk-lint: ignore[STK501] #}\n" + SCRIPT
    )
    assert where(lint(source, "app/templates/x.html", select=["STK401"])) == [(4, 4, "STK401")]
    js = "const nav = [\n  // stk-lint: ignore[STK501]\n  { icon: 'mdi-home' },\n  { icon: 'mdi-account' },\n];\n"
    assert where(lint(js, NAVIGATION, select=["STK501"])) == [(4, 12, "STK501")]
    page = "<script>\nconst a = 'mdi-home'; // stk-lint: ignore[STK501]\nconst b = 'mdi-home';\n</script>\n"
    assert where(lint(page, "app/templates/x.html", select=["STK501"])) == [(3, 12, "STK501")]


# --- robustness -------------------------------------------------------------------------


def test_invalid_html_does_not_drift_positions():
    source = (
        '<div class="a" {% if wide %}style="width:100%"{% endif %} title="{{ "x>y" }}">\n'
        "<p>unclosed <span>also unclosed\n"
        "</section></div></div>\n"
        "<img src=\"{{ url_for('static', filename='a.png') }}\" alt='it\"s'>\n"
        '<input value="{{ x }}" {{ "disabled" if locked }}>\n'
        '<v-btn icon="mdi-close" title="unterminated>\n'
        "<i class='ti ti-nope'></i>\n"
        "<v-icon>ti ti-pencil</v-icon><br/><v-icon>mdi-pencil</v-icon>\n"
    )
    findings = lint(source, "app/templates/x.html")
    assert where(findings) == [(6, 14, "STK501"), (7, 14, "STK502"), (8, 43, "STK501")]


def test_crlf_files_keep_columns_and_offsets():
    source = "<p>\r\n  <b>{{ items }}</b>\r\n</p>\r\n" + SCRIPT.replace("\n", "\r\n")
    [finding] = lint(source, "app/templates/x.html", select=["STK401"])
    assert (finding.line, finding.column, finding.end_column) == (2, 6, 17)
    fixed = apply_fixes(source, [finding])
    assert fixed.startswith("<p>\r\n  <b>${ items }</b>\r\n")


def test_non_ascii_text_keeps_offsets():
    source = (
        "<p>Ünïcödé — ✓ {{ items }}</p>\n<script>\nconst s = 'é';\n"
        "Vue.createApp({ delimiters: config.delimiters, data() { return { items: [] }; } });\n"
        "const i = 'mdi-home';\n</script>\n"
    )
    findings = lint(source, "app/templates/x.html")
    assert where(findings) == [(1, 16, "STK401"), (5, 12, "STK501")]
    assert apply_fixes(source, findings).count("ti ti-home") == 1


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("<p>\n  {% if x %}\n<b></b>\n", 2, 3),
        ("<p>\n   {{ user.name }\n</p>\n", 2, 4),
        ("{% endblock %}\n", 1, 1),
        ("<p>{{ x | }}</p>\n", 1, 1),
    ],
)
def test_template_syntax_error_position(source, line, column):
    findings = lint(source, "app/templates/x.html", select=["STK002"])
    assert where(findings) == [(line, column, "STK002")]


def test_syntax_error_does_not_stop_other_rules():
    source = "{% if x %}\n<v-icon>mdi-pencil</v-icon>\n"
    assert where(lint(source, "app/templates/x.html")) == [(1, 1, "STK002"), (2, 9, "STK501")]


def test_python_only_runs_do_not_import_jinja_or_tree_sitter():
    code = (
        "import sys\nfrom stk_lint.testing import apply_fixes, lint, where\n"
        "lint('from quart import g\\n', 'app/views.py')\n"
        "print(sorted(m for m in ('jinja2', 'tree_sitter') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_plain_html_outside_template_folders_is_not_jinja():
    source = "<div id='app'>{{ message }}\n{% broken\n<v-icon>mdi-pencil</v-icon></div>\n" + SCRIPT
    assert [f.code for f in lint(source, "app/static/demo/index.html")] == ["STK501"]
    assert {f.code for f in lint(source, "app/templates/demo.html")} >= {"STK002"}
    assert [f.code for f in lint("{% if %}\n", "emails/welcome.j2", select=["STK002"])] == [
        "STK002"
    ]
    custom = lint(source, "app/pages/demo.html", options={"template-folders": ["pages"]})
    assert "STK002" in [f.code for f in custom]


def test_vendored_javascript_is_skipped():
    library = (
        "/**\n * vuetify v3.5.0\n * @license MIT\n */\nconst aliases = { edit: 'mdi-pencil' };\n"
    )
    assert lint(library, "app/static/js/vuetify.js") == []
    assert lint("const a = 'mdi-pencil';\n", "app/static/vendor/icons.js") == []
    assert [
        f.code for f in lint("/* nav */\nconst a = 'mdi-pencil';\n", "app/static/js/nav.js")
    ] == ["STK501"]


def test_head_blocks_are_outside_the_vue_app():
    source = (
        '{% extends "layout.html" %}\n{% block title %}{{ items | length }} - {{ items }}{% endblock %}\n'
        "{% block content %}<b>{{ items }}</b>{% endblock %}\n" + SCRIPT
    )
    assert where(lint(source, "app/templates/x.html", select=["STK401"])) == [(3, 23, "STK401")]
