"""A forgiving HTML tag scanner for templates.

It runs over the template with every Jinja construct blanked out (same length, so
offsets are the file's), which keeps `{% if %}` inside a tag or a `"` inside
`{{ ... }}` from confusing it. It never fails: unclosed tags stay open until a
matching end tag or the end of the file, stray end tags are ignored, and an
unterminated quote ends at the tag's `>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from stk_lint.templates.jinja import BRANCH, CLOSE, OPEN

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
    | {"param", "source", "track", "wbr"}
)
RAW_TEXT = frozenset({"script", "style"})
# Script types whose body is Vue markup (`template: '#row-tpl'`), not JavaScript: their
# tags, `v-for`s and `{{ }}` are read like the rest of the page.
MARKUP_SCRIPT_TYPES = frozenset({"text/x-template", "text/html"})

_OPENING = re.compile(r"<!--|<(/?)([A-Za-z][^\s/>]*)")
_ATTRIBUTE_NAME = re.compile(r"[^\s\"'>/=]+")


@dataclass
class Attribute:
    name: str  # as written (`:prepend-icon`, `v-slot:item.actions`, `#item`)
    start: int
    value: str | None = None
    value_start: int = -1  # offsets of the value without its quotes
    value_end: int = -1


@dataclass
class Tag:
    name: str  # lower case
    start: int
    end: int
    closing: bool = False
    self_closing: bool = False
    attributes: list[Attribute] = field(default_factory=list)

    def attribute(self, *names: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name.lower() in names), None)


@dataclass
class Element:
    """An open element: the tag that opened it and where its content begins."""

    tag: Tag
    content_start: int
    content_end: int = -1  # set when closed (or at the end of the file)


@dataclass
class Document:
    tags: list[Tag]
    comments: list[tuple[int, int]]
    raw_text: list[tuple[Tag, int, int]]  # script/style: (opening tag, content start, end)


def scan(text: str) -> Document:
    tags: list[Tag] = []
    comments: list[tuple[int, int]] = []
    raw_text: list[tuple[Tag, int, int]] = []
    pos = 0
    while True:
        match = _OPENING.search(text, pos)
        if match is None:
            break
        if match.group() == "<!--":
            end = text.find("-->", match.end())
            end = len(text) if end < 0 else end + 3
            comments.append((match.start(), end))
            pos = end
            continue
        tag = _tag(text, match)
        tags.append(tag)
        pos = tag.end
        if tag.name in RAW_TEXT and not tag.closing and not tag.self_closing:
            if _holds_markup(tag):
                continue
            close = re.compile(rf"</{tag.name}[\s>/]", re.IGNORECASE).search(text, pos)
            content_end = close.start() if close else len(text)
            raw_text.append((tag, pos, content_end))
            pos = content_end
    return Document(tags, comments, raw_text)


def _holds_markup(tag: Tag) -> bool:
    kind = tag.attribute("type") if tag.name == "script" else None
    return kind is not None and (kind.value or "").strip().lower() in MARKUP_SCRIPT_TYPES


def _tag(text: str, match: re.Match[str]) -> Tag:
    closing = match.group(1) == "/"
    tag = Tag(match.group(2).lower(), match.start(), len(text), closing)
    pos = match.end()
    length = len(text)
    while pos < length:
        pos = _skip_space(text, pos)
        if pos >= length:
            break
        char = text[pos]
        if char == ">":
            tag.end = pos + 1
            return tag
        if text.startswith("/>", pos):
            tag.self_closing = True
            tag.end = pos + 2
            return tag
        if char in "/\"'=":
            pos += 1  # stray punctuation: skip it as browsers do
            continue
        name = _ATTRIBUTE_NAME.match(text, pos)
        assert name is not None
        attribute = Attribute(name.group(), pos)
        tag.attributes.append(attribute)
        pos = name.end()
        after = _skip_space(text, pos)
        if after < length and text[after] == "=":
            pos = _skip_space(text, after + 1)
            pos = _value(text, pos, attribute)
    tag.end = length
    return tag


def _skip_space(text: str, pos: int) -> int:
    length = len(text)
    while pos < length and text[pos].isspace():
        pos += 1
    return pos


def _value(text: str, pos: int, attribute: Attribute) -> int:
    if pos < len(text) and text[pos] in "\"'":
        quote = text[pos]
        close = text.find(quote, pos + 1)
        if close < 0:
            close = text.find(">", pos + 1)
            close = len(text) if close < 0 else close
            attribute.value_start, attribute.value_end = pos + 1, close
            attribute.value = text[pos + 1 : close]
            return close
        attribute.value_start, attribute.value_end = pos + 1, close
        attribute.value = text[pos + 1 : close]
        return close + 1
    unquoted = re.compile(r"[^\s>]*").match(text, pos)
    assert unquoted is not None
    attribute.value_start, attribute.value_end = pos, unquoted.end()
    attribute.value = unquoted.group()
    return unquoted.end()


# The name of the empty tags `elements` yields at Jinja branch points: no HTML tag has it.
JINJA_BRANCH = "%branch"


def elements(
    document: Document, length: int, branches: Sequence[tuple[int, str]] = ()
) -> Iterator[tuple[Tag, list[Element]]]:
    """Each tag with the elements open just before it (outermost first).

    The list is live: it is the scanner's own stack, so copy it to keep it.

    With the template's Jinja `branches` (see `jinja.JinjaScan.branches`), each
    alternative of an `{% if %}`/`{% else %}` starts from the elements open at the
    `{% if %}`, and the last one's elements stay open after `{% endif %}`: an element
    opened in both branches and closed once after them is one element, not two. Those
    points are yielded too, as empty tags named JINJA_BRANCH, so a caller sees the
    stack as it was just before each.
    """
    stack: list[Element] = []
    at_open: list[list[Element]] = []  # the stack at each `{% if %}` still open
    events = [(tag.start, tag, "") for tag in document.tags]
    events += [(offset, Tag(JINJA_BRANCH, offset, offset), kind) for offset, kind in branches]
    events.sort(key=lambda event: event[0])
    for _, tag, branch in events:
        yield tag, stack
        if branch:
            _follow_branch(stack, at_open, branch, tag.start)
        elif tag.closing:
            _close(stack, tag)
        elif not tag.self_closing and tag.name not in VOID:
            stack.append(Element(tag, tag.end))
    for element in stack:
        element.content_end = length


def _close(stack: list[Element], tag: Tag) -> None:
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].tag.name == tag.name:
            for element in stack[depth:]:
                element.content_end = tag.start
            del stack[depth:]
            return


def _follow_branch(stack: list[Element], at_open: list[list[Element]], kind: str, at: int) -> None:
    if kind == OPEN:
        at_open.append(list(stack))
    elif kind == BRANCH and at_open:
        kept = {id(element) for element in at_open[-1]}
        for element in stack:
            if id(element) not in kept:
                element.content_end = at  # opened in the branch that ends here
        stack[:] = at_open[-1]
    elif kind == CLOSE and at_open:
        at_open.pop()
