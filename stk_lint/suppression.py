"""Inline suppression comments: ``# noqa``, ``# noqa: STK202``, ``# stk-lint: ignore[STK202]``.

A comment suppresses a finding when it is on one of the lines of the finding's
statement (a multi-line statement is covered as a whole; a compound statement
by its header), or alone on the line just above that statement. Template and JS
checkers parse their own comment syntax (`{# #}`, `//`, `/* */`); the one post-check
stage (stk_lint.pipeline.post_check) matches every language's findings against them.
What this module needs of the rules (the codes there are, STK900 itself) is passed in.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stk_lint.decoding import line_break_after, line_starts
from stk_lint.findings import Edit, Finding, Fix

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
_LISTED = re.compile(r"[^\s,]+")  # an item of `ignore[...]`, whatever it is


@dataclass(frozen=True, slots=True)
class Directive:
    line: int
    codes: frozenset[str]  # ALL when the directive names no codes
    own_line: bool  # the comment is alone on its line
    column: int = 0  # 0-based start of the comment
    text: str = ""  # the comment as written
    offset: int = -1  # 0-based start of the comment in the source (-1: unknown)
    # Codes this directive silenced in the current run (filled by is_suppressed).
    used: set[str] = field(default_factory=set, compare=False, hash=False)

    def covers(self, code: str) -> bool:
        return self.codes is ALL or code in self.codes


@dataclass(frozen=True, slots=True)
class _Part:
    """One directive inside a comment (a comment may hold several, and other text)."""

    start: int  # the directive's span in the comment, from its `#`, `//`, `/*` or `{#`
    end: int
    body: int  # where the text after the comment opener starts
    codes: tuple[str, ...]  # as written; empty for a bare directive or an empty list
    codes_span: tuple[int, int] | None  # the code list's span; None for a bare directive
    ours: bool  # `stk-lint: ignore[...]`: every code in it names an stk-lint rule


def _parts(comment: str) -> list[_Part]:
    parts = []
    for match in _DIRECTIVE.finditer(comment):
        group = "noqa_codes" if match.group("noqa_codes") else "codes"
        listed = match.group(group)
        opener = re.match(r"(?:#|//|/\*+|\{#[-+]?)\s*", comment[match.start() :])
        assert opener is not None
        parts.append(
            _Part(
                start=match.start(),
                end=match.end(),
                body=match.start() + opener.end(),
                codes=tuple((_CODE if group == "noqa_codes" else _LISTED).findall(listed or "")),
                codes_span=None if listed is None else match.span(group),
                ours=group == "codes",
            )
        )
    return parts


def parse_directive(comment: str) -> frozenset[str] | None:
    """Codes a comment's text suppresses, ALL, or None if it is no directive.

    A comment may hold several directives (`# noqa: B018  # stk-lint: ignore[STK303]`):
    their codes add up. An empty list (`# stk-lint: ignore[]`) suppresses nothing.
    """
    found: frozenset[str] | None = None
    for part in _parts(comment):
        if part.codes_span is None:
            return ALL
        codes = frozenset(c.upper() for c in part.codes)
        found = codes if found is None else found | codes
    return found


def python_directives(source: str) -> dict[int, Directive]:
    """Suppression comments of a Python source, by line. Cheap when there are none."""
    if _MAYBE_DIRECTIVE.search(source) is None:
        return {}
    directives: dict[int, Directive] = {}
    try:
        # newline=None: lines end at "\r" too, as for CPython, libcst and the findings.
        tokens = list(tokenize.generate_tokens(io.StringIO(source, newline=None).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return directives
    starts: list[int] | None = None
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        codes = parse_directive(token.string)
        if codes is None:
            continue
        line, column = token.start
        starts = starts or line_starts(source)
        own_line = not token.line[:column].strip()
        text = token.string.rstrip()
        offset = starts[line - 1] + column if line <= len(starts) else -1
        directives[line] = Directive(line, codes, own_line, column, text, offset)
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


def unused_directives(
    directives: dict[int, Directive],
    enabled: frozenset[str],
    known: frozenset[str],
    judge_bare: bool = True,
) -> list[tuple[Directive, str, frozenset[str]]]:
    """Directives that silenced nothing, or name what is no rule: (directive, message,
    the codes to take out of it, or ALL).

    Judged only on enabled codes. Codes of other tools in a `# noqa` (`E501`) are not
    ours and never reported; a code of ours whose rule did not run this time cannot be
    judged either, and nor can a bare directive unless `judge_bare` (every rule that
    checks the file ran). A code of ours that names no rule (`STK999`, a prefix such as
    `STK2`: suppressions match whole codes) and an empty list (`ignore[]`) silence
    nothing whatever runs: they are always reported. `known` is every rule code there is.
    """
    unused = []
    for line in sorted(directives):
        directive = directives[line]
        shown = directive.text or "the suppression comment"
        if directive.codes is ALL:
            if judge_bare and not directive.used:
                unused.append((directive, f"`{shown}` suppresses nothing; remove it", ALL))
            continue
        problems = []
        parts = _parts(directive.text)
        unknown = sorted(
            {
                code.upper()
                for part in parts
                for code in part.codes
                if _ours(code, part) and code.upper() not in known
            }
        )
        idle = sorted(c for c in directive.codes if c in enabled and c not in directive.used)
        if idle:
            listed = ", ".join(f"`{c}`" for c in idle)
            problems.append(f"{listed} in `{shown}` suppresses nothing")
        for code in unknown:
            if any(rule.startswith(code) for rule in known):
                problems.append(
                    f"`{code}` in `{shown}` is a prefix; a suppression names whole rule codes"
                )
            else:
                problems.append(f"`{code}` in `{shown}` is not an stk-lint rule code")
        if any(part.codes_span is not None and not part.codes for part in parts):
            problems.append(f"`{shown}` names no code and suppresses nothing")
        if problems:
            unused.append(
                (directive, "; ".join(problems) + "; remove it", frozenset(idle + unknown))
            )
    return unused


def unused_suppressions(
    directives: dict[int, Directive],
    path: str,
    rule: type[Rule],
    enabled: frozenset[str],
    known: frozenset[str],
    judge_bare: bool,
    source: str | None = None,
) -> list[Finding]:
    """`rule`'s (STK900's) findings for the suppression comments that silenced nothing in
    this run: call after every finding of the file went through `is_suppressed` (which
    records what each directive silenced). `judge_bare`: every rule that checks this kind
    of file ran, so a bare suppression (which may be there for any of them) is judged."""
    return [
        Finding(
            path=path,
            line=directive.line,
            column=directive.column + 1,
            code=rule.code,
            message=message,
            name=rule.name,
            end_line=directive.line,
            end_column=directive.column + 1 + len(directive.text),
            fix=_removal(source, directive, stale),
        )
        for directive, message, stale in unused_directives(directives, enabled, known, judge_bare)
    ]


def _removal(source: str | None, directive: Directive, stale: frozenset[str]) -> Fix | None:
    """A fix taking the stale codes (or, with ALL, the bare directives) out of a comment.
    Everything else in it stays as written (another tool's `# type: ignore`, a
    reason); a comment left with nothing in it goes, with its line when it stands alone."""
    if source is None or not directive.text or directive.offset < 0:
        return None
    start = directive.offset
    end = start + len(directive.text)
    if source[start:end] != directive.text:
        return None  # offsets do not line up: offer nothing rather than a wrong edit
    kept = without_directives(directive.text, stale)
    if kept == directive.text:
        return None
    if not _EMPTY_COMMENT.fullmatch(kept):
        message = "Remove the unused suppression" if stale is ALL else "Remove the unused codes"
        return Fix(message, "safe", (Edit(start, end, kept),))
    line_start = max(source.rfind("\n", 0, start), source.rfind("\r", 0, start)) + 1
    # The line the comment ends on (a `{# #}` or `/* */` comment may span lines).
    break_start, line_end = line_break_after(source, end)
    if directive.own_line and not source[end:break_start].strip():
        return Fix(
            "Remove the unused suppression comment", "safe", (Edit(line_start, line_end, ""),)
        )
    before = source[line_start:start]
    start = line_start + len(before.rstrip(" \t"))
    if start == line_start:  # code follows the comment: keep it where the comment began
        after = source[end:line_end]
        end += len(after) - len(after.lstrip(" \t"))
    return Fix("Remove the unused suppression comment", "safe", (Edit(start, end, ""),))


# What is left of a comment once its directives are gone, when nothing else was in it.
_EMPTY_COMMENT = re.compile(r"[\s#/*{}+-]*")


def without_directives(comment: str, stale: frozenset[str]) -> str:
    """The comment without the `stale` codes, a directive left with no code removed whole
    (`ignore[]` too); with ALL (a bare directive that silenced nothing), without its bare
    directives and stk-lint codes. Other tools' codes and comments stay as written."""
    text = comment
    for part in reversed(_parts(comment)):
        if part.codes_span is None:
            if stale is ALL:
                text = _cut(text, part)
            continue
        kept = [
            code
            for code in part.codes
            if not (code.upper() in stale or (stale is ALL and _ours(code, part)))
        ]
        if not kept:
            text = _cut(text, part)
        elif len(kept) < len(part.codes):
            a, b = part.codes_span
            text = text[:a] + _keep_codes(text[a:b], kept) + text[b:]
    return text


