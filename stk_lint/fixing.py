"""Applying fixes: pure functions from (source, findings) to new source, and the safe write.

A fix is a set of text edits on 0-based character offsets of the decoded source. The
applier takes every applicable fix whose edits overlap no fix taken before it, applies
them, re-checks the new text and repeats until nothing changes (a bounded number of
rounds). The result must re-parse in its language or the file is left as it was.
"""

from __future__ import annotations

import bisect
import codecs
import difflib
import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stk_lint.atomic import read_only, read_regular_file, replace_content
from stk_lint.decoding import PYTHON, python_encoding
from stk_lint.findings import Edit, Finding, applicable

MAX_ROUNDS = 10


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end or b.start == b.end:
        # Two insertions at one point, or an insertion inside a replaced span: the
        # order of the result would be a guess, so they conflict.
        return a.start <= b.end and b.start <= a.end
    return a.start < b.end and b.start < a.end


def select_fixes(findings: Iterable[Finding], unsafe: bool = False) -> list[Finding]:
    """Applicable findings whose edits overlap no earlier one's, in source order."""
    candidates = [f for f in findings if applicable(f.fix, unsafe)]
    candidates.sort(key=lambda f: (min(e.start for e in f.fix.edits), f.code))  # type: ignore[union-attr]
    taken = _Taken()
    chosen: list[Finding] = []
    seen: set[tuple[tuple[int, int, str], ...]] = set()
    for finding in candidates:
        edits = finding.fix.edits  # type: ignore[union-attr]
        key = tuple((e.start, e.end, e.content) for e in edits)
        if key in seen:
            continue  # two findings offering the same edit: apply it once
        if any(taken.conflicts(e) for e in edits) or _self_overlapping(edits):
            continue
        seen.add(key)
        for edit in edits:
            taken.add(edit)
        chosen.append(finding)
    return chosen


