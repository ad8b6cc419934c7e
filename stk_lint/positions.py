"""Node positions for files that have findings, at a fraction of libcst's price.

libcst's PositionProvider regenerates the module's code and, for every token and
every node, splits on newlines and builds position objects: it costs about as much
as parsing the file again. This does the same code generation recording only token
indices, and turns the few positions asked for into lines and columns at the end.
Given the source text, it generates only the statement that holds a node asked for:
the innermost one in the bodies of the functions and classes around it (a method, not
its class). CPython's parser (a tenth of libcst's time) tells on which line each
statement starts, and the statement's code, indented as the blocks around it, must be
found there in the source, or the whole module is generated as before.
The results are the PositionProvider's exactly (syntactic positions where a node
records one, whitespace-inclusive ones otherwise); tests compare the two on every
node of a corpus.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from itertools import accumulate

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

from stk_lint import cpython
from stk_lint.decoding import line_starts
from stk_lint.tree import children


class _Recorder(CodegenState):
    """Code generation that notes, per node, the token indices it starts and ends at."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.spans: dict[cst.CSTNode, tuple[int, int]] = {}
        # Whitespace included, as WhitespaceInclusivePositionProvider: what fixes replace.
        self.inclusive: dict[cst.CSTNode, tuple[int, int]] = {}
        self.starts: list[int] = []

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        span = (self.starts.pop(), len(self.tokens))
        self.inclusive[node] = span
        if node not in self.spans:  # a syntactic position, recorded inside, wins
            self.spans[node] = span

    def pop_trailing_newline(self) -> None:
        # Positions were taken with the final newline counted; keep the indices valid.
        pass

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = len(self.tokens)
        try:
            yield
        finally:
            end = len(self.tokens)
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


class _Segment:
    """Recorded code generation of a piece of the module that starts a line."""

    def __init__(self, recorder: _Recorder, first_line: int) -> None:
        self.first_line = first_line
        tokens = recorder.tokens
        self.offsets = [0, *accumulate(map(len, tokens))]
        self.code = "".join(tokens)
        self.line_ends = line_starts(self.code)[1:]

    def position(self, token_index: int) -> CodePosition:
        offset = self.offsets[token_index]
        lines_before = bisect_right(self.line_ends, offset)
        line_start = self.line_ends[lines_before - 1] if lines_before else 0
        return CodePosition(self.first_line + lines_before, offset - line_start)


_Span = tuple[_Segment, int, int]


class _Place:
    """A statement that can be generated on its own: where its code starts in the
    source, and the indentation of the blocks around it."""

    __slots__ = ("first_line", "indents", "statement")

    def __init__(self, statement: cst.CSTNode, first_line: int, indents: tuple[str, ...]):
        self.statement = statement
        self.first_line = first_line
        self.indents = indents