def _ours(code: str, part: _Part) -> bool:
    """Whether a code in a directive is stk-lint's (every code in `ignore[...]` is)."""
    return part.ours or code.upper().startswith("STK")


def _cut(text: str, part: _Part) -> str:
    """`text` without the directive `part` and the reason written after it: up to the next
    comment in it (`# noqa: STK101 legacy  # type: ignore` keeps `# type: ignore`) or its
    closing `#}`/`*/`, with the blanks before it when nothing follows."""
    after = text[part.end :]
    following = _NEXT_COMMENT.search(after)
    rest = after[following.end() :] if following else ""
    if not rest or _EMPTY_COMMENT.fullmatch(rest):
        head = text[: part.start].rstrip()
        if not head:
            return text[: part.start] + rest  # a closer alone (`#}`, `*/`) stays
        return head + (" " + rest if rest else "")
    return text[: part.start] + rest


# Where the next comment in a comment starts, or where a block comment closes.
_NEXT_COMMENT = re.compile(r"(?:^|\s)\s*(?=#|//|/\*|\*/)")


def _keep_codes(listed: str, kept: list[str]) -> str:
    """A code list with only the `kept` codes, its other separators as written."""
    items = re.split(r"([\s,]+)", listed)  # code, separator, code, ...
    out = ""
    for index in range(0, len(items), 2):
        if items[index] not in kept:
            continue
        if out:
            out += items[index - 1]
        out += items[index]
    return out
