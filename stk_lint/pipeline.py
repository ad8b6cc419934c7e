"""The check pipeline: one file's text (or bytes) to its findings, with no I/O.

A checker per language (`check_python` here, the template and JS checkers in
stk_lint.templates.checker) runs the rules and hands back what they reported with the
lines a suppression may cover, and the file's suppression comments (stk_lint.checked).
Then ONE post-check stage, `post_check`, applies suppression, STK900 (suppressions that
silenced nothing), the enabled-codes filter and the order, whatever the language.
``check_source`` is that unit; ``check_bytes`` adds decoding and the size limit;
stk_lint.request routes a request (a file, an editor's text, a fix) through them for
every front end: `stk-lint check` (stk_lint.runner), the Claude Code hook, the server.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import libcst as cst

from stk_lint import cpython
from stk_lint.checked import Checked
from stk_lint.decoding import LINE_BREAK, decode
from stk_lint.files import language_of, size_limit
from stk_lint.findings import Finding
from stk_lint.python_checker import check_module
from stk_lint.python_rule import PythonContext, PythonRule
from stk_lint.registry import ALL_RULES
from stk_lint.rule import ANY, JS, PYTHON, TEMPLATE, Rule
from stk_lint.rules.builtin import SyntaxErrorRule, UnreadableFile, UnusedSuppression
from stk_lint.suppression import is_suppressed, python_directives, unused_suppressions
from stk_lint.templates.checker import check_js, check_template

# A checker turns one file's text into what the rules it is given reported.
Checker = Callable[[str, str, tuple[type[Rule], ...], dict[str, Any], Any], Checked]


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
    skips: bool = True,
) -> Checked:
    """With `skips` (the default), each rule gets only the files it could fire on
    (`Rule.requires`), and no file is parsed that none of the enabled rules could fire
    on. Off only to prove the skips lose nothing (`stk-lint check --no-skip`; the
    benchmark compares both outputs)."""
    python_rules = [
        rule for rule in rules if rule.language == PYTHON and issubclass(rule, PythonRule)
    ]
    judge_suppressions = UnusedSuppression in rules
    if skips and not judge_suppressions:
        python_rules = [rule for rule in python_rules if rule.could_fire(source)]
        if not python_rules and SyntaxErrorRule not in rules:
            return Checked()
    too_deep = too_deep_to_parse(source)
    if too_deep is not None:
        return _verdict(path, too_deep)
    tree = _CPythonTree(source)
    # No rule could fire, or only rules whose finer skip reads CPython's tree (several
    # times faster to build than libcst's) and finds nothing for them: only a syntax error
    # could be reported, and that tree tells whether there is one. A file CPython rejects
    # still goes to libcst for the verdict and message a full check gives; valid Python
    # that libcst alone cannot parse is reported where a rule needs its tree.
    finer = [rule.could_fire_in for rule in python_rules if rule.could_fire_in is not None]
    if skips and not judge_suppressions and len(finer) == len(python_rules):
        needed = any(could_fire(source, tree, path, options, project) for could_fire in finer)
        if not needed and (SyntaxErrorRule not in rules or tree() is not None):
            return Checked()
    try:
        module = parse_unvalidated(source)
    except cst.ParserSyntaxError as error:
        return _verdict(path, *syntax_error_location(source, error))
    except RecursionError:
        return _verdict(path, _too_deep_for_libcst(source))
    if SyntaxErrorRule in rules and tree() is None:
        # libcst's grammar is not the running CPython's: it takes syntax of newer
        # Pythons (nested same-quote f-strings before 3.12) and characters CPython
        # refuses (a second BOM). CPython decides, as for a file no rule needs.
        return _verdict(path, *_cpython_reason(tree.error))
    if not python_rules and not judge_suppressions:
        return Checked()
    context = PythonContext(path, source, module, options, project)
    try:
        with _recursion_limit(RECURSION_LIMIT):
            reported = check_module(context, python_rules)
    except RecursionError:
        return _verdict(path, "nested too deeply to check")
    return Checked(reported, lambda: python_directives(source))


def _verdict(path: str, reason: str, line: int = 1, column: int = 1) -> Checked:
    """STK001 for a file that cannot be parsed: its only finding, never suppressed."""
    return Checked.verdict(engine_finding(SyntaxErrorRule, path, reason, line, column))


def post_check(
    checked: Checked,
    path: str,
    source: str,
    language: str,
    rules: tuple[type[Rule], ...],
    known: Iterable[type[Rule]] = ALL_RULES,
) -> list[Finding]:
    """The one stage after every checker: the findings less those a suppression comment
    silences, plus (with STK900 among `rules`) the suppression comments that silenced
    nothing, only the enabled codes, in order. `known` is every rule there is (the
    codes a suppression may name, and which rules check this kind of file)."""
    enabled = frozenset(rule.code for rule in rules)
    judge = UnusedSuppression.code in enabled
    findings = [finding for finding, _ in checked.reports]
    if checked.directives is not None and (checked.reports or judge):
        directives = checked.directives()
        if directives:
            findings = [
                finding
                for finding, span in checked.reports
                if not is_suppressed(directives, finding.code, span)
            ]
        if judge and directives:
            known = tuple(known)
            # A bare suppression may be there for any rule that checks this kind of
            # file: it is judged only when every one of them ran.
            every_rule_ran = all(
                rule.code in enabled for rule in known if checks_language(rule, language)
            )
            findings += unused_suppressions(
                directives,
                path,
                UnusedSuppression,
                enabled,
                frozenset(rule.code for rule in known),
                every_rule_ran,
                source,
            )
    return sorted(finding for finding in findings if finding.code in enabled)


def checks_language(rule: type[Rule], language: str) -> bool:
    """Whether a rule checks files of this language."""
    return ANY in rule.languages or language in rule.languages


def parse_unvalidated(source: str) -> cst.Module:
    """`libcst.parse_module` without libcst's per-node validation, about a tenth of its
    cost.

    Every node libcst builds checks its own fields (`CSTNode.__post_init__`). That guards
    trees built by hand; a tree its parser built from source is valid by construction, as
    libcst's comment on that method says (and on 4,920 files of the standard library and
    installed packages both ways parse alike). Fixed code is still parsed with validation
    (`reparse_python`), and the nodes a fix builds are validated as usual. The switch is
    process-wide for the duration of the parse: the engine parses one file at a time.
    """
    node_class = cst.CSTNode
    validate = node_class.__dict__.get("__post_init__")
    if validate is None:  # a libcst that no longer validates this way
        return cst.parse_module(source)
    # setattr: replacing a method of the class is what this does, on purpose.
    setattr(node_class, "__post_init__", _skip_validation)  # noqa: B010
    try:
        return cst.parse_module(source)
    finally:
        setattr(node_class, "__post_init__", validate)  # noqa: B010


def _skip_validation(node: cst.CSTNode) -> None:
    return None


# CPython refuses more than 200 nested brackets, and libcst's native parser overflows
# the C stack (killing the process) well before the depths below; such files are
# sent to CPython's parser first, which fails cleanly on them.
MAX_BRACKET_DEPTH = 200
_LONG_SPAN = 5_000
_BRACKETS = re.compile(r"[()\[\]{}]")


def too_deep_to_parse(source: str) -> str | None:
    """Why the file must not reach libcst's parser (too deeply nested), or None."""
    suspicious = source.count("\\\n") > 1000 or (
        len(source) > _LONG_SPAN and max(map(len, source.splitlines()), default=0) > _LONG_SPAN
    )
    depth = 0
    outer_start = 0
    for match in _BRACKETS.finditer(source):
        if match.group() in "([{":
            if depth == 0:
                outer_start = match.start()
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                suspicious = True
                break
        elif depth:
            depth -= 1
            if depth == 0 and match.start() - outer_start > _LONG_SPAN:
                suspicious = True
    if not suspicious:
        return None
    try:
        cpython.parse(source)
    except RecursionError:
        return "nested too deeply for the parser (more than Python itself accepts)"
    except MemoryError:
        return "expression too complex for the parser (more than Python itself accepts)"
    except SyntaxError as error:
        if "too many nested" in str(error.msg) or depth > MAX_BRACKET_DEPTH:
            # Deep brackets in a file CPython rejects: never hand it to libcst.
            return f"SyntaxError: {error.msg} (line {error.lineno})"
        return None  # an ordinary syntax error: libcst reports it with its position
    except ValueError:
        return None
    return None  # CPython accepts it (the brackets were in strings): libcst can too


