"""Node positions for files that have findings, at a fraction of libcst's price.

libcst's PositionProvider regenerates the module's code and, for every token and
every node, splits on newlines and builds position objects: it costs about as much
as parsing the file again. This does the same code generation recording only token
indices, and turns the few positions asked for into lines and columns at the end.
Given the source text, it generates only the top-level statements that hold a node
asked for: CPython's parser (a tenth of libcst's time) tells on which line each
statement starts, and the statement's code must be found there in the source, or
the whole module is generated as before.
The results are the PositionProvider's exactly (syntactic positions where a node
records one, whitespace-inclusive ones otherwise); tests compare the two on every
node of a corpus.
"""

from __future__ import annotations

import ast
import warnings
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from itertools import accumulate

import libcst as cst
from libcst._nodes.internal import CodegenState

from stk_lint.decoding import line_starts
from stk_lint.tree import descendants


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

    def position(self, token_index: int) -> cst.metadata.CodePosition:
        offset = self.offsets[token_index]
        lines_before = bisect_right(self.line_ends, offset)
        line_start = self.line_ends[lines_before - 1] if lines_before else 0
        return cst.metadata.CodePosition(self.first_line + lines_before, offset - line_start)


_Span = tuple[_Segment, int, int]


class Positions:
    """``positions[node]`` is a libcst CodeRange, as from PositionProvider;
    ``positions.inclusive(node)`` as from WhitespaceInclusivePositionProvider. One code
    generation serves both. Pass the module's source to generate only the top-level
    statements asked about."""

    def __init__(self, module: cst.Module, source: str | None = None) -> None:
        self._module = module
        self._source = source
        self._spans: dict[cst.CSTNode, _Span] = {}
        self._inclusive: dict[cst.CSTNode, _Span] = {}
        self._statement_of: dict[cst.CSTNode, int] = {}
        self._mapped = 0  # statements in _statement_of
        # Set when the module had to be generated whole (tests check how often).
        self.whole_module = False
        self._first_lines: list[int] | None = None
        if source is None:
            self._generate_module()

    @cached_property
    def line_starts(self) -> list[int]:
        """Where each line of the source starts (fixes place their edits with it)."""
        if self._source is None:
            raise ValueError("Positions made without the source has no line starts")
        return line_starts(self._source)

    def __getitem__(self, node: cst.CSTNode) -> cst.metadata.CodeRange:
        segment, start, end = self._spans.get(node) or self._locate(node, self._spans)
        return cst.metadata.CodeRange(segment.position(start), segment.position(end))

    def inclusive(self, node: cst.CSTNode) -> cst.metadata.CodeRange | None:
        try:
            span = self._inclusive.get(node) or self._locate(node, self._inclusive)
        except KeyError:
            return None
        segment, start, end = span
        return cst.metadata.CodeRange(segment.position(start), segment.position(end))

    def _locate(self, node: cst.CSTNode, spans: dict[cst.CSTNode, _Span]) -> _Span:
        if not self.whole_module:
            index = self._statement_index(node)
            if index is None or not self._generate_statement(index):
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

    def _statement_index(self, node: cst.CSTNode) -> int | None:
        """Which top-level statement holds the node (None: the module's own lines, or
        whitespace and punctuation, which the findings never point at). Statements are
        mapped in order, only as far as the node asked for."""
        index = self._statement_of.get(node)
        body = self._module.body
        while index is None and self._mapped < len(body):
            for descendant in descendants(body[self._mapped]):
                self._statement_of[descendant] = self._mapped
            self._mapped += 1
            index = self._statement_of.get(node)
        return index

    def _generate_statement(self, index: int) -> bool:
        """Record one top-level statement's positions, if it can be placed exactly."""
        first_lines = self._statement_first_lines()
        if first_lines is None:
            return False
        first_line = first_lines[index]
        if not 1 <= first_line <= len(self.line_starts):
            return False
        recorder = _Recorder(self._module)
        self._module.body[index]._codegen(recorder)
        segment = _Segment(recorder, first_line)
        offset = self.line_starts[first_line - 1]
        # The check that makes this exact: the generated code is what the source holds there.
        if self._source[offset : offset + len(segment.code)] != segment.code:
            return False
        self._keep(recorder, segment)
        return True

    def _statement_first_lines(self) -> list[int] | None:
        """The line each top-level statement's code (leading comments and blank lines
        included) starts on, from CPython's tree; None if the two trees disagree."""
        if self._first_lines is not None:
            return self._first_lines or None
        self._first_lines = []
        source = self._source or ""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # `"\d"`: the checked code's, not ours to print
                tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        first_lines = []
        body = tree.body
        taken = 0
        for statement in self._module.body:
            if taken >= len(body):
                return None
            first = body[taken]
            line = first.lineno
            decorators = getattr(first, "decorator_list", None)
            if decorators:
                line = decorators[0].lineno  # the `@`: the decorator's expression starts there
            first_lines.append(line - len(statement.leading_lines))
            taken += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        if taken != len(body):
            return None
        self._first_lines = first_lines
        return first_lines
