"""Regression tests from realistic stk pages that exposed false positives and misses."""

from __future__ import annotations

from stk_lint.testing import apply_fixes, lint, where

PAGE = "app/templates/users/index.html"

APP = (
    "<script>\n"
    "const app = Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { users: [] }; } });\n"
    "app.component('user-chip', { template: '#user-chip-tpl', props: ['user'],"
    " delimiters: config.delimiters });\n"
    "app.mount('#app');\n"
    "</script>\n"
)


def test_x_template_scripts_are_vue_markup():
    # `template: '#user-chip-tpl'` reads a `<script type="text/x-template">`: Jinja
    # renders its `{{ }}` like any other markup, and its icons are icons.
    page = (
        '{% extends "layout.html" %}\n{% block js %}\n'
        '<script type="text/x-template" id="user-chip-tpl">\n'
        "  <v-chip>\n"
        "    <v-icon>mdi-account</v-icon>\n"
        '    <span v-for="role in user.roles">{{ role.name }}</span>\n'
        "    ${ user.name }\n"
        "  </v-chip>\n"
        "</script>\n" + APP + "{% endblock %}\n"
    )
    findings = lint(page, PAGE, select=["STK401", "STK501"])
    assert where(findings) == [(5, 13, "STK501"), (6, 38, "STK401")]
    fixed = apply_fixes(page, findings)
    assert "${ role.name }" in fixed and "ti ti-user" in fixed
    assert lint(fixed, PAGE, select=["STK401", "STK501"]) == []


def test_x_template_done_right_is_clean():
    page = (
        '{% extends "layout.html" %}\n{% block js %}\n'
        '<script type="text/x-template" id="user-chip-tpl">\n'
        '  <v-chip><i class="ti ti-user"></i>'
        '<span v-for="role in user.roles">${ role.name }</span>'
        "{{ _('Roles') }}</v-chip>\n"
        "</script>\n" + APP + "{% endblock %}\n"
    )
    assert lint(page, PAGE) == []


COMPONENT_WITHOUT_DELIMITERS = (
    '{% extends "layout.html" %}\n{% block js %}\n<script>\n'
    "const app = Vue.createApp({ delimiters: config.delimiters });\n"
    "app.component('user-chip', {\n"
    "  props: ['user'],\n"
    "  template: '<span>{{ user.name }}</span>',\n"
    "});\n"
    "</script>\n{% endblock %}\n"
)


def test_component_without_delimiters_gets_no_fix_to_dollar_braces():
    # The app's `delimiters` do not reach its components: `${ user.name }` would show as
    # text, so the advice names the missing option and no fix is offered.
    findings = lint(COMPONENT_WITHOUT_DELIMITERS, PAGE, select=["STK401"])
    assert where(findings) == [(7, 20, "STK401")]
    assert findings[0].fix is None
    assert "delimiters: config.delimiters" in findings[0].message


def test_raw_braces_in_a_component_on_vue_default_delimiters_are_fine():
    # `{% raw %}` is how such a component gets `{{ }}` past Jinja, and Vue reads them.
    page = COMPONENT_WITHOUT_DELIMITERS.replace(
        "'<span>{{ user.name }}</span>'", "'{% raw %}<span>{{ user.name }}</span>{% endraw %}'"
    )
    assert lint(page, PAGE, select=["STK401"]) == []
    with_delimiters = page.replace("props: ['user'],", "props: ['user'], delimiters: ['${', '}'],")
    assert where(lint(with_delimiters, PAGE, select=["STK401"])) == [(7, 29, "STK401")]


SEEDED = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    "<h1>{{ user.name }}</h1>\n"
    "<p>{{ roles[0].name }} {{ search }}</p>\n"
    "<v-select :items='{{ groups|tojson }}'></v-select><b>{{ groups[0] }}</b>\n"
    "{% endblock %}\n{% block js %}\n<script>\n"
    "Vue.createApp({\n"
    "  delimiters: config.delimiters,\n"
    "  data() {\n"
    "    return { user: {{ user|tojson }}, roles: JSON.parse('{{ roles|tojson }}'),"
    " groups: [], search: '' };\n"
    "  },\n"
    "}).mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_data_seeded_from_the_server_is_a_server_variable_too():
    # `user: {{ user|tojson }}`: the view passes `user`, so `{{ user.name }}` renders on
    # the server; `search` is Vue's alone and still flagged.
    findings = lint(SEEDED, PAGE, select=["STK401"])
    assert where(findings) == [(4, 24, "STK401")]
    assert "`search`" in findings[0].message


