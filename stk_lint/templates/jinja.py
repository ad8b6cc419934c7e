"""The Jinja layer of a template, read with Jinja's own lexer and parser.

Jinja's lexer gives tokens with line numbers but no offsets; every token's text
is found again in the source in order, which gives exact offsets. Jinja's parser
gives the tree: for every `{{ ... }}` output we work out which names Jinja itself
binds at that point (`for`, `set`, `with`, macro and call-block parameters,
imports, `loop`...). Jinja is imported only when a template is checked.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

# Names every template can use without the view passing them: Jinja's own and Quart's.
JINJA_GLOBALS = frozenset(
    {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "self", "super", "caller"}
    | {"varargs", "kwargs", "loop", "true", "false", "none", "True", "False", "None"}
    | {"url_for", "get_flashed_messages", "config", "request", "session", "g"}
    | {"current_user", "_", "gettext", "ngettext", "csrf_token"}
)
_KEYWORDS = frozenset({"and", "or", "not", "in", "is", "if", "else", "recursive"})


@dataclass
class Output:
    """One `{{ ... }}` in the template (outside `{% raw %}`)."""

    start: int  # offset of `{{`
    end: int  # offset just past `}}`
    inner_start: int  # the expression text, between the delimiters and their `-`/`+`
    inner_end: int
    line: int
    trimmed: bool  # `{{-` or `-}}`: whitespace control a Vue interpolation cannot keep
    token_names: frozenset[str]  # names in the expression, from the lexer
    expression_line: int = 0  # line of the expression's first token (the tree's lineno)
    # Filled in from the parse tree when the template parses:
    names: tuple[str, ...] | None = None  # names the expression reads, in tree order
    bound: frozenset[str] = frozenset()  # names Jinja binds where the output stands
    filtered: bool = False  # uses a Jinja filter (`| tojson`): server-side on purpose
    # The expression reads the same as a JavaScript (Vue) expression: names, `.`, `[]`,
    # calls, constants, `==`/`!=`, comparisons, `+`/`-`. Tokens first, then the tree.
    javascript: bool = False
    in_trans: bool = False
    block: str | None = None  # the innermost `{% block %}` holding it


@dataclass
class RawOutput:
    """A `{{ ... }}` inside `{% raw %}`: passed through to the page as is."""

    start: int
    end: int
    inner_start: int
    inner_end: int


@dataclass
class Comment:
    start: int
    end: int
    text: str  # `{#` + body


OUTPUT, BLOCK, COMMENT = "output", "block", "comment"
OPEN, BRANCH, CLOSE = "open", "branch", "close"
_BRANCH_WORDS = {
    "if": OPEN,
    "for": OPEN,
    "elif": BRANCH,
    "else": BRANCH,  # of an `if`, or of a `for` (run when the sequence is empty)
    "endif": CLOSE,
    "endfor": CLOSE,
}


@dataclass
class JinjaScan:
    text: str  # the source with `\r\n` as ` \n`: same length, same offsets
    masked: str  # the markup with every Jinja construct blanked (expressions become `0`)
    outputs: list[Output] = field(default_factory=list)
    raw_outputs: list[RawOutput] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    # Every Jinja construct in order: (start, end, OUTPUT | BLOCK | COMMENT).
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    # Where `{% if %}`/`{% for %}` open alternatives, switch to another (`elif`, `else`)
    # and end: (offset of the tag, OPEN | BRANCH | CLOSE), for the HTML layer.
    branches: list[tuple[int, str]] = field(default_factory=list)
    # (message, line) when Jinja cannot lex or parse the template.
    error: tuple[str, int] | None = None
    tree: Any = None  # Jinja's parse tree (`jinja2.nodes.Template`) when it parses

    def without_tags(self, start: int, end: int) -> str:
        """The source between two offsets with `{% %}` and `{# #}` blanked, `{{ }}` kept:
        `class="ti {% if ok %}ti-check{% endif %}"` reads as the classes it can have."""
        text = self.text[start:end]
        if "{%" not in text and "{#" not in text:
            return text
        pieces = []
        pos = start
        for a, b, kind in self.spans:
            if b <= start or kind == OUTPUT:
                continue
            if a >= end:
                break
            a, b = max(a, start), min(b, end)
            pieces.append(self.text[pos:a])
            pieces.append(" " * (b - a))
            pos = b
        pieces.append(self.text[pos:end])
        return "".join(pieces)


@cache
def environment() -> Any:
    import jinja2

    return jinja2.Environment(
        extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"],
        autoescape=True,
    )


def normalize_newlines(source: str) -> str:
    """Jinja reads `\r\n` as one newline; keep offsets by turning it into space + newline."""
    if "\r" not in source:
        return source
    return source.replace("\r\n", " \n").replace("\r", "\n")


def scan(source: str) -> JinjaScan:
    from jinja2 import TemplateSyntaxError

    text = normalize_newlines(source)
    env = environment()
    result = JinjaScan(text=text, masked=text)
    blanks = result.spans
    pos = 0
    line = 1
    current: Output | None = None
    tokens: list[tuple[str, str]] = []  # the current output's tokens, less whitespace
    block_start = 0
    block_words: list[str] = []
    comment_start = 0
    in_trans = False
    in_raw = False
    try:
        for _, kind, value in env.lexer.tokeniter(text, None):
            at = pos if text.startswith(value, pos) else text.find(value, pos)
            if at < 0:
                break  # cannot happen with Jinja's lexer; stop rather than misplace
            line += text.count("\n", pos, at)
            end = at + len(value)
            if kind == "variable_begin":
                trimmed = value.endswith(("-", "+"))
                current = Output(at, at, end, end, line, trimmed, frozenset())
                tokens = []
            elif kind == "variable_end" and current is not None:
                current.end = end
                current.inner_end = at
                current.trimmed = current.trimmed or value.startswith(("-", "+"))
                current.token_names = _root_names(tokens)
                current.javascript = _javascript_tokens(tokens)
                current.in_trans = in_trans
                result.outputs.append(current)
                blanks.append((current.start, end, OUTPUT))
                current = None
            elif current is not None:
                if kind != "whitespace":
                    current.expression_line = current.expression_line or line
                    tokens.append((kind, value))
            elif kind == "block_begin":
                block_start = at
                block_words = []
            elif kind == "name" and not block_words:
                block_words.append(value)
            elif kind == "block_end":
                blanks.append((block_start, end, BLOCK))
                word = block_words[0] if block_words else ""
                if word in _BRANCH_WORDS:
                    result.branches.append((block_start, _BRANCH_WORDS[word]))
                if word in ("trans", "pluralize"):
                    in_trans = True
                elif word == "endtrans":
                    in_trans = False
            elif kind in ("raw_begin", "raw_end"):
                blanks.append((at, end, BLOCK))
                in_raw = kind == "raw_begin"
            elif kind == "data" and in_raw:
                result.raw_outputs.extend(_raw_outputs(value, at))
            elif kind == "comment_begin":
                comment_start = at
            elif kind == "comment_end":
                result.comments.append(Comment(comment_start, end, text[comment_start:at]))
                blanks.append((comment_start, end, COMMENT))
            line += value.count("\n")
            pos = end
    except TemplateSyntaxError as error:
        result.error = (error.message or "invalid template", error.lineno or 1)
    result.masked = _mask(text, blanks)
    if result.error is None:
        try:
            tree = env.parse(text)
        except TemplateSyntaxError as error:
            result.error = (error.message or "invalid template", error.lineno or 1)
        except RecursionError:
            result.error = ("nested too deeply for Jinja's parser", 1)
        else:
            result.tree = tree
            # Too deep to walk: outputs keep names=None and are not judged.
            with contextlib.suppress(RecursionError):
                _attach_scopes(tree, result.outputs)
    return result


_RAW_OUTPUT = re.compile(r"\{\{(?P<inner>.*?)\}\}", re.DOTALL)


def _root_names(tokens: list[tuple[str, str]]) -> frozenset[str]:
    """Names in an expression that are not attributes (`item` in `item.name`)."""
    names = set()
    previous = ""
    for kind, value in tokens:
        if kind == "name" and previous != "." and value not in _KEYWORDS:
            names.add(value)
        previous = value
    return frozenset(names)


# Operators that mean the same in Jinja and JavaScript; the tree check rules out the
# rest (`(a, b)` is a tuple in Jinja, the comma operator in JavaScript).
_JAVASCRIPT_OPERATORS = frozenset(
    {".", "[", "]", "(", ")", ",", "==", "!=", "<", ">", "<=", ">=", "+", "-"}
)
# Jinja words with no meaning, or another one, in JavaScript (`true` and `false` are fine).
_JINJA_ONLY_NAMES = _KEYWORDS | {"True", "False", "None", "none"}


def _javascript_tokens(tokens: list[tuple[str, str]]) -> bool:
    """Whether every token of an expression is also JavaScript with the same meaning."""
    previous_kind, previous = "", ""
    for kind, value in tokens:
        if kind == "operator" and value not in _JAVASCRIPT_OPERATORS:
            return False
        if kind == "name" and value in _JINJA_ONLY_NAMES:
            return False
        if kind in ("integer", "float") and previous == ".":
            return False  # `item.0`
        if kind == "string" and ("\\" in value or previous_kind == "string"):
            return False  # escapes differ; `"a" "b"` is implicit concatenation
        if kind not in ("name", "operator", "integer", "float", "string"):
            return False
        previous_kind, previous = kind, value
    return bool(tokens)


def _raw_outputs(data: str, offset: int) -> list[RawOutput]:
    return [
        RawOutput(offset + m.start(), offset + m.end(), offset + m.start(1), offset + m.end(1))
        for m in _RAW_OUTPUT.finditer(data)
    ]


def _mask(text: str, blanks: list[tuple[int, int, str]]) -> str:
    if not blanks:
        return text
    pieces = []
    pos = 0
    for start, end, kind in blanks:
        pieces.append(text[pos:start])
        blank = re.sub(r"[^\n]", " ", text[start:end])
        if kind == OUTPUT:
            blank = "0" + blank[1:]  # a placeholder value, so scripts still parse
        pieces.append(blank)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


# --- scopes from the parse tree -------------------------------------------------------


def _target_names(node: Any) -> set[str]:
    from jinja2 import nodes

    return {n.name for n in node.find_all(nodes.Name)} | (
        {node.name} if isinstance(node, nodes.Name) else set()
    )


def _args(arguments: list[Any]) -> set[str]:
    return {arg.name for arg in arguments}


class _ScopeWalker:
    """Walks the tree in document order, recording each output with the names bound there."""

    def __init__(self) -> None:
        self.found: list[tuple[Any, frozenset[str], str | None]] = []
        self.blocks: list[str] = []

    def body(self, statements: list[Any], bound: frozenset[str]) -> frozenset[str]:
        for statement in statements:
            bound = self.statement(statement, bound)
        return bound

    def statement(self, node: Any, bound: frozenset[str]) -> frozenset[str]:
        from jinja2 import nodes

        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    block = self.blocks[-1] if self.blocks else None
                    self.found.append((child, bound, block))
            return bound
        if isinstance(node, nodes.For):
            inner = bound | _target_names(node.target) | {"loop"}
            self.body(node.body, inner)
            self.body(node.else_, bound)
            return bound
        if isinstance(node, nodes.If):
            after = self.body(node.body, bound)
            for branch in node.elif_:
                after |= self.statement(branch, bound)
            return after | self.body(node.else_, bound)
        if isinstance(node, nodes.Macro):
            self.body(node.body, bound | _args(node.args) | {"varargs", "kwargs", "caller"})
            return bound | {node.name}
        if isinstance(node, nodes.CallBlock):
            self.body(node.body, bound | _args(node.args))
            return bound
        if isinstance(node, nodes.With):
            targets: set[str] = set()
            for target in node.targets:
                targets |= _target_names(target)
            self.body(node.body, bound | targets)
            return bound
        if isinstance(node, nodes.Assign):
            return bound | _target_names(node.target)
        if isinstance(node, nodes.AssignBlock):
            self.body(node.body, bound)
            return bound | _target_names(node.target)
        if isinstance(node, nodes.Import):
            return bound | {node.target}
        if isinstance(node, nodes.FromImport):
            names = {n[1] if isinstance(n, tuple) else n for n in node.names}
            return bound | names
        if isinstance(node, nodes.Block):
            self.blocks.append(node.name)
            self.body(node.body, bound)
            self.blocks.pop()
            return bound
        body = getattr(node, "body", None)
        if isinstance(body, list):  # FilterBlock, Scope, ScopedEvalContextModifier...
            self.body(body, bound)
        return bound


def _expression_facts(node: Any) -> tuple[tuple[str, ...], bool, str | None]:
    """(names read, uses a filter, the first name) of an output expression."""
    from jinja2 import nodes

    names = tuple(n.name for n in node.find_all(nodes.Name) if n.ctx == "load")
    if isinstance(node, nodes.Name):
        names = (node.name, *names)
    filtered = isinstance(node, nodes.Filter) or any(True for _ in node.find_all(nodes.Filter))
    return names, filtered, (names[0] if names else None)


_JAVASCRIPT_COMPARISONS = frozenset({"eq", "ne", "lt", "gt", "lteq", "gteq"})
# Tree nodes JavaScript reads the same way, whatever their children.
_SAME_IN_JAVASCRIPT = frozenset(
    {"Name", "Const", "Getattr", "Add", "Sub", "Neg", "Pos", "List", "Operand"}
)


def _javascript_tree(node: Any) -> bool:
    """Whether an expression tree has only shapes JavaScript reads the same way."""
    from jinja2 import nodes

    if isinstance(node, nodes.Getitem):
        same = not isinstance(node.arg, (nodes.Slice, nodes.Tuple))
    elif isinstance(node, nodes.Call):
        same = not (node.kwargs or node.dyn_args or node.dyn_kwargs)
    elif isinstance(node, nodes.Compare):
        # `a < b < c` is a chain in Jinja, `(a < b) < c` in JavaScript.
        same = len(node.ops) == 1 and node.ops[0].op in _JAVASCRIPT_COMPARISONS
    else:
        same = type(node).__name__ in _SAME_IN_JAVASCRIPT
    return same and all(_javascript_tree(child) for child in node.iter_child_nodes())


def _first_line(node: Any) -> int:
    """The line an expression starts on. Jinja gives `Getattr`, `Getitem` and `Call` the
    line of their `.`, `[` or `(`, which in `{{ items\n.length }}` is not the first."""
    from jinja2 import nodes

    lines = [getattr(node, "lineno", 0)]
    lines.extend(getattr(child, "lineno", 0) for child in node.find_all(nodes.Node))
    return min((line for line in lines if line), default=0)


def _attach_scopes(tree: Any, outputs: list[Output]) -> None:
    """Pair the tree's output expressions with the lexer's `{{ }}` spans.

    Both come in document order. A `{% trans %}` block is one output in the tree but
    holds several `{{ }}` in the source, so pairing matches line and first name and
    skips what does not match instead of zipping blindly.
    """
    walker = _ScopeWalker()
    walker.body(tree.body, frozenset())
    candidates = [o for o in outputs if not o.in_trans]
    index = 0
    for node, bound, block in walker.found:
        names, filtered, first = _expression_facts(node)
        line = _first_line(node)
        for k in range(index, len(candidates)):
            output = candidates[k]
            if output.expression_line > line:
                break
            if output.expression_line == line and (first is None or first in output.token_names):
                output.names = names
                output.bound = bound
                output.filtered = filtered
                output.javascript = output.javascript and _javascript_tree(node)
                output.block = block
                index = k + 1
                break
