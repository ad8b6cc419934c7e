"""How stk-lint walks libcst trees: which fields of a node hold nodes worth visiting.

Shared by the engine's traversal and by the positions pass; both skip whitespace and
punctuation, where nothing a rule looks for lives.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator

import libcst as cst

# Nodes that hold only layout: nothing a rule looks for lives below them.
LAYOUT_TYPES: tuple[type, ...] = (
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Newline,
    cst.Comment,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.Comma,
    cst.Semicolon,
    cst.Colon,
    cst.Dot,
    cst.AssignEqual,
)
LAYOUT_FIELDS = frozenset(
    {"lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators"}
    | {"header", "footer", "trailing_whitespace", "newline", "equal", "colon", "dot"}
)
_child_fields: dict[type, tuple[str, ...]] = {}


def fields_of(node_type: type) -> tuple[str, ...]:
    """A node type's child fields in source order, as libcst's own visitor takes them.

    libcst's generated `_visit_and_replace_children` names each field as a string
    constant in the order it visits them (decorators before the body, etc.).
    """
    fields = _child_fields.get(node_type)
    if fields is None:
        declared = [f.name for f in dataclasses.fields(node_type)]
        visit_children = getattr(node_type, "_visit_and_replace_children", None)
        constants = getattr(getattr(visit_children, "__code__", None), "co_consts", ())
        ordered = [c for c in constants if isinstance(c, str) and c in declared]
        ordered += [name for name in declared if name not in ordered]
        text_fields = {
            f.name
            for f in dataclasses.fields(node_type)
            if f.type in (str, bool) or typing.get_origin(f.type) is typing.Literal
        }
        fields = tuple(
            name
            for name in dict.fromkeys(ordered)
            if not name.startswith("whitespace")
            and name not in LAYOUT_FIELDS
            and name not in text_fields  # `Name.value`: a leaf has no child fields at all
        )
        _child_fields[node_type] = fields
    return fields


# How the walker treats a value found in a node field, by the value's exact type:
# NODE is walked, SEQUENCE has its items looked at, SKIP is neither. Deciding it
# once per type replaces an isinstance check against libcst's ABC on every value.
SKIP, NODE, SEQUENCE = 0, 1, 2
KINDS: dict[type, int] = {}


def kind_of(value_type: type) -> int:
    if issubclass(value_type, cst.CSTNode):
        kind = SKIP if issubclass(value_type, LAYOUT_TYPES) else NODE
    elif issubclass(value_type, (tuple, list)):
        kind = SEQUENCE
    else:
        kind = SKIP
    KINDS[value_type] = kind
    return kind


def child_nodes(node: cst.CSTNode, fields: tuple[str, ...]) -> list[cst.CSTNode]:
    """The nodes directly below `node` in the given fields, in source order; layout skipped."""
    children: list[cst.CSTNode] = []
    for field_name in fields:
        value = getattr(node, field_name)
        kind = KINDS.get(type(value))
        if kind is None:
            kind = kind_of(type(value))
        if kind == NODE:
            children.append(value)
        elif kind == SEQUENCE:
            for item in value:
                item_kind = KINDS.get(type(item))
                if item_kind is None:
                    item_kind = kind_of(type(item))
                if item_kind == NODE:
                    children.append(item)
    return children


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The nodes directly below `node`, in source order; layout skipped."""
    return child_nodes(node, fields_of(type(node)))


def descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node and every node below it, in no particular order; layout skipped."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(children(node))
