"""Inline suppression comments: ``# noqa``, ``# noqa: STK202``, ``# stk-lint: ignore[STK202]``.

A comment suppresses a finding when it is on one of the lines of the finding's
statement (a multi-line statement is covered as a whole; a compound statement
by its header), or alone on the line just above that statement. Template and JS
checkers parse their own comment syntax and hand it to the same matcher.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

ALL = frozenset({"*"})

_DIRECTIVE = re.compile(
    r"(?:#|//|\{#)\s*(?:noqa(?![\w-])(?P<noqa>\s*:\s*(?P<noqa_codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?"
    r"|stk-lint\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?)",
    re.IGNORECASE,
)
_MAYBE_DIRECTIVE = re.compile(r"noqa|stk-lint", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")


@dataclass(frozen=True, slots=True)
class Directive:
    line: int
    codes: frozenset[str]  # ALL for a bare `# noqa`
    own_line: bool  # the comment is alone on its line
    column: int = 0  # 0-based start of the comment
    text: str = ""  # the comment as written
    # Codes this directive silenced in the current run (filled by is_suppressed).
    used: set[str] = field(default_factory=set, compare=False, hash=False)

    def covers(self, code: str) -> bool:
        return self.codes is ALL or code in self.codes


def parse_directive(comment: str) -> frozenset[str] | None:
    """Codes a comment's text suppresses, ALL, or None if it is no directive."""
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    if match.group("noqa_codes"):
        return frozenset(c.upper() for c in _CODE.findall(match.group("noqa_codes")))
    if match.group("codes") is not None:
        codes = frozenset(c.upper() for c in _CODE.findall(match.group("codes")))
        return codes or ALL
    return ALL


def python_directives(source: str) -> dict[int, Directive]:
    """Suppression comments of a Python source, by line. Cheap when there are none."""
    if _MAYBE_DIRECTIVE.search(source) is None:
        return {}
    directives: dict[int, Directive] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
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
    """The comment with `stale` codes taken out of its code list, or None if it has none."""
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    group = "noqa_codes" if match.group("noqa_codes") else "codes"
    if match.group(group) is None:
        return None
    start, end = match.span(group)
    kept = [c for c in _CODE.findall(match.group(group)) if c.upper() not in stale]
    if not kept:
        return None
    return comment[:start] + ", ".join(kept) + comment[end:]


def unused_directives(
    directives: dict[int, Directive], enabled: frozenset[str]
) -> list[tuple[Directive, str, frozenset[str]]]:
    """Directives that silenced nothing: (directive, message, stale codes or ALL).

    Judged only on enabled codes.

    Codes of other tools in a `# noqa` (`E501`) are not ours and never reported; a code
    of ours whose rule did not run this time cannot be judged either.
    """
    unused = []
    for line in sorted(directives):
        directive = directives[line]
        shown = directive.text or "the suppression comment"
        if directive.codes is ALL:
            if not directive.used:
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
