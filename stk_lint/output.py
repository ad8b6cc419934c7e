"""Printing findings. Formatters take findings and return text; the CLI writes it."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence

import click

from stk_lint.findings import Finding


def _style(text: str, color: bool, **style: object) -> str:
    return click.style(text, **style) if color else text  # type: ignore[arg-type]


def summary_line(findings: Sequence[Finding], files: int) -> str:
    if not findings:
        return f"All checks passed! ({files} file{'s' if files != 1 else ''} checked)"
    count = len(findings)
    fixable = sum(1 for f in findings if f.fix is not None)
    text = f"Found {count} error{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''} checked."
    if fixable:
        text += f"\n[*] {fixable} fixable with the `--fix` option."
    return text


def format_text(findings: Sequence[Finding], color: bool = False) -> str:
    lines = []
    for f in findings:
        location = _style(f.path, color, bold=True) + f":{f.line}:{f.column}:"
        code = _style(f.code, color, fg="red", bold=True)
        marker = " [*]" if f.fix is not None else ""
        lines.append(f"{location} {code}{marker} {f.message}")
    return "\n".join(lines)


def format_json(findings: Sequence[Finding], color: bool = False) -> str:
    return json.dumps([f.to_json() for f in findings], indent=2, ensure_ascii=False)


def format_statistics(findings: Sequence[Finding], color: bool = False) -> str:
    counts = Counter((f.code, f.name) for f in findings)
    fixable = Counter(f.code for f in findings if f.fix is not None)
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mark = "[*]" if fixable[code] else "   "
        lines.append(f"{count:>{width}}\t{_style(code, color, fg='red', bold=True)}\t{mark} {name}")
    return "\n".join(lines)


FORMATTERS: dict[str, Callable[[Sequence[Finding], bool], str]] = {
    "text": format_text,
    "json": format_json,
}
# Formats that are a complete document: no summary line around them.
MACHINE_FORMATS = frozenset({"json"})
