"""Inline suppression comments: ``# noqa``, ``# noqa: STK202``, ``# stk-lint: ignore[STK202]``.

A comment suppresses a finding when it is on one of the lines of the finding's
statement (a multi-line statement is covered as a whole; a compound statement
by its header), or alone on the line just above that statement. Template and JS
checkers parse their own comment syntax (`{# #}`, `//`, `/* */`) and hand it to the
same matcher.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stk_lint.decoding import line_break_after, line_starts
from stk_lint.findings import Edit, Finding, Fix
from stk_lint.rules.engine import UnusedSuppression

if TYPE_CHECKING:
    from stk_lint.rule import Rule

ALL = frozenset({"*"})

_DIRECTIVE = re.compile(
    r"(?:#|//|/\*+|\{#[-+]?)\s*(?:noqa(?![\w-])(?P<noqa>\s*:\s*(?P<noqa_codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?"
    r"|stk-lint\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?)",
    re.IGNORECASE,
)
_MAYBE_DIRECTIVE = re.compile(r"noqa|stk-lint", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")


@dataclass(frozen=True, slots=True)
class Directive:
    line: int
    codes: frozenset[str]  # ALL when the directive names no codes
    own_line: bool  # the comment is alone on its line
    column: int = 0  # 0-based start of the comment
    text: str = ""  # the comment as written
    # Codes this directive silenced in the current run (filled by is_suppressed).
    used: set[str] = field(default_factory=set, compare=False, hash=False)

    def covers(self, code: str) -> bool:
        return self.codes is ALL or code in self.codes


def parse_directive(comment: str) -> frozenset[str] | None:
    """Codes a comment's text suppresses, ALL, or None if it is no directive.

    A comment may hold several directives (`# noqa: B018  # stk-lint: ignore[STK303]`):
    their codes add up.
    """
    found: frozenset[str] | None = None
    for match in _DIRECTIVE.finditer(comment):
        if match.group("noqa_codes"):
            codes = frozenset(c.upper() for c in _CODE.findall(match.group("noqa_codes")))
        elif match.group("codes") is not None:
            codes = frozenset(c.upper() for c in _CODE.findall(match.group("codes"))) or ALL
        else:
            codes = ALL
        if codes is ALL:
            return ALL
        found = codes if found is None else found | codes
    return found


def python_directives(source: str) -> dict[int, Directive]:
    """Suppression comments of a Python source, by line. Cheap when there are none."""
    if _MAYBE_DIRECTIVE.search(source) is None:
        return {}
    directives: dict[int, Directive] = {}
    try:
        # newline="": lines end at \r\n, \r or \n, as for the parser (a CR-only file
        # is one line otherwise, and its comments cover nothing below the first).
        tokens = list(tokenize.generate_tokens(io.StringIO(source, newline="").readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return directives
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        codes = parse_directive(token.string)
        if codes is None:
            continue
        line = token.start[0]
        own_line = not token.line[: token.start[1]].strip()
        directives[line] = Directive(line, codes, own_line, token.start[1], token.string.rstrip())
    return directives


def is_suppressed(
    directives: dict[int, Directive], code: str, span: tuple[int, int]
) -> Directive | None:
    """The directive that silences `code` for a statement spanning lines `span`, if any."""
    if not directives:
        return None
    start, end = span
    for line in range(start, end + 1):
        directive = directives.get(line)
        if directive is not None and directive.covers(code):
            directive.used.add(code)
            return directive
    above = directives.get(start - 1)
    if above is not None and above.own_line and above.covers(code):
        above.used.add(code)
        return above
    return None


def without_codes(comment: str, stale: frozenset[str]) -> str | None:
    """The comment with `stale` codes taken out of its code list, or None if it has none
    (or holds several directives, where which list to edit is not clear-cut)."""
    matches = list(_DIRECTIVE.finditer(comment))
    if len(matches) != 1:
        return None
    match = matches[0]
    group = "noqa_codes" if match.group("noqa_codes") else "codes"
    if match.group(group) is None:
        return None
    start, end = match.span(group)
    kept = [c for c in _CODE.findall(match.group(group)) if c.upper() not in stale]
    if not kept:
        return None
    return comment[:start] + ", ".join(kept) + comment[end:]


def unused_directives(
    directives: dict[int, Directive], enabled: frozenset[str], judge_bare: bool = True
) -> list[tuple[Directive, str, frozenset[str]]]:
    """Directives that silenced nothing: (directive, message, stale codes or ALL).

    Judged only on enabled codes.

    Codes of other tools in a `# noqa` (`E501`) are not ours and never reported; a code
    of ours whose rule did not run this time cannot be judged either, and nor can a
    bare directive unless `judge_bare` (every rule that checks the file ran).
    """
    unused = []
    for line in sorted(directives):
        directive = directives[line]
        shown = directive.text or "the suppression comment"
        if directive.codes is ALL:
            if judge_bare and not directive.used:
                unused.append((directive, f"`{shown}` suppresses nothing; remove it", ALL))
            continue
        idle = sorted(c for c in directive.codes if c in enabled and c not in directive.used)
        if idle:
            listed = ", ".join(f"`{c}`" for c in idle)
            stale = ALL if len(idle) == len(directive.codes) else frozenset(idle)
            unused.append(
                (directive, f"{listed} in `{shown}` suppresses nothing; remove it", stale)
            )
    return unused


def unused_suppressions(
    directives: dict[int, Directive],
    path: str,
    rules: tuple[type[Rule], ...],
    source: str | None = None,
) -> list[Finding]:
    """STK900 findings for suppression comments that silenced nothing in this run.

    Call after every finding of the file went through `is_suppressed` (which records
    what each directive silenced). Any checker with its own comment syntax can use it.
    """
    if not directives or not any(rule.code == UnusedSuppression.code for rule in rules):
        return []
    enabled = frozenset(rule.code for rule in rules)
    judge_bare = _every_rule_ran(enabled, path)
    return [
        Finding(
            path=path,
            line=directive.line,
            column=directive.column + 1,
            code=UnusedSuppression.code,
            message=message,
            name=UnusedSuppression.name,
            end_line=directive.line,
            end_column=directive.column + 1 + len(directive.text),
            fix=_removal(source, directive, stale),
        )
        for directive, message, stale in unused_directives(directives, enabled, judge_bare)
    ]


def _every_rule_ran(enabled: frozenset[str], path: str) -> bool:
    """Whether every rule that checks this kind of file was enabled: a bare suppression
    may be there for any of them, so it is judged only then."""
    from stk_lint.files import language_of
    from stk_lint.registry import ALL_RULES

    language = language_of(path)
    return all(rule.code in enabled for rule in ALL_RULES if language and _checks(rule, language))


def _checks(rule: type[Rule], language: str) -> bool:
    from stk_lint.rule import ANY, JS, PYTHON, TEMPLATE

    if rule.language == ANY:
        return True
    if language == PYTHON:
        return rule.language == PYTHON
    if language == TEMPLATE:
        return hasattr(rule, "check_template")
    return language == JS and hasattr(rule, "check_js")


def _line_start(source: str, line: int) -> int | None:
    """The offset where a 1-based line starts (lines end at CRLF, CR or LF)."""
    starts = line_starts(source)
    return starts[line - 1] if 1 <= line <= len(starts) else None


def _removal(source: str | None, directive: Directive, stale: frozenset[str]) -> Fix | None:
    """A fix taking the stale codes out of a comment, or removing a wholly stale one
    (with its line, when it stands alone)."""
    if source is None or not directive.text:
        return None
    line_start = _line_start(source, directive.line)
    if line_start is None:
        return None
    start = line_start + directive.column
    end = start + len(directive.text)
    if source[start:end] != directive.text:
        return None  # offsets do not line up: offer nothing rather than a wrong edit
    # The line the comment ends on (a `{# #}` or `/* */` comment may span lines).
    line_end = line_break_after(source, end)[1]
    if stale is not ALL:
        kept = without_codes(directive.text, stale)
        if kept is None:
            return None
        return Fix("Remove the unused codes", "safe", (Edit(start, end, kept),))
    if directive.own_line:
        return Fix(
            "Remove the unused suppression comment", "safe", (Edit(line_start, line_end, ""),)
        )
    before = source[line_start:start]
    start = line_start + len(before.rstrip(" \t"))
    if start == line_start:  # code follows the comment: keep it where the comment began
        after = source[end:line_end]
        end += len(after) - len(after.lstrip(" \t"))
    return Fix("Remove the unused suppression comment", "safe", (Edit(start, end, ""),))