# Our walker and libcst's position and code generation recurse a few frames per level
# of nesting; what CPython accepts (about 2,500 levels) needs more than the default 1,000.
# Python-to-Python calls do not grow the C stack (3.11+), so this is safe.
RECURSION_LIMIT = 20_000


@contextmanager
def _recursion_limit(limit: int) -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


class _CPythonTree:
    """CPython's tree of a source, built on the first call; None when CPython rejects it."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tree: ast.Module | None = None
        self.error: Exception | None = None  # why CPython rejects it
        self.built = False

    def __call__(self) -> ast.Module | None:
        if not self.built:
            self.built = True
            try:
                self.tree = cpython.parse(self.source)
            except cpython.REJECTS as error:
                self.error = error
        return self.tree


def _cpython_reason(error: Exception | None) -> tuple[str, int, int]:
    """STK001's message and 1-based position for CPython's refusal of a source."""
    if isinstance(error, SyntaxError):
        return f"SyntaxError: {error.msg}", error.lineno or 1, error.offset or 1
    if isinstance(error, RecursionError | MemoryError):
        return "nested too deeply for the parser (more than Python itself accepts)", 1, 1
    return f"{type(error).__name__}: {error}", 1, 1


def _cpython_parse_error(source: str) -> Exception | None:
    """What CPython's parser says of the source, or None when it accepts it."""
    try:
        cpython.parse(source)
    except cpython.REJECTS as error:
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
        cpython.parse(source)
    except SyntaxError as py_error:
        line = py_error.lineno or 1
        column = py_error.offset or 1
        return f"SyntaxError: {py_error.msg}", line, column
    except (ValueError, RecursionError, MemoryError):
        return _libcst_location(error)
    # libcst's parser is stricter than CPython's in rare cases (thousands of implicitly
    # concatenated strings): not a syntax error, and its position may be past the end.
    message, line, column = _libcst_location(error)
    parts = LINE_BREAK.split(source)
    lines = len(parts) - (parts[-1] == "")
    if line > lines:
        line, column = max(lines, 1), 1
    return f"{LIBCST_ONLY}{message}", line, column