# Statements whose bodies are placed statement by statement: libcst's type -> CPython's.
_DEFINITIONS: dict[type, tuple[type, ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
}


class Positions:
    """``positions[node]`` is a libcst CodeRange, as from PositionProvider;
    ``positions.inclusive(node)`` as from WhitespaceInclusivePositionProvider. One code
    generation serves both. Pass the module's source to generate only the statement
    holding the node asked about: the innermost one in the bodies of the functions and
    classes around it."""

    def __init__(self, module: cst.Module, source: str | None = None) -> None:
        self._module = module
        self._source = source
        self._spans: dict[cst.CSTNode, _Span] = {}
        self._inclusive: dict[cst.CSTNode, _Span] = {}
        self._place_of: dict[cst.CSTNode, _Place] = {}
        # Each top-level statement's place and CPython's statement; None: not worked out yet.
        self._top_level: list[tuple[_Place, ast.stmt]] | None = None
        self._mapped = 0  # top-level statements whose nodes are in _place_of
        self._generated: set[_Place] = set()
        # Set when the module had to be generated whole (tests check how often).
        self.whole_module = False
        if source is None:
            self._generate_module()

    @cached_property
    def line_starts(self) -> list[int]:
        """Where each line of the source starts (fixes place their edits with it)."""
        if self._source is None:
            raise ValueError("Positions made without the source has no line starts")
        return line_starts(self._source)

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        segment, start, end = self._spans.get(node) or self._locate(node, self._spans)
        return CodeRange(segment.position(start), segment.position(end))

    def inclusive(self, node: cst.CSTNode) -> CodeRange | None:
        try:
            span = self._inclusive.get(node) or self._locate(node, self._inclusive)
        except KeyError:
            return None
        segment, start, end = span
        return CodeRange(segment.position(start), segment.position(end))

    def _locate(self, node: cst.CSTNode, spans: dict[cst.CSTNode, _Span]) -> _Span:
        if not self.whole_module:
            place = self._place(node)
            if place is None or not self._generate(place):
                self._generate_module()
        return spans[node]

    def _generate_module(self) -> None:
        recorder = _Recorder(self._module)
        self._module._codegen(recorder)
        self._keep(recorder, _Segment(recorder, first_line=1))
        self.whole_module = True

    def _keep(self, recorder: _Recorder, segment: _Segment) -> None:
        for node, (start, end) in recorder.spans.items():
            self._spans[node] = (segment, start, end)
        for node, (start, end) in recorder.inclusive.items():
            self._inclusive[node] = (segment, start, end)

    def _generate(self, place: _Place) -> bool:
        """Record one statement's positions, if it can be placed exactly."""
        if place in self._generated:
            return False  # generated, and the node asked for is not in it
        self._generated.add(place)
        if self._source is None or not 1 <= place.first_line <= len(self.line_starts):
            return False
        recorder = _Recorder(self._module)
        recorder.indent_tokens = list(place.indents)
        place.statement._codegen(recorder)
        segment = _Segment(recorder, place.first_line)
        offset = self.line_starts[place.first_line - 1]
        # The check that makes this exact: the generated code is what the source holds there.
        if self._source[offset : offset + len(segment.code)] != segment.code:
            return False
        self._keep(recorder, segment)
        return True

    def _place(self, node: cst.CSTNode) -> _Place | None:
        """The innermost statement that holds the node and can be generated alone (None:
        the module's own lines, or whitespace and punctuation, which findings never point
        at). Top-level statements are mapped in order, only as far as the node asked for."""
        place = self._place_of.get(node)
        if place is not None:
            return place
        top_level = self._top_level_places()
        if top_level is None:
            return None
        while place is None and self._mapped < len(top_level):
            self._map(*top_level[self._mapped])
            self._mapped += 1
            place = self._place_of.get(node)
        return place

    def _map(self, place: _Place, tree: ast.stmt) -> None:
        """Note the place of every node of a statement, going down into the bodies of
        functions and classes (where CPython's tree says where each statement starts)."""
        place_of = self._place_of
        places = [(place, tree)]
        while places:
            place, tree = places.pop()
            statement = place.statement
            place_of[statement] = place
            stack = children(statement)
            body = getattr(statement, "body", None)
            paired = _DEFINITIONS.get(type(statement))
            if paired and isinstance(tree, paired) and isinstance(body, cst.IndentedBlock):
                indents = (*place.indents, body.indent or self._module.default_indent)
                inner = _places(body.body, tree.body, indents)  # type: ignore[attr-defined]
                if inner is not None:
                    stack.remove(body)
                    place_of[body] = place
                    places.extend(inner)
            while stack:
                node = stack.pop()
                place_of[node] = place
                stack.extend(children(node))

    def _top_level_places(self) -> list[tuple[_Place, ast.stmt]] | None:
        """Each top-level statement's place, with the statement of CPython's tree it pairs
        with; None if the two trees disagree or the source does not parse."""
        if self._top_level is not None:
            return self._top_level or None
        self._top_level = []
        tree = cpython.tree_or_none(self._source or "")
        if tree is None:
            return None
        places = _places(self._module.body, tree.body, ())
        if places is None:
            return None
        self._top_level = places
        return places or None


def _places(
    statements: Sequence[cst.CSTNode], tree: list[ast.stmt], indents: tuple[str, ...]
) -> list[tuple[_Place, ast.stmt]] | None:
    """Pair a list of libcst statements with CPython's (a `a; b` line is one libcst
    statement, two of CPython's) and place each on the line its code starts, leading
    comments and blank lines included; None if the two lists disagree."""
    places = []
    taken = 0
    for statement in statements:
        if taken >= len(tree):
            return None
        first = tree[taken]
        line = first.lineno
        decorators = getattr(first, "decorator_list", None)
        if decorators:
            line = decorators[0].lineno  # the `@`: the decorator's expression starts there
        leading = getattr(statement, "leading_lines", ())
        places.append((_Place(statement, line - len(leading), indents), first))
        taken += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    if taken != len(tree):
        return None
    return places