def test_app_compiler_options_object_with_delimiters_counts_as_configured():
    page = (
        "<script>\nconst app = Vue.createApp({ data() { return {}; } });\n"
        "app.config.compilerOptions = {\n"
        "  isCustomElement: (tag) => tag.startsWith('x-'),\n"
        "  delimiters: config.delimiters,\n};\n"
        "const other = Vue.createApp({ data() { return {}; } });\n"
        "Object.assign(other.config.compilerOptions, { delimiters: ['${', '}'] });\n"
        "</script>\n"
    )
    assert lint(page, PAGE, select=["STK402"]) == []
    unconfigured = page.replace("  delimiters: config.delimiters,\n", "").replace(
        "Object.assign(other.config.compilerOptions, { delimiters: ['${', '}'] });\n", ""
    )
    assert where(lint(unconfigured, PAGE, select=["STK402"])) == [
        (2, 13, "STK402"),
        (6, 15, "STK402"),
    ]


def test_computed_in_provide_is_options_api():
    # Vue's documented way to provide a reactive value from an Options API component.
    page = (
        "<script>\nconst { createApp, computed } = Vue;\n"
        "createApp({\n  delimiters: config.delimiters,\n"
        "  data() { return { items: [] }; },\n"
        "  provide() {\n    return { total: computed(() => this.items.length) };\n  },\n"
        "});\n</script>\n"
    )
    assert lint(page, PAGE, select=["STK403"]) == []
    in_data = page.replace(
        "  provide() {\n    return { total: computed(() => this.items.length) };\n  },\n",
        "  mounted() { this.total = computed(() => this.items.length); },\n",
    )
    assert where(lint(in_data, PAGE, select=["STK403"])) == [(6, 28, "STK403")]


def test_shorthand_delimiters_option_configures_the_app():
    page = (
        "<script>\nconst delimiters = config.delimiters;\n"
        "Vue.createApp({ delimiters, data() { return { a: 1 }; } }).mount('#app');\n"
        "</script>\n"
    )
    assert lint(page, PAGE, select=["STK402"]) == []
    setup = page.replace("data() { return { a: 1 }; }", "setup")
    assert where(lint(setup, PAGE, select=["STK403"])) == [(3, 29, "STK403")]


def test_window_vue_is_vue():
    page = (
        "<script>\nconst { ref } = window.Vue;\nconst count = ref(0);\n"
        "window.Vue.createApp({ data() { return { a: 1 }; } }).mount('#app');\n"
        "</script>\n"
    )
    assert where(lint(page, PAGE, select=["STK402", "STK403"])) == [
        (3, 15, "STK403"),
        (4, 1, "STK402"),
    ]


def test_slot_defaults_bind_only_their_own_names():
    # The names inside a default value (`perPage`, `second`) are read, not bound: here
    # they are the view's variables, rendered by Jinja on purpose.
    page = (
        '{% extends "layout.html" %}\n{% block content %}\n<paged-list>\n'
        '  <template #default="{ rows = [first, second], options = { page: 1, itemsPerPage:'
        ' perPage } }">\n'
        "    <p>{{ perPage }} {{ second }}</p><p>${ rows.length } ${ options.page }</p>\n"
        "    <p>{{ rows.length }}</p>\n"
        "  </template>\n</paged-list>\n{% endblock %}\n"
    )
    assert where(lint(page, PAGE, select=["STK401"])) == [(6, 8, "STK401")]


DETAIL = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    "<h1>{{ item.name }}</h1>\n"
    '<item-row :item="current"></item-row>\n'
    "{% endblock %}\n{% block js %}\n"
    '<template id="item-row-tpl"><tr><td>{{ item.id }}</td><td>${ item.name }</td></tr>'
    "</template>\n<script>\n"
    "const app = Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { current: null }; } });\n"
    "app.component('item-row', { template: '#item-row-tpl', props: ['item'],"
    " delimiters: config.delimiters });\n"
    "app.component('item-cell', { props: ['item'], delimiters: config.delimiters,"
    " template: '<td>{{ item.id }}</td>' });\n"
    "app.mount('#app');\n</script>\n{% endblock %}\n"
)