def _libcst_location(error: cst.ParserSyntaxError) -> tuple[str, int, int]:
    message = error.message
    match = _AT.search(message)
    if match:
        return message[match.end() :], int(match.group(1)), int(match.group(2)) + 1
    return message, max(error.raw_line, 1), error.raw_column + 1


LIBCST_ONLY = "valid Python that libcst cannot parse: "


def _too_deep_for_libcst(source: str) -> str:
    if _cpython_parse_error(source) is None:
        return f"{LIBCST_ONLY}nested too deeply for its parser"
    return "nested too deeply for the parser"


# The checkers of the other languages (Python's, `check_python`, takes `skips` too).
CHECKERS: dict[str, Checker] = {TEMPLATE: check_template, JS: check_js}


def reparse_python(source: str) -> str | None:
    """None when fixed Python text still parses, else why not."""
    too_deep = too_deep_to_parse(source)
    if too_deep is not None:
        return too_deep
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        reason, line, column = syntax_error_location(source, error)
        return f"{reason} at {line}:{column}"
    except RecursionError:
        return _too_deep_for_libcst(source)
    # libcst accepts some code CPython will not compile (`await` in a class body, in a
    # plain `def`); compiling builds the code object and runs nothing.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<fixed>", "exec", dont_inherit=True)
    except SyntaxError as error:
        return f"SyntaxError: {error.msg} at {error.lineno}:{error.offset}"
    except (ValueError, RecursionError, MemoryError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def reparse_jinja(source: str) -> str | None:
    """None when a fixed template still parses as Jinja (parsed only, never rendered)."""
    import jinja2

    try:
        jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError as error:
        return f"Jinja: {error.message} at line {error.lineno}"
    except RecursionError:
        return "nested too deeply for the Jinja parser"
    return None


# After fixes are applied, the text must still parse in its language or the file is
# left untouched. A language without an entry here (JS) is written without a check.
REPARSERS: dict[str, Callable[[str], str | None]] = {
    PYTHON: reparse_python,
    TEMPLATE: reparse_jinja,
}


def check_source(
    source: str,
    path: str,
    rules: Iterable[type[Rule]],
    options: dict[str, Any],
    project: Any = None,
    language: str | None = None,
    skips: bool = True,
    known: Iterable[type[Rule]] = ALL_RULES,
) -> list[Finding]:
    """Findings for one file's text: a checker, then the post-check stage. Pure: reads
    nothing, writes nothing."""
    language = language or language_of(path)
    if language is None:
        return []
    enabled = tuple(rules)
    if language == PYTHON:
        checked = check_python(source, path, enabled, options, project, skips)
    else:
        checker = CHECKERS.get(language)
        if checker is None:
            return []
        checked = checker(source, path, enabled, options, project)
    return post_check(checked, path, source, language, enabled, known)


def check_bytes(
    data: bytes,
    path: str,
    rules: tuple[type[Rule], ...],
    options: dict[str, Any],
    project: Any = None,
    language: str | None = None,
    skips: bool = True,
    known: Iterable[type[Rule]] = ALL_RULES,
) -> list[Finding]:
    """Findings for a file's raw content. Pure, like check_source."""
    language = language or language_of(path)
    if language is None:
        return []
    text, problems = text_of(data, path, rules, options, language)
    if text is None:
        return problems
    return check_source(text, path, rules, options, project, language, skips, known)


def text_of(
    data: bytes, path: str, rules: tuple[type[Rule], ...], options: dict[str, Any], language: str
) -> tuple[str | None, list[Finding]]:
    """(text, []) for a file that can be checked, else (None, the STK003 finding if enabled)."""
    if len(data) > size_limit(options):
        return None, if_enabled(rules, too_large(path, len(data), options))
    text, reason = decode(data, language)
    if text is None:
        return None, if_enabled(rules, engine_finding(UnreadableFile, path, reason))
    return text, []


def too_large(path: str, size: int, options: dict[str, Any]) -> Finding:
    limit_kb = size_limit(options) // 1024
    reason = (
        f"too large to check ({size / 1024 / 1024:.1f} MB; the limit is {limit_kb} KiB, "
        "set `max-file-size-kb` to raise it)"
    )
    return engine_finding(UnreadableFile, path, reason)


def unreadable(path: str, error: OSError) -> Finding:
    reason = error.strerror or type(error).__name__
    return engine_finding(UnreadableFile, path, f"cannot read: {reason}")


def if_enabled(rules: tuple[type[Rule], ...], finding: Finding) -> list[Finding]:
    return [finding] if any(rule.code == finding.code for rule in rules) else []
