"""Bytes to text for checking: stk sources are UTF-8 (Python files may declare otherwise).

Kept apart from the engine so that the runner can decode without importing libcst.
"""

from __future__ import annotations

import io
import re
import tokenize
from itertools import chain

PYTHON = "python"

# What ends a line for Python and for libcst: \n, \r\n and \r. str.splitlines() also
# splits at form feeds and other separators, which would shift every later line.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """The offset at which each line of `text` starts (the first is 0)."""
    return list(chain((0,), (match.end() for match in LINE_BREAK.finditer(text))))


def line_break_after(text: str, offset: int) -> tuple[int, int]:
    """Where the line holding `offset` ends: (its line break's start, the next line's
    start); (len, len) on the last line without one."""
    match = LINE_BREAK.search(text, offset)
    return (match.start(), match.end()) if match else (len(text), len(text))


def decode(data: bytes, language: str) -> tuple[str | None, str]:
    """(text, "") or (None, reason): NUL bytes, bad encodings and cookies are reasons."""
    if b"\x00" in data:
        return None, "binary file (contains NUL bytes); not checked"
    if language == PYTHON:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as error:
            if "encoding problem" in str(error) or "unknown encoding" in str(error):
                return None, f"bad encoding declaration: {error}"
            encoding = "utf-8"  # no cookie, and the first lines are not UTF-8: say so below
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, f"not valid {encoding} (line {line}, byte {error.start}): {error.reason}"
    if language == PYTHON and text.startswith("\ufeff"):
        text = text[1:]
    return text, ""
