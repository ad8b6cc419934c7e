"""What Vue makes of a page: the names it binds in the markup (`v-for` variables and slot
props of enclosing elements), and where each app's and component's state applies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stk_lint.templates.html import Element, Tag
from stk_lint.templates.js import default_delimiters

if TYPE_CHECKING:
    from stk_lint.templates.js import JsFacts

_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_V_FOR = re.compile(r"^\s*(?P<lhs>.+?)\s+(?:in|of)\s+", re.DOTALL)
_JS_WORDS = frozenset({"true", "false", "null", "undefined", "in", "of", "this"})


def pattern_names(pattern: str) -> set[str]:
    """Identifiers a binding pattern binds: `item`, `(item, index)`, `{ item, index: i }`,
    `{ item = {} }` (only the name before `=`; after `:` the renamed local)."""
    names = set()
    depth = 0
    skip_depth = -1  # while >= 0: inside a default value opened at this depth
    pos = 0
    while pos < len(pattern):
        char = pattern[pos]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < skip_depth:
                skip_depth = -1
        elif char == "," and depth == skip_depth:
            skip_depth = -1  # `{ a = [x, y], b }`: only the comma that ends the default
        elif char == "=" and skip_depth < 0:
            skip_depth = depth  # a default value: not a binding
        elif char == ":" and skip_depth < 0:
            names_before = _IDENTIFIER.findall(pattern[:pos])
            if names_before:
                names.discard(names_before[-1])  # `{ key: local }` binds local
        elif char in "'\"`":
            end = pattern.find(char, pos + 1)
            pos = len(pattern) if end < 0 else end
        match = _IDENTIFIER.match(pattern, pos)
        if match and (pos == 0 or not (pattern[pos - 1].isalnum() or pattern[pos - 1] in "_$.")):
            if skip_depth < 0 and match.group() not in _JS_WORDS:
                names.add(match.group())
            pos = match.end()
            continue
        pos += 1
    return names


_JS_STRING = re.compile(r"""'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`""")


def root_names(expression: str) -> set[str]:
    """Identifiers a JavaScript expression reads at its root: `item` and `fmt` in
    `fmt(item.created, 'short')`; not properties, keywords or string contents."""
    code = _JS_STRING.sub("''", expression)
    names = set()
    for match in _IDENTIFIER.finditer(code):
        before = code[: match.start()].rstrip()
        if before.endswith(".") or (before[-1:].isalnum() and before == code[: match.start()]):
            continue  # a property (`item.name`), or the tail of a number (`1e5`)
        if match.group() not in _JS_WORDS:
            names.add(match.group())
    return names


def bindings(tag: Tag) -> tuple[set[str], set[str]]:
    """(names bound on the element itself and inside it, names bound only inside it)."""
    own: set[str] = set()
    inside: set[str] = set()
    for attribute in tag.attributes:
        name = attribute.name
        value = attribute.value or ""
        if name == "v-for":
            match = _V_FOR.match(value)
            if match:
                own |= pattern_names(match.group("lhs"))
        elif (name.startswith(("v-slot", "#")) or name == "slot-scope") and value.strip():
            inside |= pattern_names(value)
    return own, own | inside


# --- where each app's and component's state applies on a page -------------------------


@dataclass
class VueScopes:
    page: frozenset[str]  # apps' state, and components' whose template is elsewhere
    by_id: dict[str, frozenset[str]]  # `template: '#id'` components, by element id
    by_string: dict[tuple[int, int], frozenset[str]]  # `template: '...'`, by string span
    without_delimiters: frozenset[str]  # ids of `#id` components on Vue's `{{ }}`


def scopes_of(facts: JsFacts, element_ids: set[str], text: str) -> VueScopes:
    """Where the state of each app and component applies.

    An app mounted on an element of this file (`.mount('#notes')`) is scoped to that
    element like a `template: '#id'` component; the main app is usually mounted on
    the layout's `#app`, not in this file, and its state applies page-wide.

    A component's props and data exist only inside its own template: a
    `props: ['item']` component with `template: '#item-tpl'` says nothing about a
    server `{{ item.name }}` elsewhere on the page, and one without a template here
    (a `render()` function, a template from elsewhere) says nothing about any of it.
    A mixin's state goes where its owners' goes.
    """
    page: set[str] = set()
    by_id: dict[str, set[str]] = {}
    by_string: dict[tuple[int, int], set[str]] = {}
    without_delimiters: set[str] = set()
    for options in facts.options:
        state = options.state(facts.text)
        for scope in _scopes(options, facts, element_ids):
            if scope is _PAGE:
                page |= state
            elif isinstance(scope, str):
                by_id.setdefault(scope, set()).update(state)
                if options.kind != "mixin" and not own_delimiters(options, text):
                    without_delimiters.add(scope)
            else:
                by_string.setdefault(scope, set()).update(state)
    return VueScopes(
        frozenset(page),
        {k: frozenset(v) for k, v in by_id.items()},
        {k: frozenset(v) for k, v in by_string.items()},
        frozenset(without_delimiters),
    )


def own_delimiters(options: Any, text: str) -> bool:
    """Whether component options set delimiters other than Vue's `{{ }}`."""
    delimiters = options.keys.get("delimiters")
    if delimiters is None or delimiters[1] is None:
        return False
    value = delimiters[1]
    return not default_delimiters(text[value.start_byte : value.end_byte])


_PAGE = None  # the scope of an app mounted outside this file: the whole page
Scope = str | tuple[int, int] | None  # an element id, a `template:` string's span, _PAGE


def _scopes(
    options: Any, facts: JsFacts, element_ids: set[str], seen: frozenset[int] = frozenset()
) -> list[Scope]:
    """Where the state of an app, component or mixin can be read on this page."""
    if options.kind == "mixin":
        seen = seen | {id(options)}  # mixins of mixins, with no endless cycle
        return [
            scope
            for owner in options.owners
            if id(owner) not in seen
            for scope in _scopes(owner, facts, element_ids, seen)
        ]
    if options.kind == "app":
        mounted_on = facts.mount_target(options)
        # A second app on its own element of this page (`other.mount('#notes')`).
        return [mounted_on] if mounted_on in element_ids else [_PAGE]
    entry = options.keys.get("template")
    value = entry[1] if entry is not None else None
    if value is None:
        return []
    if value.type == "string" and facts.node_text(value)[1:2] == "#":
        return [facts.node_text(value)[2:-1].strip()]
    if value.type in ("string", "template_string"):
        return [(value.start_byte, value.end_byte)]
    return []


def skipped_by_vue(stack: list[Element], tag: Tag | None) -> bool:
    """Inside (or on) a `v-pre` element: Vue does not compile it, so its braces are the
    server's or literal text."""
    if tag is not None and not tag.closing and tag.attribute("v-pre") is not None:
        return True
    return any(element.tag.attribute("v-pre") is not None for element in stack)
