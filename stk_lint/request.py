"""The one entry point of a file's check: `stk-lint check` (stk_lint.runner, per file, in
worker processes too), the Claude Code hook and the language server (`stk-lint server`)
each hand a `CheckRequest` to `run_request` (or `check_request` for the findings alone).

A request names the file (its real path decides the per-file settings and the module it
is), how findings name it, the resolved settings (stk_lint.resolve: rules and options),
the project index for cross-file facts (or None) and where the text comes from: an
editor's unsaved buffer, the bytes a run already read, else the file on disk. With
`fix`, the fixes are applied until the text is stable and must still parse: written back
("apply"), shown as a diff ("diff") or handed back as text ("text", an editor's
fix-all). Reading and writing happen here and in stk_lint.fixing; the checking itself is
the pure pipeline (stk_lint.pipeline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stk_lint.files import language_of, read_source, size_limit
from stk_lint.findings import Finding

if TYPE_CHECKING:
    from stk_lint.resolve import Resolved

FIX_APPLY, FIX_DIFF, FIX_TEXT = "apply", "diff", "text"


@dataclass(frozen=True)
class CheckRequest:
    path: Path  # the file's real path
    display: str  # how findings name it
    settings: Resolved
    project: Any = None  # a ProjectIndex, or None (then the rules resolve nothing across files)
    text: str | None = None  # an editor's unsaved text; None: `data`, else read the file
    data: bytes | None = None  # the file's content, already read
    language: str | None = None  # None: from the path
    fix: str | None = None  # None (check only), FIX_APPLY, FIX_DIFF or FIX_TEXT
    unsafe_fixes: bool = False
    # Give each rule only the files it could fire on (stk_lint.pipeline.check_python).
    skips: bool = True
    # Whether the settings' exclusions apply: not to a file a run discovered (discovery
    # applied them, and a file named on the command line is checked whatever they say).
    exclusions: bool = True


@dataclass
class Outcome:
    """What a request found, and with `fix`, what fixing did."""

    findings: list[Finding]  # remaining after any fixes
    fixed: list[Finding] = field(default_factory=list)  # fixed (for a diff: fixable)
    diff: bytes = b""  # FIX_DIFF: in the file's own encoding
    text: str | None = None  # FIX_TEXT: the fixed text, when something was fixed
    error: str = ""  # why the fixes were not applied, if they were not


def check_request(request: CheckRequest) -> list[Finding]:
    """The findings `stk-lint check` would report for this file with this text (nothing for
    an excluded file or one stk-lint does not check)."""
    return run_request(request).findings


def run_request(request: CheckRequest) -> Outcome:
    """Check the file (and with `request.fix`, fix it). Never raises for bad input: a file
    that cannot be read or parsed is a finding."""
    from stk_lint import pipeline

    settings = request.settings
    language = request.language or language_of(request.path)
    if language is None or (request.exclusions and settings.is_excluded(request.path)):
        return Outcome([])
    rules = settings.rules_for(request.path)
    options = settings.options
    display = request.display

    def check(text: str) -> list[Finding]:
        return pipeline.check_source(
            text, display, rules, options, request.project, language, request.skips, settings.known
        )

    data = request.data
    if request.text is not None:
        # The limits a file on disk gets (size, NUL bytes: STK003) hold for a buffer too.
        limit = size_limit(options)
        if "\x00" not in request.text and len(request.text) * 4 <= limit:  # surely within it
            return _fixed(request, request.text, check, language, None)
        data = request.text.encode("utf-8", "surrogatepass")
    elif data is None:
        try:
            read = read_source(request.path, size_limit(options))
        except OSError as error:
            return Outcome(pipeline.if_enabled(rules, pipeline.unreadable(display, error)))
        if isinstance(read, int):
            return Outcome(pipeline.if_enabled(rules, pipeline.too_large(display, read, options)))
        data = read
    text, problems = pipeline.text_of(data, display, rules, options, language)
    if text is None:
        return Outcome(problems)
    if request.text is not None:
        data = None  # a buffer's text, not a file's bytes: nothing to write back
        text = request.text
    return _fixed(request, text, check, language, data)


def _fixed(
    request: CheckRequest,
    text: str,
    check: Callable[[str], list[Finding]],
    language: str,
    data: bytes | None,
) -> Outcome:
    """The findings of `text`; with a fix asked for, after fixing (`data`: the file's
    bytes the text was decoded from, to write the fixed text back over)."""
    if request.fix is None:
        return Outcome(check(text))
    from stk_lint import fixing
    from stk_lint.pipeline import REPARSERS

    outcome = fixing.fix_source(text, check, REPARSERS.get(language), request.unsafe_fixes)
    result = Outcome(outcome.remaining, error=outcome.error)
    if not outcome.changed:
        return result
    if request.fix == FIX_TEXT:
        result.fixed = outcome.fixed
        result.text = outcome.source
        return result
    if data is None:
        data = text.encode("utf-8", "surrogatepass")
    encoding = fixing.source_encoding(data, language)
    if request.fix == FIX_DIFF:
        result.fixed = outcome.fixed
        result.diff = fixing.diff_bytes(text, outcome.source, request.display, encoding)
        return result
    try:
        fixing.write_atomic(request.path, data, outcome.source, encoding)
    except fixing.WriteError as error:
        return Outcome(check(text), error=str(error))
    result.fixed = outcome.fixed
    return result
