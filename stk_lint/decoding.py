"""Bytes to text for checking: stk sources are UTF-8 (Python files may declare otherwise).

Kept apart from the engine so that the runner can decode without importing libcst.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Iterator
from itertools import chain

from stk_lint.languages import PYTHON

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
    """(text, "") or (None, reason): NUL bytes, bad encodings and cookies are reasons.

    As CPython reads a source: lines may end with "\r" alone (the coding cookie is
    looked for on the first two), a UTF-8 BOM is taken off once, and a cookie must
    name a text encoding (`rot13`, `hex`, `zlib` are not)."""
    if b"\x00" in data:
        return None, "binary file (contains NUL bytes); not checked"
    if language == PYTHON:
        try:
            encoding = python_encoding(data)
        except SyntaxError as error:
            return None, f"bad encoding declaration: {error}"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = len(LINE_BREAK.findall(data[: error.start].decode("latin-1"))) + 1
        shown = "utf-8" if encoding == "utf-8-sig" else encoding
        return None, f"not valid {shown} (line {line}, byte {error.start}): {error.reason}"
    except LookupError as error:  # a codec that is not a text encoding
        return None, f"bad encoding declaration: {error}"
    return text, ""


def python_encoding(data: bytes) -> str:
    """The codec a Python source declares (its cookie; "utf-8-sig" for a BOM; "utf-8"
    when it declares none). SyntaxError for a bad or unknown declaration."""
    try:
        encoding, _ = tokenize.detect_encoding(_first_lines(data).__next__)
    except SyntaxError as error:
        if "encoding problem" in str(error) or "unknown encoding" in str(error):
            raise
        encoding = "utf-8"  # no cookie, and the first lines are not UTF-8: decoding says so
    return encoding


def _first_lines(data: bytes) -> Iterator[bytes]:
    """The first two lines of `data` as CPython's tokenizer sees them (a lone "\r" ends
    one), then nothing: what tokenize.detect_encoding reads."""
    for _, match in zip(range(2), _LINE.finditer(data), strict=False):
        yield match.group()
    while True:
        yield b""


_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
