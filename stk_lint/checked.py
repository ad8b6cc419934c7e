"""What a checker hands to the post-check stage (stk_lint.pipeline.post_check).

Each checker (Python, template, JS) reports its findings with the lines a suppression
comment may cover, and how to read the file's suppression comments (in its own comment
syntax); the one post-check stage applies suppression, STK900, the enabled-codes filter
and the order, whatever the language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from stk_lint.findings import Finding
from stk_lint.suppression import Directive


@dataclass
class Checked:
    # (finding, (first line, last line) a suppression comment may stand on)
    reports: list[tuple[Finding, tuple[int, int]]] = field(default_factory=list)
    # The file's suppression comments by line, read only when needed. None for a verdict
    # on the whole file (it cannot be parsed): nothing silences it, nothing is judged.
    directives: Callable[[], dict[int, Directive]] | None = None

    @classmethod
    def verdict(cls, finding: Finding) -> Checked:
        """A finding about the whole file (STK001), never suppressed line by line."""
        return cls([(finding, (finding.line, finding.end_line))])
