"""Names Vue binds in the markup: `v-for` variables and slot props of enclosing elements."""

from __future__ import annotations

import re

from stk_lint.templates.html import Tag

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
