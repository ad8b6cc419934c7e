"""Helpers for testing rules: lint a snippet the way `stk-lint check` would."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stk_lint.findings import Finding
from stk_lint.pipeline import check_bytes
from stk_lint.registry import ALL_RULES, BY_CODE, options_by_key
from stk_lint.rule import Rule


def lint(
    source: str | bytes,
    path: str = "app/views.py",
    select: Iterable[str] | None = None,
    options: dict[str, Any] | None = None,
    project: Any = None,
) -> list[Finding]:
    """Findings for one snippet. `select` takes exact codes; default: every rule that is
    on by default (as `stk-lint check` without options). With `select` and no `project`,
    a selected rule that reads across files checks the snippet in its example project."""
    rules: tuple[type[Rule], ...] = (
        tuple(BY_CODE[c] for c in select)
        if select is not None
        else tuple(rule for rule in ALL_RULES if rule.default_enabled)
    )
    resolved = {key: option.default for key, option in options_by_key().items()}
    resolved.update(options or {})
    data = source.encode("utf-8") if isinstance(source, str) else source
    if project is None and select is not None:
        project = example_project(rules, path, data)
    return check_bytes(data, path, rules, resolved, project)


def example_project(rules: Iterable[type[Rule]], path: str, data: bytes) -> Any:
    """The project a snippet is checked in when a rule reads across files: its rules'
    example files with the snippet at `path` (in memory), or None."""
    files: dict[str, str] = {}
    for rule in rules:
        files.update(rule.example_files)
    if not files:
        return None
    from stk_lint.app_index import example_index
    from stk_lint.project import ProjectIndex

    files[path] = data.decode("utf-8", errors="replace")
    project = ProjectIndex()
    project.app_index = example_index(files)
    return project


def fixed(
    source: str,
    path: str = "app/views.py",
    select: Iterable[str] | None = None,
    options: dict[str, Any] | None = None,
    unsafe: bool = False,
) -> str:
    """The snippet after `stk-lint check --fix` (`--unsafe-fixes` with `unsafe`) with the
    same selection as `lint`; AssertionError when the fixer gives up on it."""
    from stk_lint.files import language_of
    from stk_lint.fixing import fix_source
    from stk_lint.pipeline import REPARSERS

    language = language_of(path)
    reparse = REPARSERS.get(language) if language else None
    outcome = fix_source(source, lambda text: lint(text, path, select, options), reparse, unsafe)
    if outcome.error:
        raise AssertionError(f"the fix of {path} failed: {outcome.error}")
    return outcome.source


def codes(findings: Iterable[Finding]) -> list[str]:
    return [f.code for f in findings]


def where(findings: Iterable[Finding]) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.code) for f in findings]


def apply_fixes(source: str, findings: Iterable[Finding]) -> str:
    """Apply every fix's edits at once (the edits of one run never overlap in tests)."""
    edits = sorted(
        (edit for f in findings if f.fix for edit in f.fix.edits),
        key=lambda e: e.start,
        reverse=True,
    )
    for edit in edits:
        source = source[: edit.start] + edit.content + source[edit.end :]
    return source