def test_component_props_exist_only_inside_its_template():
    # The detail page's `{{ item.name }}` is the view's `item`; the components' `item`
    # prop is flagged only inside their own templates.
    findings = lint(DETAIL, PAGE, select=["STK401"])
    assert where(findings) == [(7, 37, "STK401"), (11, 93, "STK401")]
    assert all("the component or app" in f.message for f in findings)


def test_no_dollar_fix_inside_the_template_element_of_a_component_on_default_delimiters():
    page = DETAIL.replace(
        "props: ['item'], delimiters: config.delimiters });\napp.component('item-cell'",
        "props: ['item'] });\napp.component('item-cell'",
    )
    findings = lint(page, PAGE, select=["STK401"])
    assert where(findings)[0] == (7, 37, "STK401")
    assert findings[0].fix is None
    assert "delimiters: config.delimiters" in findings[0].message
    assert lint(DETAIL, PAGE, select=["STK401"])[0].fix is not None


ROW = (
    '{% extends "layout.html" %}\n{% block content %}\n<v-list>\n'
    '  <v-list-item v-for="thing in things" :key="thing.id"\n'
    '    :title="{{ thing.name }}" subtitle="{{ thing.note }}"\n'
    "    :href=\"'{{ url_for('things.things_page') }}' + {{ thing.id }}\"\n"
    "    :to=\"'/things/{{ thing.id }}'\" @click=\"open({{ thing.id }}, 'edit')\">\n"
    "  </v-list-item>\n</v-list>\n{% endblock %}\n{% block js %}\n<script>\n"
    "Vue.createApp({ delimiters: config.delimiters, data() { return { things: [] }; },"
    " methods: { open(id, mode) {} } }).mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_attribute_fixes_bind_the_value_and_leave_server_parts_alone():
    findings = lint(ROW, PAGE, select=["STK401"])
    assert where(findings) == [
        (5, 13, "STK401"),
        (5, 41, "STK401"),
        (6, 52, "STK401"),
        (7, 19, "STK401"),
        (7, 49, "STK401"),
    ]
    assert [f.fix is not None for f in findings] == [True, True, True, False, True]
    fixed = apply_fixes(ROW, findings)
    assert (
        '    :title="thing.name" :subtitle="thing.note"\n'
        "    :href=\"'{{ url_for('things.things_page') }}' + thing.id\"\n"
        "    :to=\"'/things/{{ thing.id }}'\" @click=\"open(thing.id, 'edit')\">\n"
    ) in fixed
    # What is left is the one in a JS string; a second run fixes nothing more.
    again = lint(fixed, PAGE, select=["STK401"])
    assert where(again) == [(7, 19, "STK401")]
    assert "template literal" in again[0].message
    assert apply_fixes(fixed, again) == fixed


RAW_PAGE = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    '<v-list><v-list-item v-for="item in items">'
    "{% raw %}{{ item.name }}{% endraw %}</v-list-item></v-list>\n"
    "{% endblock %}\n{% block js %}\n<script>\n"
    "Vue.createApp({ data() { return { items: [] }; } }).mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_raw_braces_on_a_page_whose_app_keeps_vue_braces_leave_it_to_stk402():
    # The page works as written (Vue reads `{{ }}`); the one finding is the missing
    # delimiters, and no STK401 fix turns it into `${ }` that this app would not read.
    assert where(lint(RAW_PAGE, PAGE, select=["STK401", "STK402"])) == [(7, 1, "STK402")]
    configured = RAW_PAGE.replace(
        "Vue.createApp({ ", "Vue.createApp({ delimiters: config.delimiters, "
    )
    findings = lint(configured, PAGE, select=["STK401", "STK402"])
    assert where(findings) == [(3, 53, "STK401")]
    assert findings[0].fix is not None


def test_js_app_whose_template_is_an_element_of_a_jinja_page_needs_delimiters():
    source = (
        "const app = Vue.createApp({ template: '#dashboard-tpl', data() { return {}; } });\n"
        "const widget = Vue.createApp({ template: '<b>{{ n }}</b>', data() { return { n: 1 }; } });\n"
    )
    assert where(lint(source, "app/static/js/dashboard.js", select=["STK402"])) == [
        (1, 13, "STK402")
    ]


TWO_APPS = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    "<h2>{{ count }} notes</h2>\n"
    '<div id="notes-widget"><v-badge :content="count">{{ count }}</v-badge></div>\n'
    "<p>{{ search }}</p>\n"
    "{% endblock %}\n{% block js %}\n<script>\n"
    "window.app = Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { search: '' }; } });\n"
    "app.use(vuetify).mount('#app');\n"
    "const notes = Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { count: 0 }; } });\n"
    "notes.mount('#notes-widget');\n"
    "</script>\n{% endblock %}\n"
)


