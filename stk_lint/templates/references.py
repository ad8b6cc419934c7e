"""What a template names in other files: templates (`extends`, `include`, `import`),
`url_for` endpoints, and the blocks it fills; read from Jinja's tree, placed by offset.

Only constant names are returned: a name built at render time is nobody's to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stk_lint.templates.context import TemplateContext


@dataclass(frozen=True)
class Reference:
    start: int  # offsets of the name's string literal (or the block's name)
    end: int
    names: tuple[str, ...]  # one, or the candidates of a list (`{% include [a, b] %}`)
    kind: str  # "extends", "include", "import", "from", "url_for", "block"


def _literal(text: str, start: int, value: str) -> tuple[int, int]:
    """The span of the string literal `value` at or after `start` (or of `start`'s line)."""
    best = -1
    for quote in ('"', "'"):
        at = text.find(f"{quote}{value}{quote}", start)
        if at >= 0 and (best < 0 or at < best):
            best = at
    if best < 0:
        line_end = text.find("\n", start)
        return start, start if line_end < 0 else line_end
    return best, best + len(value) + 2


def _names(node: Any, nodes: Any) -> tuple[str, ...] | None:
    """`"a.html"` -> ("a.html",); `["a.html", "b.html"]` -> both; anything computed: None."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (nodes.List, nodes.Tuple)) and node.items:
        values = [item.value for item in node.items if isinstance(item, nodes.Const)]
        if len(values) == len(node.items) and all(isinstance(v, str) for v in values):
            return tuple(values)
    return None


def template_references(context: TemplateContext) -> list[Reference]:
    """Templates named by `{% extends %}`, `{% include %}` (without `ignore missing`),
    `{% import %}` and `{% from ... import %}`."""
    tree = context.jinja.tree
    if tree is None:
        return []
    from jinja2 import nodes

    found = []
    text = context.text
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        if isinstance(node, nodes.Include) and node.ignore_missing:
            continue
        names = _names(node.template, nodes)
        if names is None:
            continue
        kind = {
            nodes.Extends: "extends",
            nodes.Include: "include",
            nodes.FromImport: "from",
        }.get(type(node), "import")
        start, end = _literal(text, context.line_start(node.lineno), names[0])
        found.append(Reference(start, end, names, kind))
    return found


# Functions that build a URL from an endpoint: (prefix added to the name, kind).
URL_BUILDERS = {"url_for": ("", "url_for"), "url_for_security": ("security.", "url_for_security")}


def url_for_calls(context: TemplateContext) -> list[Reference]:
    """`url_for("endpoint", ...)` calls with a constant endpoint, and quart-security's
    `url_for_security("login")` (the endpoint `security.login`)."""
    tree = context.jinja.tree
    if tree is None or "url_for" not in context.text:
        return []
    from jinja2 import nodes

    found = []
    text = context.text
    rebound = {name for name in URL_BUILDERS if _rebinds(tree, nodes, name)}
    for call in tree.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name) or call.node.name not in URL_BUILDERS:
            continue
        if call.node.name in rebound:
            continue
        if not call.args or not isinstance(call.args[0], nodes.Const):
            continue
        endpoint = call.args[0].value
        if not isinstance(endpoint, str):
            continue
        prefix, kind = URL_BUILDERS[call.node.name]
        start, end = _literal(text, context.line_start(call.lineno), endpoint)
        found.append(Reference(start, end, (prefix + endpoint,), kind))
    return found


def _rebinds(tree: Any, nodes: Any, name: str) -> bool:
    """Whether the template binds the name itself (`{% set %}`, a macro parameter, an
    import): then it is not Quart's."""
    for node in tree.find_all(nodes.Name):
        if node.name == name and node.ctx in ("store", "param"):
            return True
    for node in tree.find_all(nodes.FromImport):
        for item in node.names:
            if (item[1] if isinstance(item, tuple) else item) == name:
                return True
    if any(node.name == name for node in tree.find_all(nodes.Macro)):
        return True
    return any(node.target == name for node in tree.find_all(nodes.Import))


_BLOCK = re.compile(r"\{%[-+]?\s*block\s+(\w+)")


def filled_blocks(context: TemplateContext) -> tuple[str | None, list[Reference]]:
    """(the constant parent, the blocks the template fills at its top level): a block
    nested in another block renders as part of it, whatever the parent defines. No
    parent when the `{% extends %}` is not a single, unconditional, constant one."""
    tree = context.jinja.tree
    if tree is None or "extends" not in context.text:
        return None, []
    from jinja2 import nodes

    from stk_lint.app_index import facts_of_tree

    facts = facts_of_tree(tree, nodes)
    if facts.parent is None:
        return None, []
    found = []
    text = context.text
    for block in _outer_blocks(tree, nodes):
        start = context.line_start(block.lineno)
        match = _BLOCK.search(text, start)
        while match is not None and match.group(1) != block.name:
            match = _BLOCK.search(text, match.end())
        if match is None:
            continue
        found.append(Reference(match.start(1), match.end(1), (block.name,), "block"))
    return facts.parent, found


def _outer_blocks(node: Any, nodes: Any) -> list[Any]:
    found = []
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            found.append(child)
        else:
            found.extend(_outer_blocks(child, nodes))
    return found
