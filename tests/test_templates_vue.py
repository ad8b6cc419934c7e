"""STK402 (vue-app-delimiters), STK403 (vue-composition-api), Vue state and robustness."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stk_lint.templates import jinja, js
from stk_lint.testing import lint, where

PAGE = "app/templates/things/index.html"


def script(body: str) -> str:
    return "{% block js %}\n<script>\n" + body + "</script>\n{% endblock %}\n"


def test_missing_delimiters_points_at_create_app():
    source = script("  window.app = Vue.createApp({\n    data() { return {}; },\n  });\n")
    [finding] = lint(source, PAGE, select=["STK402"])
    assert (finding.line, finding.column, finding.end_column) == (3, 16, 29)


def test_jinja_delimiters_point_at_the_value():
    source = script('  createApp({ delimiters: ["{{", "}}"] });\n')
    [finding] = lint(source, PAGE, select=["STK402"])
    assert (finding.line, finding.column) == (3, 27)
    assert "config.delimiters" in finding.message


@pytest.mark.parametrize(
    "body",
    [
        "const options = {...base, data() { return {}; }};\nVue.createApp(options);\n",
        "Vue.createApp(App);\n",  # defined in another file: not judged
        "const app = Vue.createApp({ render() { return null; } });\n",
        "const note = 'call createApp({}) later';\n",
    ],
)
def test_delimiters_not_judged(body):
    assert lint(script(body), PAGE, select=["STK402"]) == []


def test_js_file_apps():
    with_template = "Vue.createApp({ template: '<b>{{ n }}</b>', data() { return { n: 1 }; } });\n"
    assert lint(with_template, "app/static/js/widget.js", select=["STK402"]) == []
    mounted_on_page = "Vue.createApp({ data() { return { n: 1 }; } }).mount('#app');\n"
    assert where(lint(mounted_on_page, "app/static/js/widget.js", select=["STK402"])) == [
        (1, 1, "STK402")
    ]


def test_a_static_js_file_is_not_said_to_be_rendered_by_jinja():
    """Jinja renders the page a static .js app mounts on, never the .js file itself."""
    app = (
        "// things page\n"
        "const app = Vue.createApp({\n"
        "  data() { return { things: [], loading: false }; },\n"
        "});\n"
        "app.use(Vuetify.createVuetify()).mount('#things-app');\n"
    )
    [missing] = lint(app, "stk/static/js/things.js", select=["STK402"])
    assert missing.message == (
        "`createApp` options without `delimiters: config.delimiters`: Vue will read `{{ }}` "
        "in the page it mounts on, where Jinja renders them on the server first, and show "
        "`${ }` as text"
    )
    braces = app.replace("  data()", "  delimiters: ['{{', '}}'],\n  data()")
    [jinja_braces] = lint(braces, "stk/static/js/things.js", select=["STK402"])
    assert "Jinja renders them first in the page the app mounts on" in jinja_braces.message
    [in_page] = lint(script(app), PAGE, select=["STK402"])
    assert "which Jinja has already rendered" in in_page.message


def test_composition_api_positions():
    source = "<script setup>\nconst a = 1;\n</script>\n" + script(
        "  const { createApp, ref, onMounted: whenMounted } = Vue;\n"
        "  createApp({\n"
        "    delimiters: config.delimiters,\n"
        "    setup() {\n"
        "      const count = ref(0);\n"
        "      whenMounted(() => {});\n"
        "      const more = Vue.reactive({});\n"
        "      return { count, more };\n"
        "    },\n"
        "    computed: { double() { return 2; } },\n"
        "  });\n"
    )
    findings = lint(source, PAGE, select=["STK403"])
    assert where(findings) == [
        (1, 9, "STK403"),
        (9, 5, "STK403"),
        (10, 21, "STK403"),
        (11, 7, "STK403"),
        (12, 20, "STK403"),
    ]


def test_options_api_components_are_clean():
    source = (
        "app.component('thing-card', {\n"
        "  delimiters: config.delimiters,\n"
        "  props: { thing: Object },\n"
        "  emits: ['saved'],\n"
        "  data: () => ({ editing: false }),\n"
        "  computed: { title() { return this.thing.name; } },\n"
        "  watch: { thing() { this.editing = false; } },\n"
        "  mounted() { this.$nextTick(() => {}); },\n"
        "  template: '<v-card :title=\"title\">${ thing.id }</v-card>',\n"
        "});\n"
    )
    assert lint(source, "app/static/js/components.js") == []


def test_vue_state_of_every_options_form():
    facts = js.parse(
        "const { createApp } = Vue;\n"
        "createApp({\n"
        "  data: function () { const x = () => { return { nested: 1 }; }; return { a: 1, 'b': 2 }; },\n"
        "  methods: { go() {}, stop: () => {} },\n"
        "  computed: { total() { return 1; }, shown: { get() {}, set(v) {} } },\n"
        "  props: ['owner', 'mode'],\n"
        "  inject: ['api'],\n"
        "});\n"
        "app.component('x', { props: { thing: Object }, data() { if (1) { return { c: 3 }; } return { d: 4 }; } });\n"
    )
    assert facts.vue_state() == {
        "a",
        "b",
        "go",
        "stop",
        "total",
        "shown",
        "owner",
        "mode",
        "api",
        "thing",
        "c",
        "d",
    }


def test_trans_blocks_do_not_shift_scopes():
    scan = jinja.scan(
        "{% trans user=u %}Hi {{ user }}{% endtrans %} {% for item in xs %}{{ item }}{% endfor %}"
        " {{ item }}\n"
    )
    assert [(o.names, "item" in o.bound) for o in scan.outputs] == [
        (None, False),
        (("item",), True),
        (("item",), False),
    ]


# --- never a traceback ------------------------------------------------------------------

FRAGMENTS = [
    "<",
    ">",
    "</",
    "/>",
    "<div",
    "<v-icon>",
    "</v-icon>",
    "<script>",
    "</script>",
    '<script type="application/json">',
    '<template #item="{ item }">',
    "</template>",
    '<li v-for="(x, i) in xs">',
    "</li>",
    ' class="',
    ' icon="',
    '"',
    "'",
    "`",
    "=",
    "{{",
    "}}",
    "{{ item.name }}",
    "{{ x | tojson }}",
    "{%",
    "%}",
    "{% for x in xs %}",
    "{% endfor %}",
    "{% if a %}",
    "{% endif %}",
    "{% raw %}",
    "{% endraw %}",
    "{#",
    "#}",
    "{# stk-lint: ignore[STK401] #}",
    "mdi-pencil",
    "mdi mdi-home",
    "ti ti-x",
    "ti ti-nope",
    "ti-",
    "createApp({",
    "delimiters: config.delimiters,",
    "data() { return { item: 1 }; }",
    "setup() {}",
    "})",
    "${ x }",
    "<!--",
    "-->",
    "\n",
    "\r\n",
    " ",
    "é",
    "✓",
    "\\",
    "/*",
    "*/",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_any_template_gives_findings_inside_the_file(pieces):
    source = "".join(pieces)
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for path in ("app/templates/x.html", "app/static/js/x.js"):
        for finding in lint(source, path):
            assert 1 <= finding.line <= finding.end_line <= len(lines)
            assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1
            if finding.fix:
                for edit in finding.fix.edits:
                    assert 0 <= edit.start <= edit.end <= len(source)


@pytest.mark.parametrize(
    "expression",
    [
        "item.name",
        "item['name'].length",
        "format(item.created, 'short')",
        "item.count == 0",
        "item.a != item.b",
        "item.price + 1 - discount",
        "item.count >= 10",
        "-item.delta",
        "[item.a, item.b]",
        "true",
    ],
)
def test_expressions_javascript_reads_the_same(expression):
    assert jinja.scan(f"{{{{ {expression} }}}}").outputs[0].javascript


@pytest.mark.parametrize(
    "expression",
    [
        'item.name if item.name else "-"',
        'item.first ~ " " ~ item.last',
        "not item.ok",
        "item.a and item.b",
        "item.tags is defined",
        "item.created | date",
        "item.value is none",
        "True",
        "item.0",
        "items[1:3]",
        "f(a=1)",
        "f(*args)",
        "a < b < c",
        "(a, b)",
        "item.n * 2",
        "item.n // 2",
        "'a' 'b'",
        "a in b",
        "{'a': 1}",
    ],
)
def test_jinja_only_expressions_are_not_javascript(expression):
    assert not jinja.scan(f"{{{{ {expression} }}}}").outputs[0].javascript


def test_plain_html_outside_template_folders_keeps_vue_braces():
    # Nothing renders static/demo/index.html before Vue: `{{ message }}` reaches Vue.
    source = (
        '<div id="app">{{ message }}</div>\n<script>\n'
        'Vue.createApp({ data() { return { message: "hi" }; } }).mount("#app");\n</script>\n'
    )
    assert lint(source, "app/static/demo/index.html", select=["STK402"]) == []
    assert where(lint(source, "app/templates/demo.html", select=["STK402"])) == [(3, 1, "STK402")]


def test_create_app_taken_under_another_name_is_checked():
    source = (
        "const { createApp: makeApp, ref: makeRef } = Vue;\n"
        "makeApp({ data() { return {}; } }).mount('#app');\n"
        "const n = makeRef(0);\n"
    )
    assert where(lint(source, "app/static/js/page.js", select=["STK402", "STK403"])) == [
        (2, 1, "STK402"),
        (3, 11, "STK403"),
    ]
    imported = 'import { createApp as mk } from "vue";\nmk({ data() { return {}; } });\n'
    assert where(lint(imported, "app/static/js/page.js", select=["STK402"])) == [(2, 1, "STK402")]


def test_delimiters_assigned_to_the_options_object_count():
    source = (
        "const App = { data() { return { items: [] }; } };\n"
        "App.delimiters = config.delimiters;\n"
        "Vue.createApp(App).mount('#app');\n"
    )
    assert lint(source, "app/static/js/page.js", select=["STK402"]) == []
    jinja_braces = source.replace("config.delimiters", "['{{', '}}']")
    assert where(lint(jinja_braces, "app/static/js/page.js", select=["STK402"])) == [
        (2, 18, "STK402")
    ]
    elsewhere = source.replace("App.delimiters", "Other.delimiters")
    assert where(lint(elsewhere, "app/static/js/page.js", select=["STK402"])) == [(3, 1, "STK402")]


def test_a_local_named_like_a_composition_function_is_not_vue_s():
    source = script(
        "const { createApp, ref, computed } = Vue;\n"
        "function cell(ref) { return ref(1); }\n"
        "const pick = ({ key: ref }) => ref(2);\n"
        "function total() { const computed = (x) => x; return computed(3); }\n"
        "try { load(); } catch (ref) { ref(4); }\n"
        "const late = (x = ref(5)) => x;\n"
        "const count = ref(0);\n"
    )
    assert where(lint(source, PAGE, select=["STK403"])) == [(8, 19, "STK403"), (9, 15, "STK403")]


COMPONENTS = (
    '{% extends "layout.html" %}\n{% block js %}\n'
    '<template id="row-tpl"><v-list-item>${ item.name }</v-list-item></template>\n'
    '<template id="plain-tpl"><v-list-item :title="item.name"></v-list-item></template>\n'
    "<script>\n"
    "const app = Vue.createApp({ delimiters: config.delimiters });\n"
    "app.component('row-item', { props: ['item'], template: '#row-tpl' });\n"
    "app.component('count-badge', { props: ['n'], template: '<v-badge>${ n }</v-badge>' });\n"
    "app.component('tick-badge', { props: ['n'], template: `<b>\\${ n }</b>` });\n"
    "app.component('js-badge', { props: ['n'], template: `<b>${ label }</b>` });\n"
    "app.component('plain-row', { props: ['item'], template: '#plain-tpl' });\n"
    "app.component('own-row', { props: ['item'], delimiters: config.delimiters,"
    " template: '#row-tpl' });\n"
    "app.mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_components_with_dollar_templates_need_their_own_delimiters():
    # Vue 3 reads `delimiters` from each component's own options: these components show
    # `${ item.name }` as text. A bare `${` in a template literal is JavaScript's.
    findings = lint(COMPONENTS, PAGE, select=["STK402"])
    assert where(findings) == [(7, 46, "STK402"), (8, 46, "STK402"), (9, 45, "STK402")]
    assert "shows `${ item.name }` as text" in findings[0].message
    assert "add `delimiters: config.delimiters`" in findings[0].message
    configured = COMPONENTS.replace(
        "app.mount('#app');", "app.config.compilerOptions.delimiters = ['${', '}'];"
    )
    assert lint(configured, PAGE, select=["STK402"]) == []


def test_components_in_js_files_are_checked_on_their_inline_templates():
    source = COMPONENTS.split("<script>\n")[1].split("</script>")[0]
    # The `#row-tpl` element is in some page, not in this file: not judged.
    assert where(lint(source, "app/static/js/rows.js", select=["STK402"])) == [
        (3, 46, "STK402"),
        (4, 45, "STK402"),
    ]
