"""Node positions for files that have findings, at a fraction of libcst's price.

libcst's PositionProvider regenerates the module's code and, for every token and
every node, splits on newlines and builds position objects: it costs about as much
as parsing the file again. This does the same code generation recording only token
indices, and turns the few positions asked for into lines and columns at the end.
The results are the PositionProvider's exactly (syntactic positions where a node
records one, whitespace-inclusive ones otherwise); tests compare the two on every
node of a corpus.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate

import libcst as cst
from libcst._nodes.internal import CodegenState

# What libcst counts as a line break when it tracks positions.
_NEWLINE = re.compile(r"\r\n?|\n")


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


class Positions:
    """``positions[node]`` is a libcst CodeRange, as from PositionProvider;
    ``positions.inclusive(node)`` as from WhitespaceInclusivePositionProvider. One code
    generation serves both."""

    def __init__(self, module: cst.Module) -> None:
        recorder = _Recorder(module)
        module._codegen(recorder)
        self._spans = recorder.spans
        self._inclusive = recorder.inclusive
        tokens = recorder.tokens
        self._offsets = [0, *accumulate(map(len, tokens))]
        code = "".join(tokens)
        self._line_ends = [match.end() for match in _NEWLINE.finditer(code)]

    def _position(self, token_index: int) -> cst.metadata.CodePosition:
        offset = self._offsets[token_index]
        lines_before = bisect_right(self._line_ends, offset)
        line_start = self._line_ends[lines_before - 1] if lines_before else 0
        return cst.metadata.CodePosition(lines_before + 1, offset - line_start)

    def __getitem__(self, node: cst.CSTNode) -> cst.metadata.CodeRange:
        start, end = self._spans[node]
        return cst.metadata.CodeRange(self._position(start), self._position(end))

    def inclusive(self, node: cst.CSTNode) -> cst.metadata.CodeRange | None:
        span = self._inclusive.get(node)
        if span is None:
            return None
        return cst.metadata.CodeRange(self._position(span[0]), self._position(span[1]))

    def __contains__(self, node: object) -> bool:
        return node in self._spans

    def nodes(self) -> Iterator[cst.CSTNode]:
        return iter(self._spans)