class _Taken:
    """The edits taken so far, sorted: they never overlap (`_overlaps`), so sorted by
    start they are sorted by end too, and a new edit is compared with its neighbours
    only (a file with 40,000 fixes must not compare each with every other)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.edits: list[Edit] = []

    def conflicts(self, edit: Edit) -> bool:
        index = bisect.bisect_right(self.starts, edit.end)
        while index > 0:
            index -= 1
            taken = self.edits[index]
            if taken.end < edit.start:
                return False  # this one and every earlier one end before the edit
            if _overlaps(edit, taken):
                return True
        return False

    def add(self, edit: Edit) -> None:
        index = bisect.bisect_right(self.starts, edit.start)
        self.starts.insert(index, edit.start)
        self.edits.insert(index, edit)


def _self_overlapping(edits: Sequence[Edit]) -> bool:
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    return any(_overlaps(a, b) for a, b in itertools.pairwise(ordered))


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """The source with non-overlapping edits applied, in one pass over it (edits at one
    point go in the order they would applied from the end backwards)."""
    ordered = sorted(enumerate(edits), key=lambda item: (item[1].start, item[1].end, -item[0]))
    pieces = []
    position = 0
    for _, edit in ordered:
        if not 0 <= edit.start <= edit.end <= len(source):
            raise ValueError(f"edit {edit.start}..{edit.end} is outside the file")
        if edit.start < position:
            raise ValueError(f"edit {edit.start}..{edit.end} overlaps another")
        pieces.append(source[position : edit.start])
        pieces.append(edit.content)
        position = edit.end
    pieces.append(source[position:])
    return "".join(pieces)


def apply_fixes(
    source: str, findings: Iterable[Finding], unsafe: bool = False
) -> tuple[str, list[Finding]]:
    """One round: (new source, the findings whose fixes were applied)."""
    chosen = select_fixes(findings, unsafe)
    if not chosen:
        return source, []
    edits = [edit for finding in chosen for edit in finding.fix.edits]  # type: ignore[union-attr]
    return apply_edits(source, edits), chosen


@dataclass
class FixOutcome:
    source: str  # the fixed text (the original when nothing applied or the fix failed)
    fixed: list[Finding] = field(default_factory=list)  # findings fixed, over all rounds
    remaining: list[Finding] = field(default_factory=list)
    error: str = ""  # why the fixes were not applied, if they were not

    @property
    def changed(self) -> bool:
        return bool(self.fixed) and not self.error


# Checks for the fixed text: None when it parses, else the reason it does not.
Reparser = Callable[[str], "str | None"]


def fix_source(
    source: str,
    check: Callable[[str], list[Finding]],
    reparse: Reparser | None,
    unsafe: bool = False,
    max_rounds: int = MAX_ROUNDS,
) -> FixOutcome:
    """Apply fixes until the text is stable. Pure: `check` maps text to findings."""
    findings = check(source)
    current = source
    fixed: list[Finding] = []
    for _ in range(max_rounds):
        try:
            new, applied = apply_fixes(current, findings, unsafe)
        except ValueError as error:
            return FixOutcome(source, [], check(source), f"a fix is broken: {error}")
        if not applied or new == current:
            break
        problem = reparse(new) if reparse is not None else None
        if problem is not None:
            codes = ", ".join(sorted({f.code for f in applied}))
            return FixOutcome(
                source,
                [],
                check(source),
                f"fixes for {codes} would leave the file unparsable ({problem}); "
                "file left unchanged",
            )
        fixed.extend(applied)
        current = new
        findings = check(current)
    return FixOutcome(current, fixed, findings)


def _diff_lines(text: str) -> list[str]:
    """Lines as diff and patch tools see them: ended by "\n" only, any "\r" kept.
    (str.splitlines() also breaks at form feeds, U+2028 and others, which would
    corrupt the diff, and at a lone "\r", which git does not.)"""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def diff_bytes(old: str, new: str, path: str, encoding: str) -> bytes:
    """The unified diff of two versions of a file as the file's own bytes, for
    `git apply` and `patch`: lines in its encoding (Latin-1 stays Latin-1), the BOM on
    the first line, the name in its own bytes (it may not be valid UTF-8)."""
    if encoding.replace("_", "-").lower() == "utf-8-sig":
        old, new, encoding = "\ufeff" + old, "\ufeff" + new, "utf-8"
    # Decoded as Latin-1 each byte is one character: the diff of those texts, encoded
    # back as Latin-1, is the diff of the bytes. A line still ends at "\n" (0x0A).
    as_bytes = {
        "old": old.encode(encoding).decode("latin-1"),
        "new": new.encode(encoding).decode("latin-1"),
        "path": os.fsencode(path).decode("latin-1"),
    }
    return unified_diff(as_bytes["old"], as_bytes["new"], as_bytes["path"]).encode("latin-1")


def unified_diff(old: str, new: str, path: str) -> str:
    lines = difflib.unified_diff(
        _diff_lines(old),
        _diff_lines(new),
        # git's a/ b/ prefixes for relative paths; an absolute path is shown as it is.
        fromfile=path if path.startswith("/") else f"a/{path}",
        tofile=path if path.startswith("/") else f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# ---- files: decoding that remembers how to encode back, and the atomic write ----


@dataclass(frozen=True)
class SourceFile:
    text: str
    encoding: str  # the codec to write back with ("utf-8-sig" keeps a BOM)


def source_encoding(data: bytes, language: str) -> str:
    """The codec that round-trips `data`: its cookie for Python, a BOM if present."""
    if language == PYTHON:
        try:
            return python_encoding(data)
        except SyntaxError:
            return "utf-8"
    return "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"


class WriteError(Exception):
    pass


def write_atomic(path: Path, original: bytes, text: str, encoding: str) -> None:
    """Replace the file's content in one step, keeping all else (stk_lint.atomic); refuse
    a file the user may not write, and one that changed since it was read."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as error:
        raise WriteError(f"the fixed text cannot be written as {encoding}: {error}") from error
    real = Path(os.path.realpath(path))  # write through symlinks, never replace them
    try:
        if read_only(real.stat(), real):
            raise WriteError("the file is read-only (no write permission); not fixed")
        if read_regular_file(real) != original:
            raise WriteError("the file changed while it was being checked; not written")
        replace_content(real, data, original)
    except OSError as error:
        raise WriteError(f"cannot write: {error.strerror or error}") from error