def test_a_second_app_state_exists_only_on_its_own_element():
    # `count` is the notes widget's; the heading's `{{ count }}` is the view's. The main
    # app is mounted on the layout's `#app`, so its `search` applies page-wide.
    findings = lint(TWO_APPS, PAGE, select=["STK401"])
    assert where(findings) == [(4, 50, "STK401"), (5, 4, "STK401")]


def test_positions_and_fixes_on_a_crlf_tab_indented_page():
    script = (
        "{% block js %}<script>\r\nVue.createApp({ delimiters: config.delimiters,"
        " data() { return { xs: [] }; } });\r\n</script>{% endblock %}\r\n"
    )
    page = (
        '<ul>\r\n\t<li v-for="x in xs">{{\r\n\t\tx.name\r\n\t}}</li>\r\n'
        '\t<li v-for="x in xs" title="{{ x.a }}">é</li>\r\n</ul>\r\n' + script
    )
    findings = lint(page, PAGE, select=["STK401"])
    assert [(f.line, f.column, f.end_line, f.end_column) for f in findings] == [
        (2, 22, 4, 4),
        (5, 29, 5, 38),
    ]
    fixed = apply_fixes(page, findings)
    assert '\t<li v-for="x in xs">${\r\n\t\tx.name\r\n\t}</li>\r\n' in fixed
    assert '\t<li v-for="x in xs" :title="x.a">é</li>\r\n' in fixed
    assert lint(fixed, PAGE) == []


def test_state_from_same_file_mixins_and_spread_base_counts():
    page = (
        '{% extends "layout.html" %}{% block content %}\n'
        '<v-data-table :items="items" :loading="loading"></v-data-table>\n'
        "<p>{{ items.length }} {{ total }} {{ title }}</p>\n"
        "{% endblock %}{% block js %}<script>\n"
        "const listMixin = { data() { return { items: [], loading: false }; } };\n"
        "const base = { delimiters: config.delimiters,"
        " computed: { total() { return 1; } } };\n"
        "Vue.createApp({ ...base, mixins: [listMixin, layoutMixin],"
        " data() { return { q: '' }; } }).mount('#app');\n"
        "</script>{% endblock %}\n"
    )
    # `title` is the view's (no mixin here defines it); `layoutMixin` lives elsewhere.
    assert where(lint(page, PAGE)) == [(3, 4, "STK401"), (3, 23, "STK401")]


def test_no_binding_fix_when_the_element_already_binds_that_attribute():
    page = ROW.replace(
        'subtitle="{{ thing.note }}"', 'subtitle="{{ thing.note }}" :subtitle="thing.note"'
    )
    findings = lint(page, PAGE, select=["STK401"])
    assert [f.fix is not None for f in findings] == [True, False, True, False, True]


MULTI_LINE = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    "<p>{{ items\n  .length }} items</p>\n"
    "{% for item in things %}<p>{{ item\n.name }}</p>{% endfor %}\n"
    "<h2>{{ item.name }}</h2>\n"
    "{% endblock %}\n{% block js %}\n<script>\n"
    "Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { items: [], item: null }; } }).mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_multi_line_outputs_pair_with_their_own_tree_node():
    # Jinja dates `.length` and `.name` by the line of their `.`: the output on line 5
    # is the loop's server value, the one on line 7 the Vue `item`.
    findings = lint(MULTI_LINE, PAGE, select=["STK401"])
    assert [(f.line, f.column, f.end_line, f.end_column) for f in findings] == [
        (3, 4, 4, 13),
        (7, 5, 7, 20),
    ]
    assert "`item` is Vue state" in findings[1].message


