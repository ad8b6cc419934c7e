"""CPython's parser as a second opinion on a source: several times faster than libcst's,
it builds a tree and runs nothing. Its SyntaxWarnings (`"\\d"`, `None()`) are about the
checked code, so they are kept off the user's terminal."""

from __future__ import annotations

import ast
import warnings

# How CPython's parser rejects a source (deep nesting included).
REJECTS = (SyntaxError, ValueError, RecursionError, MemoryError)


def parse(source: str) -> ast.Module:
    """CPython's tree of the source; raises one of REJECTS when it refuses it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def tree_or_none(source: str) -> ast.Module | None:
    """CPython's tree of the source, or None when it refuses it."""
    try:
        return parse(source)
    except REJECTS:
        return None
