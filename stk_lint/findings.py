"""The values every part of stk-lint passes around: findings and their fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text between two 0-based character offsets of the source."""

    start: int
    end: int
    content: str


@dataclass(frozen=True, slots=True)
class Fix:
    message: str
    applicability: str  # "safe" or "unsafe"
    edits: tuple[Edit, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "applicability": self.applicability,
            "edits": [{"start": e.start, "end": e.end, "content": e.content} for e in self.edits],
        }


@dataclass(frozen=True, slots=True)
class NodeFix:
    """A Python fix given as libcst node replacements; the engine turns it into a Fix
    with text edits once positions are known (only for files that have findings)."""

    message: str
    applicability: str  # "safe" or "unsafe"
    replacements: tuple[tuple[Any, Any], ...]  # (old node, new node)


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    path: str
    line: int  # 1-based
    column: int  # 1-based
    code: str
    message: str = field(compare=False)
    name: str = field(compare=False)
    end_line: int = field(compare=False)
    end_column: int = field(compare=False)
    fix: Fix | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape: exactly these keys, in this order."""
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "fix": self.fix.to_json() if self.fix else None,
        }


def applicable(fix: Fix | None, unsafe: bool) -> bool:
    """Whether `--fix` applies this fix (unsafe ones only with `--unsafe-fixes`)."""
    if fix is None or not fix.edits:
        return False
    return fix.applicability == "safe" or (unsafe and fix.applicability == "unsafe")