BACKTICK_TEMPLATE = (
    '{% extends "layout.html" %}\n{% block js %}\n<script>\n'
    "const app = Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { rows: [] }; } });\n"
    "app.component('row-item', {\n"
    "  delimiters: config.delimiters,\n"
    "  props: ['item'],\n"
    '  template: `<v-list-item :title="item.title">{{ item.name }}</v-list-item>`,\n'
    "});\n"
    "app.mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_backtick_template_advice_and_fix_escape_the_dollar():
    # In a JS template literal `${ item.name }` is JavaScript's interpolation (a
    # ReferenceError here); Vue needs the text `${ item.name }`, written `\${ item.name }`.
    findings = lint(BACKTICK_TEMPLATE, PAGE, select=["STK401"])
    assert where(findings) == [(8, 47, "STK401")]
    assert findings[0].message.endswith("use `\\${ item.name }`")
    fixed = apply_fixes(BACKTICK_TEMPLATE, findings)
    assert '`<v-list-item :title="item.title">\\${ item.name }</v-list-item>`' in fixed
    assert lint(fixed, PAGE) == []


def test_backtick_template_in_a_js_file_gets_the_escaped_advice_too():
    source = BACKTICK_TEMPLATE.split("<script>\n")[1].split("</script>")[0]
    findings = lint(source, "app/static/js/rows.js", select=["STK401"])
    assert where(findings) == [(5, 47, "STK401")]
    assert findings[0].message.endswith("use `\\${ item.name }`")
    assert "\\${ item.name }" in apply_fixes(source, findings)


JINJA_SYNTAX = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    '<v-list-item v-for="item in items" :key="item.id">\n'
    '  <b>{{ item.name if item.name else "-" }}</b>\n'
    '  <i>{{ item.first ~ " " ~ item.last }}</i>\n'
    '  <em :title="{{ not item.ok }}"></em>\n'
    "  <span>{{ item.price + 1 }} {{ money(item['total']) }}</span>\n"
    '  <v-btn :disabled="{{ item.count == 0 }}" title="{{ item.note }}"></v-btn>\n'
    "</v-list-item>\n"
    "{% endblock %}\n{% block js %}\n<script>\n"
    "Vue.createApp({ delimiters: config.delimiters, data() { return { items: [] }; },"
    " methods: { money(x) { return x; } } }).mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_no_fix_writes_jinja_syntax_into_a_vue_expression():
    # `${ item.name if item.name else "-" }` would not compile: Vue reads JavaScript.
    findings = lint(JINJA_SYNTAX, PAGE, select=["STK401"])
    assert where(findings) == [
        (4, 6, "STK401"),
        (5, 6, "STK401"),
        (6, 15, "STK401"),
        (7, 9, "STK401"),
        (7, 30, "STK401"),
        (8, 21, "STK401"),
        (8, 51, "STK401"),
    ]
    assert [f.fix is not None for f in findings] == [False, False, False, True, True, True, True]
    assert "`x if c else y` -> `c ? x : y`" in findings[0].message
    assert "`a ~ b` -> `a + b`" in findings[1].message
    assert "`not x` -> `!x`" in findings[2].message
    fixed = apply_fixes(JINJA_SYNTAX, findings)
    assert "<span>${ item.price + 1 } ${ money(item['total']) }</span>" in fixed
    assert '<v-btn :disabled="item.count == 0" :title="item.note"></v-btn>' in fixed


VUE2_FILTERS = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    '<v-data-table :items="items">\n'
    '  <template v-slot:item.created="{ item }">{{ item.created | date }}</template>\n'
    "</v-data-table>\n"
    '<v-list-item v-for="u in items">{{ u.name|upper }}</v-list-item>\n'
    "<p>{{ items | length }} {{ selected | tojson }}</p>\n"
    "{% endblock %}\n{% block js %}\n<script>\n"
    "Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { items: [], selected: null }; } }).mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_vue2_filters_on_v_for_and_slot_variables_are_flagged():
    # A `v-for`/slot variable is never a server value, filter or not; a filter on
    # page state (`{{ items | length }}`) still marks the view's value.
    findings = lint(VUE2_FILTERS, PAGE, select=["STK401"])
    assert where(findings) == [(4, 44, "STK401"), (6, 33, "STK401")]
    assert all(f.fix is None for f in findings)
    assert "Vue 3 has no filters: call a method, `date(item.created)`" in findings[0].message
    assert "`upper(u.name)`" in findings[1].message


GLOBAL_NAMES = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    "<p>{{ request.path }} {{ session.get('theme') }}</p>\n"
    '<v-list-item v-for="request in items">{{ request.status }}</v-list-item>\n'
    '<v-list-item v-for="session in sessions" :title="{{ session.ip }}"></v-list-item>\n'
    '<v-list-item v-for="g in groups">{{ g.name }}</v-list-item>\n'
    "{% endblock %}\n{% block js %}\n<script>\n"
    "Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { items: [], sessions: [], groups: [], request: null }; } })"
    ".mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_v_for_variables_named_like_server_globals_are_vue_names():
    # Outside the loops `request` and `session` are Quart's, even with a `request`
    # data() key; inside, the `v-for` binds them.
    findings = lint(GLOBAL_NAMES, PAGE, select=["STK401"])
    assert where(findings) == [(4, 39, "STK401"), (5, 50, "STK401"), (6, 34, "STK401")]
    assert all("a `v-for`/slot variable" in f.message for f in findings)


RAW_LITERALS = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    "<v-alert>Placeholders: {% raw %}{{ user.name }}, {{ reset_link }}{% endraw %}</v-alert>\n"
    "<pre v-pre>{% raw %}{{ items }}{% endraw %} {{ items }}</pre>\n"
    '<div v-pre :title="{{ selected }}"><span>{{ selected }}</span></div>\n'
    '<v-list-item v-for="item in items">'
    "{% raw %}{{ item.name }} {{ { a: 1 }.a + items.length }}{% endraw %}</v-list-item>\n"
    "{% endblock %}\n{% block js %}\n<script>\n"
    "Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { items: [], selected: null }; } }).mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_raw_braces_are_flagged_only_where_they_read_vue_state():
    # Placeholders a page documents and anything in a `v-pre` element are literal text
    # Vue never interpolates; `{{ item.name }}` in a raw block is a Vue 2 habit.
    findings = lint(RAW_LITERALS, PAGE, select=["STK401"])
    assert where(findings) == [(6, 45, "STK401"), (6, 61, "STK401")]
    # The second holds a `}`, which would end Vue's `${ }` early: no fix.
    assert [f.fix is not None for f in findings] == [True, False]
    fixed = apply_fixes(RAW_LITERALS, findings)
    assert "{% raw %}${ item.name } {{ { a: 1 }.a + items.length }}{% endraw %}" in fixed


DIALOG = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    "<h1>{{ title }}</h1>\n<p>{{ message }}</p>\n"
    '<template id="confirm-tpl"><v-card :title="title">{{ subtitle }}</v-card></template>\n'
    "{% endblock %}\n{% block js %}\n<script>\n"
    "const baseMixin = { props: ['subtitle'] };\n"
    "const dialogMixin = { mixins: [baseMixin], props: ['title'] };\n"
    "const app = Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { items: [] }; } });\n"
    "app.component('confirm-dialog', { mixins: [dialogMixin], delimiters: config.delimiters,"
    " template: '#confirm-tpl' });\n"
    "app.component('x-badge', { props: ['message'],"
    " render() { return Vue.h('span', this.message); } });\n"
    "app.mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_component_mixins_and_render_components_stay_out_of_the_page():
    # `title` and `subtitle` come from the dialog's mixins and exist only in its
    # template; the render-function badge has no markup here at all. The page's
    # `{{ title }}` and `{{ message }}` are the view's.
    findings = lint(DIALOG, PAGE, select=["STK401"])
    assert where(findings) == [(5, 51, "STK401")]
    assert "`subtitle` is Vue state of the component" in findings[0].message


BRANCHES = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    "{% if can_edit %}\n"
    '<v-card v-for="item in items" :key="item.id">\n'
    "  <v-card-subtitle>{{ item.owner }}</v-card-subtitle>\n"
    "{% else %}\n"
    '<v-card v-for="item in items" :key="item.id" disabled>\n'
    "{% endif %}\n"
    "  <v-card-title>${ item.name }</v-card-title>\n"
    "</v-card>\n"
    "<h2>{{ item.name }}</h2>\n"
    "{% endblock %}\n{% block js %}\n<script>\n"
    "Vue.createApp({ delimiters: config.delimiters,"
    " data() { return { items: [] }; } }).mount('#app');\n"
    "</script>\n{% endblock %}\n"
)


def test_an_element_opened_in_both_branches_of_an_if_is_closed_once():
    # The two `<v-card>` tags are one element, closed by the one `</v-card>`: the
    # heading after it reads the view's `item`. Inside the first branch the `v-for`
    # binds `item`.
    findings = lint(BRANCHES, PAGE, select=["STK401"])
    assert where(findings) == [(5, 20, "STK401")]
