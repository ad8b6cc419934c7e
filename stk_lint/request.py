"""One file's check as the integrations ask for it: the Claude Code hook and the language
server (`stk-lint server`) hand a request to `check_request`, which routes it to the same
engine functions `stk-lint check` runs per file (`engine.check_file`, `check_source`).

A request names the file (its real path decides the per-file settings and the module it
is), how findings name it, the project's settings, the project index for cross-file facts
(or None) and, for an editor's unsaved buffer, the text to check instead of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stk_lint.config import Settings
from stk_lint.findings import Finding


@dataclass(frozen=True)
class CheckRequest:
    path: Path  # the file's real path
    display: str  # how findings name it
    settings: Settings
    project: Any = None  # a ProjectIndex, or None (then the rules resolve nothing across files)
    text: str | None = None  # an editor's unsaved text; None: read the file


def check_request(request: CheckRequest) -> list[Finding]:
    """The findings `stk-lint check` would report for this file with this text (nothing for
    an excluded file or one stk-lint does not check)."""
    from stk_lint import engine
    from stk_lint.files import language_of, size_limit

    settings = request.settings
    language = language_of(request.path)
    if language is None or settings.is_excluded(request.path):
        return []
    rules = settings.rules_for(request.path)
    options = settings.resolved_options()
    if request.text is None:
        return engine.check_file(
            request.path, request.display, rules, options, request.project, language
        )
    # The limits a file on disk gets (size, NUL bytes: STK003) hold for a buffer too.
    limit = size_limit(options)
    if "\x00" in request.text or len(request.text) * 4 > limit:  # else surely within it
        data = request.text.encode("utf-8", "surrogatepass")
        text, problems = engine.text_of(data, request.display, rules, options, language)
        if text is None:
            return problems
    return engine.check_source(
        request.text, request.display, rules, options, request.project, language
    )
