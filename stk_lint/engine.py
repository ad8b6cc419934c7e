"""Checking: pure functions from source text to findings, and the run over many files.

``check_source`` is the unit every front end uses (the CLI, the Claude Code hook,
the tests, later the parallel workers and the cache): it does no I/O. ``check_file``
adds reading and decoding; ``run`` adds discovery and the project-wide pass.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import libcst as cst

from stk_lint.decoding import decode
from stk_lint.files import language_of
from stk_lint.findings import Finding
from stk_lint.python_engine import PythonContext, check_module
from stk_lint.rule import PYTHON, Rule
from stk_lint.rules.engine import SyntaxErrorRule, UnreadableFile
from stk_lint.suppression import is_suppressed, python_directives

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


# Give each rule only the files it could fire on (`Rule.requires`), and parse no file that
# none of the enabled rules could fire on. Off only to prove the skips lose nothing
# (`stk-lint check --no-skip`; the benchmark compares both outputs).
PRE_PARSE_SKIPS = True


def check_python(
    source: str,
    path: str,
    rules: tuple[type[Rule], ...],
    options: dict[str, Any],
    project: Any = None,
) -> list[Finding]:
    python_rules = [rule for rule in rules if rule.language == PYTHON]
    wants_syntax_errors = SyntaxErrorRule in rules
    if PRE_PARSE_SKIPS:
        python_rules = [rule for rule in python_rules if rule.could_fire(source)]
        if not python_rules and not wants_syntax_errors:
            return []
    # CPython's parser first: it is several times faster than libcst's, and it refuses
    # nesting deep enough to overflow libcst's native parser (which would kill the
    # process, not raise) with an exception instead.
    cpython_error = _cpython_parse_error(source)
    if isinstance(cpython_error, (RecursionError, MemoryError)) or (
        isinstance(cpython_error, SyntaxError) and "too many nested" in str(cpython_error)
    ):
        reason = (
            f"nested too deeply for the parser ({cpython_error or type(cpython_error).__name__})"
        )
        return [engine_finding(SyntaxErrorRule, path, reason)]
    if PRE_PARSE_SKIPS and not python_rules and cpython_error is None:
        # No rule could fire and the file is valid Python: libcst has nothing to add.
        # (Valid Python that libcst alone cannot parse is reported only where a rule
        # needs its tree; a file CPython rejects still goes to libcst for the verdict
        # and message a full check gives.)
        return []
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


def _cpython_parse_error(source: str) -> Exception | None:
    """What CPython's parser says of the source (``ast.parse`` builds a tree, runs nothing)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not our business
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return error
    return None


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


CHECKERS: dict[str, Checker] = {PYTHON: check_python}


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


# The run over many files (discovery, cache, parallel workers) lives in the runner.
