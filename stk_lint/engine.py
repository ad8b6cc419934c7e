"""Checking: pure functions from source text to findings, and the run over many files.

``check_source`` is the unit every front end uses (the CLI, the Claude Code hook,
the tests, later the parallel workers and the cache): it does no I/O. ``check_file``
adds reading and decoding; ``run`` adds discovery and the project-wide pass.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from stk_lint.config import Settings
from stk_lint.files import discover, language_of
from stk_lint.findings import Finding
from stk_lint.project import ProjectIndex
from stk_lint.python_engine import PythonContext, check_module
from stk_lint.rule import JS, PYTHON, TEMPLATE, Rule
from stk_lint.rules.engine import SyntaxErrorRule, UnreadableFile
from stk_lint.suppression import is_suppressed, python_directives
from stk_lint.templates.checker import check_js, check_template

# A checker turns one file's text into findings for the rules it is given.
Checker = Callable[[str, str, tuple[type[Rule], ...], dict[str, Any], Any], list[Finding]]


def engine_finding(
    rule: type[Rule], path: str, message: str, line: int = 1, column: int = 1
) -> Finding:
    return Finding(
        path=path,
        line=line,
        column=column,
        code=rule.code,
        message=message,
        name=rule.name,
        end_line=line,
        end_column=column,
    )


def check_python(
    source: str,
    path: str,
    rules: tuple[type[Rule], ...],
    options: dict[str, Any],
    project: Any = None,
) -> list[Finding]:
    python_rules = [rule for rule in rules if rule.language == PYTHON]
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        reason, line, column = syntax_error_location(source, error)
        return [engine_finding(SyntaxErrorRule, path, reason, line, column)]
    except RecursionError:
        return [engine_finding(SyntaxErrorRule, path, "nested too deeply for the parser")]
    if not python_rules:
        return []
    context = PythonContext(path, source, module, options, project)
    try:
        reported = check_module(context, python_rules)
    except RecursionError:
        return [engine_finding(SyntaxErrorRule, path, "nested too deeply to check")]
    directives = python_directives(source)
    return [f for f, span in reported if not is_suppressed(directives, f.code, span)]


_AT = re.compile(r"error at (\d+):(\d+): ")


def syntax_error_location(source: str, error: cst.ParserSyntaxError) -> tuple[str, int, int]:
    """A readable reason and a 1-based position for a file libcst cannot parse.

    The native parser's own position is often the statement start; CPython's parser
    (``ast.parse`` only builds a tree, it runs nothing) names the exact spot and says
    why in plain words, so prefer it when it agrees that the file is invalid.
    """
    try:
        ast.parse(source)
    except SyntaxError as py_error:
        line = py_error.lineno or 1
        column = py_error.offset or 1
        return f"SyntaxError: {py_error.msg}", line, column
    except (ValueError, RecursionError, MemoryError):
        pass
    message = error.message
    match = _AT.search(message)
    if match:
        return message[match.end() :], int(match.group(1)), int(match.group(2)) + 1
    return message, max(error.raw_line, 1), error.raw_column + 1


CHECKERS: dict[str, Checker] = {PYTHON: check_python, TEMPLATE: check_template, JS: check_js}


def check_source(
    source: str,
    path: str,
    rules: Iterable[type[Rule]],
    options: dict[str, Any],
    project: Any = None,
    language: str | None = None,
) -> list[Finding]:
    """Findings for one file's text. Pure: reads nothing, writes nothing."""
    language = language or language_of(path)
    checker = CHECKERS.get(language) if language else None
    if checker is None:
        return []
    enabled = tuple(rules)
    findings = checker(source, path, enabled, options, project)
    enabled_codes = {rule.code for rule in enabled}
    return sorted(f for f in findings if f.code in enabled_codes)


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


def check_file(
    path: Path,
    display: str,
    rules: tuple[type[Rule], ...],
    options: dict[str, Any],
    project: Any = None,
    language: str | None = None,
) -> list[Finding]:
    language = language or language_of(path)
    if language is None:
        return []
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return _if_enabled(rules, engine_finding(UnreadableFile, display, f"cannot read: {reason}"))
    return check_bytes(data, display, rules, options, project, language)


def check_bytes(
    data: bytes,
    path: str,
    rules: tuple[type[Rule], ...],
    options: dict[str, Any],
    project: Any = None,
    language: str | None = None,
) -> list[Finding]:
    """Findings for a file's raw content. Pure, like check_source."""
    language = language or language_of(path)
    if language is None:
        return []
    text, reason = decode(data, language)
    if text is None:
        return _if_enabled(rules, engine_finding(UnreadableFile, path, reason))
    return check_source(text, path, rules, options, project, language)


def _if_enabled(rules: tuple[type[Rule], ...], finding: Finding) -> list[Finding]:
    return [finding] if any(rule.code == finding.code for rule in rules) else []


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0


def display_path(path: Path) -> str:
    """The path as the user gave it (relative paths stay relative)."""
    return path.as_posix()


def run(paths: list[Path], settings: Settings, force_exclude: bool = False) -> RunResult:
    result = RunResult()
    options = settings.resolved_options()
    files = list(discover(paths, settings, force_exclude))
    if not any(rule.needs_project for rule in settings.rules):
        for path, language in files:
            result.files += 1
            rules = settings.rules_for(path)
            display = display_path(path)
            result.findings.extend(check_file(path, display, rules, options, None, language))
        result.findings.sort()
        return result
    # Every Python file is read once, up front: the index needs all their summaries
    # before the first check, and the checks reuse the text already read.
    project = ProjectIndex()
    texts: dict[Path, str | bytes | None] = {}
    for path, language in files:
        if language != PYTHON:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            texts[path] = None  # check_file reports it
            continue
        text, _ = decode(data, PYTHON)
        texts[path] = data if text is None else text
        if text is not None:
            project.add(path, text, display_path(path))
    for path, language in files:
        result.files += 1
        rules = settings.rules_for(path)
        display = display_path(path)
        content = texts.get(path)
        if isinstance(content, str):
            findings = check_source(content, display, rules, options, project, language)
        elif isinstance(content, bytes):
            findings = check_bytes(content, display, rules, options, project, language)
        else:
            findings = check_file(path, display, rules, options, project, language)
        result.findings.extend(findings)
    result.findings.sort()
    return result
