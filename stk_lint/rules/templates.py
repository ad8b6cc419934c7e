"""Template rules: Jinja syntax, `{{ }}` meant for Vue, the Vue app's delimiters and API style."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stk_lint.findings import Edit, Fix
from stk_lint.rule import JS, TEMPLATE, Invalid, Option, TemplateRule
from stk_lint.rules._examples import PAGE_HEAD, PAGE_SCRIPT, page

if TYPE_CHECKING:
    from stk_lint.templates.context import JsContext, Place, TemplateContext
    from stk_lint.templates.jinja import Output
    from stk_lint.templates.js import JsFacts

# The template machinery (stk_lint.templates.*) is imported where a check runs: the
# registry imports these rules for every run, most of which check Python files only.

# Blocks a layout places in <head>, outside the Vue app: `{{ }}` there is server-side.
HEAD_BLOCKS = frozenset({"title", "head", "meta", "css", "styles", "extra_head", "head_css"})


class TemplateSyntaxError(TemplateRule):
    code = "STK002"
    name = "template-syntax-error"
    summary = "A template Jinja cannot lex or parse."
    why = (
        "Quart renders every page through Jinja; a template Jinja cannot parse fails with a "
        "500 on the first request. stk-lint cannot check the Vue markup of such a template "
        "either (its other rules still run on what could be read). The finding points at the "
        "line Jinja names; the run goes on with the other files."
    )
    bad = page("""\
        {% if items %}
        <v-list></v-list>
        """)
    good = page("""\
        {% if items %}
        <v-list></v-list>
        {% endif %}
        """)
    valid = (
        "{% trans count=n %}One thing{% pluralize %}{{ count }} things{% endtrans %}\n",
        "{% for x in xs %}{% if x %}{% continue %}{% endif %}{% do xs.append(1) %}{% endfor %}\n",
        "<p>{{ user.name }}</p>\n",
    )
    invalid = (
        "{{ user.name }\n",
        "{% for x in xs %}\n",
        "{% endblock %}\n",
        "{{ x | }}\n",
    )
    options = {
        "template-folders": Option(
            ["templates"],
            "Folder names whose `.html` files are Jinja templates (`.jinja`, `.jinja2`, `.j2` "
            "files always are). Other `.html` files are plain HTML: not lexed as Jinja, so "
            "STK002, STK401 and STK402 skip them; the icon rules and STK403 still apply.",
        )
    }
    limits = (
        "Only `.html` files under a `templates` folder (see `template-folders`) and "
        "`.jinja`/`.jinja2`/`.j2` files are read as Jinja. "
        "The template is checked with Jinja's standard extensions (i18n, do, loopcontrols) "
        "enabled; a tag from a project's own Jinja extension is reported as unknown. Jinja "
        "names a line, not a column: the finding starts at the line's first character."
    )

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        error = context.jinja.error
        if error is None:
            return
        message, line = error
        start = context.line_start(line)
        text = context.text
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        while start < end and text[start] in " \t":
            start += 1
        context.report(cls, start, end, f"Jinja cannot parse this template: {message}")


class JinjaInVue(TemplateRule):
    code = "STK401"
    languages = (TEMPLATE, JS)
    name = "jinja-in-vue"
    summary = "A `{{ ... }}` that reads Vue state, where Vue interpolation `${ ... }` was meant."
    why = (
        "stk pages are Jinja templates that Vue mounts afterwards, with the delimiters "
        "`${ }` (`delimiters: config.delimiters`). Jinja renders the file first, so "
        "`{{ item.name }}` is evaluated on the server, where `item` (a `v-for` variable, a "
        "slot prop, a `data()` key) does not exist, and Vue never sees it: a bare name "
        "(`{{ snackMessage }}`) renders as an empty string, silently; an attribute or call "
        "on it (`{{ item.name }}`) raises Jinja's UndefinedError, and the whole page is a "
        "500. The rule knows what Jinja binds (`for`, `set`, `with`, macro "
        "parameters, imports) and what Vue binds (`data()`, `methods`, `computed`, `props`, "
        "`v-for`, slot props), and flags only the second kind. `{{ }}` inside `{% raw %}` "
        "that reads Vue state, or in a component's `template:` string, is flagged too: with "
        "`${ }` delimiters Vue does not interpolate it either."
    )
    bad = page("""\
        <v-data-table-server :items="items" :headers="headers">
          <template v-slot:item.name="{ item }">
            <strong>{{ item.name }}</strong>
          </template>
        </v-data-table-server>
        """)
    good = page("""\
        <v-data-table-server :items="items" :headers="headers">
          <template v-slot:item.name="{ item }">
            <strong>${ item.name }</strong>
          </template>
        </v-data-table-server>
        """)
    fix = "safe"
    valid = (
        # Server values inside Vue markup: Jinja names, loops, filters, macros, globals.
        page("""\
            <a href="{{ url_for('things.things_page') }}">${ items.length }</a>
            <span>{{ current_user.email }}</span>
            """),
        page("""\
            {% for value in ['a', 'b'] %}
            <v-chip :color="selected === '{{ value }}' ? 'primary' : undefined">{{ value }}</v-chip>
            {% endfor %}
            """),
        page('<script type="application/json" id="items-data">{{ items | tojson }}</script>\n'),
        page("{% macro field(items) %}<b>{{ items }}</b>{% endmacro %}{{ field(1) }}\n"),
        page("{% set selected = 'x' %}<i>{{ selected }}</i>\n"),
        page("""\
            <v-list><v-list-item v-for="item in items">${ item.name }</v-list-item></v-list>
            <p>{{ item.name }}</p>
            """),
        page("<script>const items = {{ items | tojson }};</script>\n"),
        page("<!-- {{ items }} -->\n"),
        page("""\
            {# stk-lint: ignore[STK401] #}
            <p>{{ items }}</p>
            """),
        # `selected` is seeded from the same server value the markup shows.
        PAGE_HEAD
        + "<p>{{ selected }}</p>\n"
        + PAGE_SCRIPT.replace("selected: null", "selected: '{{ selected }}'"),
    )
    invalid = (
        page("<p>{{ items.length }} things</p>\n"),
        Invalid(
            page(
                '<v-list-item v-for="(thing, i) in items" :title="{{ thing.name }}"></v-list-item>\n'
            ),
            expected_fix=page(
                '<v-list-item v-for="(thing, i) in items" :title="thing.name"></v-list-item>\n'
            ),
        ),
        page("{% raw %}<p>{{ items.length }}</p>{% endraw %}\n"),
        page(
            '<v-data-table :items="items"><template #item.actions="{ item }"><v-btn @click="edit(item)">{{ item.id }}</v-btn></template></v-data-table>\n'
        ),
        page(
            '<v-list-item v-for="user in items">{{ user.first ~ " " ~ user.last }}</v-list-item>\n'
        ),
        page(
            '<v-data-table :items="items"><template #item.created="{ item }">{{ item.created | date }}</template></v-data-table>\n'
        ),
    )
    limits = (
        "Vue state is what this template's own scripts define: `data()`, `methods`, "
        "`computed` and `props` of `createApp` and `app.component` options, with their "
        "`mixins: [x]` and `{...base}` when those are defined in the same file. A "
        "component's state, its mixins' included, counts only inside its own template (the "
        "`template: '#id'` element or `template:` string; a `render()` component adds "
        "none), an app's mounted on an element of this file "
        "(`.mount('#notes')`) only inside that element. Names bound by `v-for` and slot "
        "props of enclosing elements count too (an element opened in each branch of an "
        "`{% if %}`/`{% else %}` and closed once after it is one element). Names every "
        "template has (`request`, "
        "`session`, `g`, `config`, `current_user`, `url_for`) are the server's, unless a "
        "`v-for` or slot binds them around the output. State from mixins of other files "
        "(`layoutMixin`) or in an included partial without its own script is unknown, so "
        "`{{ }}` "
        "there is not judged. An expression with a Jinja filter (`{{ items | tojson }}`) is "
        "taken as server-side on purpose, unless it reads a `v-for` or slot variable, which "
        "is never a server value (`{{ item.created | date }}` is a Vue 2 filter; Vue 3 has "
        "none). `{{ }}` inside `<script>` code (not a `template:` "
        'string), `<script type="application/json">` and HTML comments is never flagged. '
        "A server variable named like a piece of Vue state is taken as the Vue one, unless "
        "the page feeds it to its scripts (`user: {{ user|tojson }}` in `data()`, "
        "`:items='{{ roles|tojson }}'`), or the key of that name is initialised from the "
        "same Jinja expression (`title: '{{ title }}'` in `data()` and `{{ title }}` in the "
        "markup render one server value, so the page works as written; `${ title }` would "
        "also follow edits to `title`, which a `{{ }}` rendered once on the server does "
        "not); otherwise mark it as server-side with a filter "
        "(`{{ title | e }}`) or a suppression comment. "
        "Blocks named like `<head>` content (`title`, `head`, `meta`, `css`) are skipped. "
        "`{{ }}` in `{% raw %}` is flagged only when its expression reads Vue state (no fix "
        "when it holds a `}`, where Vue's `${ }` would end): other "
        "braces there are literal text (placeholders a help page shows), and none is flagged "
        "on a page whose apps all keep Vue's `{{ }}` (STK402 reports those apps). Nothing "
        "inside a `v-pre` element is judged: Vue does not compile it. "
        "The fix writes `${ ... }` in element text and `\\${ ... }` in a backtick "
        "`template:` (where a bare `${` is JavaScript's own interpolation); in an attribute "
        "it binds the value "
        '(`title="{{ row.name }}"` -> `:title="row.name"`, and in a bound attribute drops the '
        "braces), but not when the braces stand in a JS string or in a longer plain value. "
        "It is offered only when the expression reads the same in JavaScript (names, `.`, "
        "`[]`, calls, constants, `==`/`!=`, comparisons, `+`/`-`); Jinja syntax (`not x`, "
        "`a ~ b`, `x if c else y`, filters, `none`) gets advice on the JavaScript to write "
        "and no fix."
    )

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        from stk_lint.templates.jinja import JINJA_GLOBALS

        jinja = context.jinja
        if not jinja.outputs and not jinja.raw_outputs:
            return
        server_fed = _server_fed_names(context)
        page_state = context.vue_state - server_fed
        seeds = _seeded_keys(context)
        for output in jinja.outputs:
            if output.names is None or output.block in HEAD_BLOCKS:
                continue
            place = context.place(output.start)
            if place.kind not in ("text", "attribute", "js-template"):
                continue
            # A filter marks a server value on purpose (`{{ items | tojson }}`), but a
            # `v-for`/slot variable is never one: `{{ item.created | date }}` is a Vue 2
            # filter.
            vue_names = (
                place.vue_names
                if output.filtered
                else page_state | place.vue_names | (place.state - server_fed)
            )
            # `title: '{{ title }}'` in data() and `{{ title }}` in the markup render the
            # same server value: the page works as written.
            same_as_seed = _without_filters(context.output_text(output))
            unbound = [
                name
                for name in output.names
                if name in vue_names
                and name not in output.bound
                # `request`, `session`, `g` are the server's, unless a `v-for` or slot
                # binds the name around this output (`v-for="request in items"`).
                and (name not in JINJA_GLOBALS or name in place.vue_names)
                and (name in place.vue_names or same_as_seed not in seeds.get(name, ()))
            ]
            if not unbound:
                continue
            expression = context.output_text(output)
            fix = None
            if not output.javascript:
                advice = _rewrite_advice(place, expression)  # no fix: Vue cannot read it
            elif place.kind == "attribute":
                advice, fix = _attribute_advice(context, output, place, expression)
            elif not place.own_delimiters:
                advice = _COMPONENT_ADVICE.format(
                    interpolation=_interpolation(expression, place.quote)
                )
            else:
                advice = f"use `{_interpolation(expression, place.quote)}`"
                if not output.trimmed:
                    fix = _interpolation_fix(output.start, output.end, place.quote)
            name = unbound[0]
            kind = (
                "a `v-for`/slot variable"
                if name in place.vue_names
                else "Vue state of the component or app this markup belongs to"
                if name in place.state
                else "Vue state of this page (`data()`, `methods`, `computed` or `props`)"
            )
            written = " ".join(context.text[output.start : output.end].split())
            context.report(
                cls,
                output.start,
                output.end,
                f"`{written}` is rendered by Jinja on the server, before Vue "
                f"runs, but `{name}` is {kind}; {advice}",
                fix,
            )
        if jinja.raw_outputs:
            cls._check_raw_outputs(context, page_state)

    @classmethod
    def _check_raw_outputs(cls, context: TemplateContext, page_state: frozenset[str]) -> None:
        """`{% raw %}{{ x }}{% endraw %}` reaches Vue as is: with `${ }` delimiters Vue
        shows it as text. Only expressions that read Vue state are taken as meant for Vue;
        other braces in raw blocks are literal text (placeholders a page documents)."""
        from stk_lint.templates import vue

        apps_on_vue_braces = _apps_keep_vue_braces(context)
        for raw in context.jinja.raw_outputs:
            place = context.place(raw.start)
            if place.kind not in ("text", "attribute", "js-template"):
                continue
            if apps_on_vue_braces and place.kind != "js-template":
                continue  # `{% raw %}` is how such a page gets `{{ }}` to Vue; STK402 speaks
            if not place.own_delimiters:
                continue  # a component on Vue's default `{{ }}`: raw is how it gets them
            inner = context.text[raw.inner_start : raw.inner_end]
            vue_names = page_state | place.vue_names | place.state
            if not vue.root_names(inner) & vue_names:
                continue
            expression = " ".join(inner.split())
            # Vue's `${ }` ends at the first `}`: an object literal inside would be cut.
            fixable = place.kind != "attribute" and "}" not in inner
            context.report(
                cls,
                raw.start,
                raw.end,
                f"`{{{{ {expression} }}}}` in `{{% raw %}}` reaches Vue, which interpolates "
                f"`${{ }}` in stk pages, not `{{{{ }}}}`; use "
                f"`{_interpolation(expression, place.quote)}`",
                _interpolation_fix(raw.start, raw.end, place.quote) if fixable else None,
            )

    @classmethod
    def check_js(cls, context: JsContext) -> None:
        """`{{ }}` in the `template:` of a component that sets `${ }` delimiters."""
        facts = context.js
        for options in facts.options:
            template = options.keys.get("template")
            delimiters = options.keys.get("delimiters")
            if template is None or delimiters is None or template[1] is None:
                continue
            if _default_delimiters(facts.node_text(delimiters[1])):
                continue
            value = template[1]
            if value.type not in ("string", "template_string"):
                continue
            literal = next((s for s in facts.strings if s.node == value), None)
            if literal is None:
                continue
            for a, b in literal.segments:
                for match in re.finditer(r"\{\{(.*?)\}\}", context.source[a:b], re.DOTALL):
                    expression = " ".join(match.group(1).split())
                    start, end = a + match.start(), a + match.end()
                    fix = _interpolation_fix(start, end, literal.quote)
                    context.report(
                        cls,
                        start,
                        end,
                        f"`{{{{ {expression} }}}}` in a template with `${{ }}` delimiters is "
                        f"not interpolated; use `{_interpolation(expression, literal.quote)}`",
                        fix,
                    )


_COMPONENT_ADVICE = (
    "give the component `delimiters: config.delimiters` (the app's do not carry over to "
    "its components) and use `{interpolation}`"
)


_VUE_ATTRIBUTE = (":", "@", "#", "v-")

# Jinja syntax without a JavaScript meaning, and what a Vue expression says instead.
_JINJA_TO_JAVASCRIPT = (
    (re.compile(r"\bif\b.*\belse\b"), "`x if c else y` -> `c ? x : y`"),
    (re.compile(r"~"), "`a ~ b` -> `a + b`"),
    (re.compile(r"\bnot\b"), "`not x` -> `!x`"),
    (re.compile(r"\b(?:and|or)\b"), "`and`/`or` -> `&&`/`||`"),
    (re.compile(r"\b(?:none|None|True|False)\b"), "`none`/`True` -> `null`/`true`"),
    (re.compile(r"\bis\b"), "a test (`is defined`) -> a comparison"),
)
_FILTER = re.compile(r"^(?P<value>[^|]+?)\s*\|\s*(?P<filter>[A-Za-z_]\w*)$")


def _javascript_hints(expression: str) -> str:
    """How to say a Jinja expression in JavaScript, from what it uses."""
    filtered = _FILTER.match(expression)
    if filtered:
        value, name = filtered.group("value", "filter")
        return f"Vue 3 has no filters: call a method, `{name}({value})`"
    if "|" in expression.replace("||", ""):
        return "Vue 3 has no filters: call a method, `x | f` -> `f(x)`"
    hints = [hint for pattern, hint in _JINJA_TO_JAVASCRIPT if pattern.search(expression)]
    return "; ".join(hints) or f"`{expression}` is Jinja syntax"


def _rewrite_advice(place: Place, expression: str) -> str:
    """Advice for an expression Jinja reads differently from JavaScript (`not x`,
    `a ~ b`, a filter): moving it into `${ }` as it is would break the page."""
    hints = _javascript_hints(expression)
    attribute = place.attribute if place.kind == "attribute" else None
    if attribute is not None and attribute.name.startswith(_VUE_ATTRIBUTE):
        return (
            f"`{attribute.name}` is already a Vue expression: write it there in JavaScript, "
            f"without the braces ({hints})"
        )
    if attribute is not None:
        return f"bind the attribute (`:{attribute.name}`) to it, written in JavaScript ({hints})"
    interpolation = _interpolation("...", place.quote)
    if not place.own_delimiters:
        advice = _COMPONENT_ADVICE.format(interpolation=interpolation)
        return f"{advice} with the expression in JavaScript ({hints})"
    return f"use `{interpolation}` with the expression in JavaScript ({hints})"


def _attribute_advice(
    context: TemplateContext, output: Output, place: Place, expression: str
) -> tuple[str, Fix | None]:
    """What to write instead of `{{ }}` in an attribute, and the fix when the output is
    the whole value: `:title="{{ row.name }}"` -> `:title="row.name"`,
    `title="{{ row.name }}"` -> `:title="row.name"`."""
    attribute = place.attribute
    if attribute is None:
        return f'bind the attribute instead (`:attr="{expression}"`)', None
    name = attribute.name
    bound = name.startswith(_VUE_ATTRIBUTE)
    text = context.text
    whole = (
        text[attribute.value_start : attribute.value_end].strip() == text[output.start : output.end]
    )
    quote = text[attribute.value_start - 1] if attribute.value_start > 0 else ""
    quote = quote if quote in "\"'" else ""
    # In a bound attribute the braces alone go, unless they stand in a JS string there
    # (`:href="'/t/{{ row.id }}'"`), which needs a template literal instead.
    before = context.jinja.masked[attribute.value_start : output.start]
    in_string = any(before.count(mark) % 2 for mark in "'`\"" if mark != quote)
    fixable = (whole or bound) and not output.trimmed and quote not in expression
    if bound:
        advice = f"`{name}` is already a Vue expression: write `{name}={quote}{expression}{quote}`"
        if in_string:
            advice = (
                f"`{name}` is already a Vue expression: build the string with a template "
                f"literal (`${{{expression}}}`)"
            )
            fixable = False
        elif not whole:
            advice = f"`{name}` is already a Vue expression: drop the braces"
        edits: tuple[Edit, ...] = (Edit(output.start, output.end, expression),)
    else:
        # `title="{{ x }}"` next to a `:title`: binding it would give Vue a duplicate.
        taken = place.tag is not None and place.tag.attribute(f":{name}", f"v-bind:{name}")
        fixable = fixable and not taken
        advice = f"bind the attribute instead (`:{name}={quote}{expression}{quote}`)"
        if not whole:
            advice = f"bind the attribute instead (`:{name}` with a JavaScript expression)"
        edits = (
            Edit(attribute.start, attribute.start, ":"),
            Edit(output.start, output.end, expression),
        )
    if not fixable:
        return advice, None
    return advice, Fix(f"Bind `{name}` to the Vue expression", "safe", edits)


def _apps_keep_vue_braces(context: TemplateContext) -> bool:
    """The page creates Vue apps and none of them sets delimiters: its markup is read
    with Vue's `{{ }}` (STK402 reports that), so `{% raw %}{{ x }}{% endraw %}` works."""
    if not context.scripts or "createApp" not in context.text:
        return False
    facts = context.js
    apps = [options for options in facts.options if options.kind == "app"]
    if not apps or _COMPILER_DELIMITERS.search(facts.text):
        return False
    for options in apps:
        delimiters = options.keys.get("delimiters")
        compiler = options.keys.get("compilerOptions")
        if compiler is not None or any(
            child.type == "spread_element" for child in options.node.named_children
        ):
            return False  # configured in a way not followed here: assume `${ }`
        if delimiters is not None and delimiters[1] is not None:
            value = delimiters[1]
            if not _default_delimiters(context.text[value.start_byte : value.end_byte]):
                return False
    return True


def _server_fed_names(context: TemplateContext) -> frozenset[str]:
    """Names the server hands to the page's scripts (`user: {{ user|tojson }}`,
    `:items='{{ roles|tojson }}'`, `count: {{ count|int }}`): the view passes them, so
    `{{ user.name }}` is a server value even when `data()` has a key of the same name.
    A filter is what says so: a bare `{{ x }}` in a script may be a misplaced Vue one."""
    names: set[str] = set()
    for output in context.jinja.outputs:
        if not output.names or not output.filtered:
            continue
        if "tojson" in context.output_text(output) or context.place(output.start).kind == "script":
            names.update(n for n in output.names if n not in output.bound)
    return frozenset(names)


def _seeded_keys(context: TemplateContext) -> dict[str, set[str]]:
    """The Jinja expressions (filters left out) a page script initialises each key with:
    `title: '{{ title }}'` and `title: {{ title|tojson }}` give {"title": {"title"}}."""
    seeds: dict[str, set[str]] = {}
    outputs = [o for o in context.jinja.outputs if o.names]
    if not outputs or not context.scripts:
        return seeds
    facts = context.js
    for output in outputs:
        if context.place(output.start).kind != "script":
            continue
        holders = [
            pair
            for pair in facts.pairs
            if pair.start_byte <= output.start and output.end <= pair.end_byte
        ]
        if not holders:
            continue
        pair = min(holders, key=lambda node: node.end_byte - node.start_byte)
        key = pair.child_by_field_name("key")
        name = facts.node_text(key).strip("'\"") if key is not None else ""
        seeds.setdefault(name, set()).add(_without_filters(context.output_text(output)))
    return seeds


def _without_filters(expression: str) -> str:
    """`title | tojson` -> `title`: the expression before its first filter (a `|` outside
    strings and brackets)."""
    depth = 0
    quote = ""
    for index, char in enumerate(expression):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "|" and depth == 0:
            return "".join(expression[:index].split())
    return "".join(expression.split())


def _interpolation(expression: str, quote: str) -> str:
    """`${ x }`, escaped as `\\${ x }` in a JS template literal, where a bare `${` would be
    JavaScript's own interpolation (a ReferenceError, or the wrong value)."""
    opener = "\\${" if quote == "`" else "${"
    return f"{opener} {expression} }}"


def _interpolation_fix(start: int, end: int, quote: str = "") -> Fix:
    opener = "\\${" if quote == "`" else "${"
    return Fix(
        f"Use Vue interpolation `{opener} ... }}`",
        "safe",
        (Edit(start, start + 2, opener), Edit(end - 2, end, "}")),
    )


def _default_delimiters(text: str) -> bool:
    from stk_lint.templates.js import default_delimiters

    return default_delimiters(text)


# `app.config.compilerOptions.delimiters = ...`, or a whole `compilerOptions = {...}` /
# `Object.assign(app.config.compilerOptions, {...})` statement that sets `delimiters`.
_COMPILER_DELIMITERS = re.compile(
    r"compilerOptions\s*\.\s*delimiters\s*=|config\s*\.\s*compilerOptions\b[^;]*?\bdelimiters\s*:"
)


class VueAppDelimiters(TemplateRule):
    code = "STK402"
    languages = (TEMPLATE, JS)
    name = "vue-app-delimiters"
    summary = (
        "A `createApp({...})`, or a component whose template uses `${ }`, without "
        "`delimiters: config.delimiters`."
    )
    why = (
        "Vue's default delimiters are `{{ }}`, the same as Jinja's. In an stk page Jinja "
        "renders the template first and eats every `{{ }}` meant for Vue, so the app must "
        "use the `${ }` delimiters stk configures in `config.delimiters`. Without them (or "
        "with `['{{', '}}']`), the page's `${ item.name }` interpolations show up as literal "
        "text. Vue reads `delimiters` from each component's own options, not from the app "
        "or a mixin: a component whose template uses `${ }` needs them too."
    )
    bad = PAGE_SCRIPT.replace("  delimiters: config.delimiters,\n", "").replace(
        "{% endblock %}\n{% block js %}", '{% extends "layout.html" %}\n{% block js %}', 1
    )
    good = PAGE_SCRIPT.replace(
        "{% endblock %}\n{% block js %}", '{% extends "layout.html" %}\n{% block js %}', 1
    )
    valid = (
        "<script>\nVue.createApp({ delimiters: ['${', '}'], data() { return {}; } });\n</script>\n",
        "<script>\nconst App = { delimiters: config.delimiters };\nVue.createApp(App).mount('#app');\n</script>\n",
        """\
            <script>
            const App = { data() { return {}; } };
            App.delimiters = config.delimiters;
            Vue.createApp(App).mount('#app');
            </script>
            """,
        """\
            <script>
            const app = Vue.createApp({ data() { return {}; } });
            app.config.compilerOptions.delimiters = ['${', '}'];
            </script>
            """,
        "<script>\nVue.createApp({ compilerOptions: { delimiters: config.delimiters } });\n</script>\n",
        "<script>\n// a createApp( mention in a comment\nconst s = 'createApp({})';\n</script>\n",
        """\
            <script>
            app.component('badge', { props: ['n'], delimiters: config.delimiters, template: '<b>${ n }</b>' });
            </script>
            """,
    )
    invalid = (
        "<script>\nVue.createApp({ data() { return {}; } }).mount('#app');\n</script>\n",
        "<script>\nconst {createApp} = Vue;\ncreateApp({ delimiters: ['{{', '}}'] });\n</script>\n",
        "<script>\nconst { createApp: mk } = Vue;\nmk({ data() { return {}; } });\n</script>\n",
        """\
            <script>
            app.component('badge', { props: ['n'], template: '<b>${ n }</b>' });
            </script>
            """,
        "<script>\nconst App = { data() { return {}; } };\nVue.createApp(App);\n</script>\n",
    )
    limits = (
        "`createApp` is `Vue.createApp`, a bare `createApp`, or the name it was taken under "
        "(`const { createApp: mk } = Vue`, `import { createApp as mk } from 'vue'`). "
        "Options given by a variable are followed only to a `const X = {...}` in the same "
        "file (with keys assigned to it later, `X.delimiters = config.delimiters`); options "
        "built elsewhere are assumed right. An app configured through "
        "`app.config.compilerOptions.delimiters` (or a `compilerOptions` object with "
        "`delimiters`) anywhere in the file counts as configured. "
        "In `.js` files an app with its own inline `template:` or `render` is not flagged: "
        "Jinja never sees its `{{ }}` (a `template: '#id'` selector is: that element is in "
        "a page Jinja renders). "
        "A component is flagged when its template (a `template: '#id'` element of the same "
        "page, or a `template:` string; `\\${` in a template literal) holds `${ }` and "
        "neither the component nor an `app.config.compilerOptions` in the file sets "
        "`delimiters`; a component in a `.js` file whose template is a `#id` element "
        "elsewhere is not judged. "
        "Only Jinja templates (see STK002's `template-folders`) and `.js` files are "
        "checked: a plain HTML page elsewhere (`static/demo/index.html`) is not rendered by "
        "Jinja, so Vue's own `{{ }}` work there."
    )

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        # A plain HTML page (not under a template folder) is not rendered by Jinja: Vue's
        # own `{{ }}` reach Vue there.
        text = context.text
        if context.is_jinja and context.scripts and ("createApp" in text or "${" in text):
            cls._check(context, in_template=True)

    @classmethod
    def check_js(cls, context: JsContext) -> None:
        if "createApp" in context.source or "${" in context.source:
            cls._check(context, in_template=False)

    @classmethod
    def _check(cls, context: TemplateContext | JsContext, in_template: bool) -> None:
        facts = context.js
        # `app.config.compilerOptions.delimiters` reaches every component of the app.
        configured_elsewhere = _COMPILER_DELIMITERS.search(facts.text) is not None
        for options in facts.options:
            if options.kind == "app":
                cls._check_app(context, options, in_template, configured_elsewhere)
            elif options.kind == "component" and not configured_elsewhere:
                cls._check_component(context, options, in_template)

    @classmethod
    def _check_app(
        cls,
        context: TemplateContext | JsContext,
        options: Any,
        in_template: bool,
        configured_elsewhere: bool,
    ) -> None:
        facts = context.js
        delimiters = _delimiters_option(options, facts)
        if delimiters is not None:
            cls._check_value(context, delimiters, in_template)
            return
        if configured_elsewhere or _spread(options) or "render" in options.keys:
            return
        template = options.keys.get("template")
        if not in_template and template is not None and not _selects_markup(template[1], facts):
            return  # an inline template: Jinja never sees its `{{ }}`
        function = options.call.child_by_field_name("function")
        # Jinja renders the page, never a static .js file: say where the `{{ }}` went.
        where = (
            "Vue will read `{{ }}`, which Jinja has already rendered"
            if in_template
            else "Vue will read `{{ }}` in the page it mounts on, where Jinja renders them "
            "on the server first"
        )
        context.report(
            cls,
            function.start_byte,
            function.end_byte,
            f"`createApp` options without `delimiters: config.delimiters`: {where}, and show "
            "`${ }` as text",
        )

    @classmethod
    def _check_component(
        cls, context: TemplateContext | JsContext, options: Any, in_template: bool
    ) -> None:
        """A component whose template uses `${ }` needs `delimiters` of its own: Vue reads
        them from the component's own options, never from the app's or a mixin's."""
        facts = context.js
        delimiters = _delimiters_option(options, facts)
        if delimiters is not None:
            cls._check_value(context, delimiters, in_template)
            return
        entry = options.keys.get("template")
        if entry is None or entry[1] is None or _spread(options) or "render" in options.keys:
            return
        template = _component_template(context, entry[1], in_template)
        interpolation = _DOLLAR_INTERPOLATION.search(template or "")
        if interpolation is None:
            return
        key = entry[0]
        context.report(
            cls,
            key.start_byte,
            key.end_byte,
            "This component's template uses `${ }` but the component sets no `delimiters`: "
            "Vue reads each component's own (the app's do not carry over), so it shows "
            f"`{interpolation.group()}` as text; add `delimiters: config.delimiters`",
        )

    @classmethod
    def _check_value(
        cls, context: TemplateContext | JsContext, value: Any, in_template: bool
    ) -> None:
        # The file's own text: in a template Jinja has blanked `{{', '}}` in `facts`.
        original = context.text[value.start_byte : value.end_byte] if value else ""
        if _default_delimiters(original):
            where = (
                "Jinja renders them first"
                if in_template
                else "Jinja renders them first in the page the app mounts on"
            )
            context.report(
                cls,
                value.start_byte,
                value.end_byte,
                f"`delimiters` set to Jinja's `{{{{ }}}}`: {where}; use "
                "`delimiters: config.delimiters` (`${ }`)",
            )


# A Vue interpolation with stk's delimiters, as Vue's compiler finds it.
_DOLLAR_INTERPOLATION = re.compile(r"\$\{[^}]*\}")
# In a template literal: JavaScript's own `${`, not the escaped `\\${` Vue receives as `${`.
_JS_SUBSTITUTION = re.compile(r"(?<!\\)\$\{")


def _delimiters_option(options: Any, facts: JsFacts) -> Any:
    """The value node of `delimiters`, or of `compilerOptions: { delimiters }`, if set."""
    delimiters = options.keys.get("delimiters")
    if delimiters is not None:
        return delimiters[1]
    compiler = options.keys.get("compilerOptions")
    if compiler is None or compiler[1] is None or compiler[1].type != "object":
        return None
    for pair in compiler[1].named_children:
        if pair.type == "pair" and facts.node_text(pair.child_by_field_name("key")) == "delimiters":
            return pair.child_by_field_name("value")
    return None


def _spread(options: Any) -> bool:
    """`{ ...base }`: options from elsewhere, not followed."""
    return any(child.type == "spread_element" for child in options.node.named_children)


def _component_template(
    context: TemplateContext | JsContext, value: Any, in_template: bool
) -> str | None:
    """The template text Vue compiles for a component: a `'#id'` element of this page, or
    the string itself (a template literal's `\\${` is Vue's `${`, a bare `${` is JS's)."""
    text = context.js.node_text(value)
    if value.type == "string" and text[1:2] == "#":
        if not in_template:
            return None  # the element is in some page, not here
        return context.element_content(text[2:-1].strip())  # type: ignore[union-attr]
    if value.type == "string":
        return text[1:-1]
    if value.type == "template_string":
        return _JS_SUBSTITUTION.sub("", text).replace("\\${", "${")
    return None


def _selects_markup(value: Any, facts: JsFacts) -> bool:
    """`template: '#main-tpl'`: the template is an element of a page Jinja renders."""
    return value is not None and value.type == "string" and facts.node_text(value)[1:2] == "#"


class VueCompositionApi(TemplateRule):
    code = "STK403"
    languages = (TEMPLATE, JS)
    name = "vue-composition-api"
    summary = "Composition API in an stk page: `setup()`, `<script setup>`, `ref`/`reactive`/`onMounted`..."
    why = (
        "stk pages use Vue's Options API (`data()`, `methods`, `computed`, `mounted()`): "
        "the shared `layoutMixin`, `registerStkComponents` and every page follow it, and a "
        "page mixing in `setup()` state is read differently from all the others. "
        "`<script setup>` needs a build step stk does not have: the browser runs it as a "
        "plain script and fails."
    )
    bad = (
        PAGE_SCRIPT.replace("const {createApp} = Vue;", "const {createApp, ref} = Vue;")
        .replace(
            "  data() {\n    return { items: [], selected: null };\n  },\n",
            "  setup() {\n    const items = ref([]);\n    return { items };\n  },\n",
        )
        .replace("{% endblock %}\n{% block js %}", '{% extends "layout.html" %}\n{% block js %}', 1)
    )
    good = PAGE_SCRIPT.replace(
        "{% endblock %}\n{% block js %}", '{% extends "layout.html" %}\n{% block js %}', 1
    )
    valid = (
        """\
            <script>
            const {createApp, toRaw, nextTick} = Vue;
            createApp({ delimiters: config.delimiters, computed: { total() { return 1; } }, watch: { q() {} }, mounted() {} });
            </script>
            """,
        "<script>\nfunction ref(x) { return x; }\nconst r = ref(1);\n</script>\n",
        "<script>\nconst { ref } = Vue;\nfunction cell(ref) { return ref(1); }\n</script>\n",
    )
    invalid = (
        "<script>\nconst {reactive} = Vue;\nconst state = reactive({ n: 1 });\n</script>\n",
        "<script>\nconst n = Vue.ref(0);\n</script>\n",
        "<script setup>\nconst n = 1;\n</script>\n",
        "<script>\nVue.createApp({ delimiters: config.delimiters, setup() { return {}; } });\n</script>\n",
        '<script type="module">\nimport { onMounted as om } from "vue";\nom(() => {});\n</script>\n',
    )
    limits = (
        "Composition functions are recognised when taken from `Vue` (`const { ref } = Vue`, "
        "`Vue.ref(...)`) or imported from `vue`; a wrapper around them elsewhere is not "
        "followed; a parameter or block-local of the same name (`function f(ref) { ref(1) "
        "}`) is not Vue's. `setup` is flagged in the options of `createApp`, `app.component`, "
        "`defineComponent` and objects with a `template:`. `computed()` inside a "
        "`provide()` option is the Options API's documented way to provide a reactive "
        "value, so calls there are not flagged."
    )

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        for tag, _, _ in context.scripts:
            setup = tag.attribute("setup")
            if setup is not None:
                context.report(
                    cls,
                    setup.start,
                    setup.start + len(setup.name),
                    "`<script setup>` needs a build step stk does not have; write the page "
                    "with `createApp({ data(), methods, mounted() })`",
                )
        if context.scripts:
            cls._check(context)

    @classmethod
    def check_js(cls, context: JsContext) -> None:
        cls._check(context)

    @classmethod
    def _check(cls, context: TemplateContext | JsContext) -> None:
        from stk_lint.templates.js import within_option

        facts = context.js
        for options in facts.options:
            entry = options.keys.get("setup")
            if entry is not None and entry[0] is not None:
                key = entry[0]
                context.report(
                    cls,
                    key.start_byte,
                    key.end_byte,
                    "`setup()` is the Composition API; stk pages use the Options API: "
                    "`data()`, `methods`, `computed`, `mounted()`",
                )
        for call in facts.composition_calls:
            if within_option(call, "provide", facts.text):
                continue  # `provide() { return { total: computed(() => this.total) } }`
            function = call.child_by_field_name("function")
            name = facts.node_text(function)
            context.report(
                cls,
                function.start_byte,
                function.end_byte,
                f"`{name}()` is the Composition API; stk pages keep state in `data()`, "
                "derived values in `computed`, and lifecycle work in `mounted()`",
            )
