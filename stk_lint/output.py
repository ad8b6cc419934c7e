"""Printing findings. Formatters take findings and return text; the CLI writes it."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

import click

from stk_lint import paths
from stk_lint.findings import Finding, applicable


def _style(text: str, color: bool, **style: object) -> str:
    return click.style(text, **style) if color else text  # type: ignore[arg-type]


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}{'es' if word.endswith('x') else 's'}"


def summary_line(
    findings: Sequence[Finding],
    files: int,
    fixed: int = 0,
    unsafe_fixes: bool = False,
    unchecked: int = 0,
) -> str:
    """ruff-style summary; `fixed` counts the findings --fix repaired in this run;
    `unchecked` the files of `files` an internal error kept from being checked (a run
    with any is never said to pass)."""
    total = len(findings) + fixed
    checked = files - unchecked
    not_checked = f"{_plural(unchecked, 'file')} could not be checked (see the errors above)"
    if not total:
        if unchecked:
            return f"No errors in {_plural(checked, 'file')} checked, but {not_checked}."
        return f"All checks passed! ({_plural(files, 'file')} checked)"
    if fixed:
        text = f"Found {_plural(total, 'error')} ({fixed} fixed, {len(findings)} remaining)."
        if unchecked:
            text += f"\n{not_checked[0].upper()}{not_checked[1:]}."
    else:
        text = f"Found {_plural(total, 'error')} in {_plural(checked, 'file')} checked"
        text += f"; {not_checked}." if unchecked else "."
    fixable = sum(1 for f in findings if applicable(f.fix, unsafe_fixes))
    hidden = 0 if unsafe_fixes else sum(1 for f in findings if applicable(f.fix, True)) - fixable
    if fixable:
        text += f"\n[*] {fixable} fixable with the `--fix` option"
        text += (
            f" ({_plural(hidden, 'hidden fix')} can be enabled with the `--unsafe-fixes` option)."
            if hidden
            else "."
        )
    elif hidden:
        text += (
            f"\nNo fixes available ({_plural(hidden, 'hidden fix')} can be enabled with the "
            "`--unsafe-fixes` option)."
        )
    return text


def format_fixed(fixed: Sequence[Finding]) -> str:
    """What --fix changed, per file and rule (ruff's --show-fixes layout)."""
    by_file: dict[str, Counter[tuple[str, str]]] = {}
    for f in fixed:
        by_file.setdefault(f.path, Counter())[(f.code, f.name)] += 1
    lines = [f"Fixed {_plural(len(fixed), 'error')}:"]
    for path in sorted(by_file):
        lines.append(f"- {path}:")
        for (code, name), count in sorted(by_file[path].items()):
            lines.append(f"    {count} x {code} ({name})")
    return "\n".join(lines)


def format_text(findings: Sequence[Finding], color: bool = False) -> str:
    lines = []
    for f in findings:
        location = _style(f.path, color, bold=True) + f":{f.line}:{f.column}:"
        code = _style(f.code, color, fg="red", bold=True)
        marker = " [*]" if applicable(f.fix, unsafe=False) else ""
        lines.append(f"{location} {code}{marker} {f.message}")
    return "\n".join(lines)


def format_json(findings: Sequence[Finding], color: bool = False) -> str:
    return json_text([f.to_json() for f in findings])


def json_text(document: object) -> str:
    """Indented JSON, non-ASCII text as it is; a file name that is not valid UTF-8 (its
    bytes are kept as lone surrogates) as `\\udcXX` escapes: valid JSON, and Python's
    json module reads back the very name (`os.fsencode` gives its bytes)."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def shown_name(path: str) -> str:
    """A path for text that must be valid UTF-8: the bytes of a name that is not are
    shown as `\\xff` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def statistics(findings: Sequence[Finding]) -> list[dict[str, object]]:
    """A count per rule, most frequent first (ruff's keys: code, name, count, fixable)."""
    counts = Counter((f.code, f.name) for f in findings)
    fixable = {f.code for f in findings if applicable(f.fix, unsafe=False)}
    return [
        {"code": code, "name": name, "count": count, "fixable": code in fixable}
        for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def format_statistics(findings: Sequence[Finding], color: bool = False) -> str:
    rows = statistics(findings)
    width = max((len(str(row["count"])) for row in rows), default=1)
    lines = []
    for row in rows:
        mark = "[*]" if row["fixable"] else "   "
        code = _style(str(row["code"]), color, fg="red", bold=True)
        lines.append(f"{row['count']:>{width}}\t{code}\t{mark} {row['name']}")
    return "\n".join(lines)


def format_statistics_json(findings: Sequence[Finding], color: bool = False) -> str:
    return json_text(statistics(findings))


def format_concise(findings: Sequence[Finding], color: bool = False) -> str:
    """`path:line:col: CODE message`, one per line: for editors, grep and pre-commit."""
    return "\n".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings)


# ---- CI formats: paths relative to the repository root ----


def repo_root(start: Path | None = None) -> Path:
    """The enclosing git work tree's top (where CI checks out), else the current folder."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if paths.exists(candidate / ".git"):
            return candidate
    return here


def relative_to_root(path: str, root: Path) -> str | None:
    """`path` as a POSIX path relative to `root`, or None when it lies outside."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        try:
            return absolute.resolve().relative_to(root).as_posix()
        except (ValueError, OSError, RuntimeError):
            return None


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(
    findings: Sequence[Finding], color: bool = False, root: Path | None = None
) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the diff."""
    root = root or repo_root()
    lines = []
    for f in findings:
        path = relative_to_root(f.path, root) or f.path
        properties = {
            "file": shown_name(path),
            "line": f.line,
            "col": f.column,
            "endLine": f.end_line,
            "endColumn": f.end_column,
            "title": f"{f.code} {f.name}",
        }
        rendered = ",".join(
            f"{key}={_escape_property(str(value))}" for key, value in properties.items()
        )
        lines.append(f"::error {rendered}::{_escape_data(f.message)}")
    return "\n".join(lines)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def docs_url() -> str | None:
    """The rule catalogue's address, from the package's `Documentation` project URL.

    Without one, SARIF carries each rule's full help text and no link: a made-up
    address would be worse than none.
    """
    from importlib import metadata

    try:
        urls = metadata.metadata("stk-lint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation" and url.strip():
            return url.strip()
    return None


def format_sarif(findings: Sequence[Finding], color: bool = False, root: Path | None = None) -> str:
    """SARIF 2.1.0 for GitHub code scanning: every rule with its help, every finding."""
    from stk_lint import __version__
    from stk_lint.docs import rule_markdown
    from stk_lint.registry import ALL_RULES

    root = root or repo_root()
    url = docs_url()
    rule_index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.why},
            "help": {"text": f"{rule.summary}\n\n{rule.why}", "markdown": rule_markdown(rule)},
            **({"helpUri": f"{url}#{rule.code.lower()}-{rule.name}"} if url else {}),
            "defaultConfiguration": {"level": "error", "enabled": rule.default_enabled},
            "properties": {"tags": [rule.language], "fix": rule.fix or "none"},
        }
        for rule in ALL_RULES
    ]
    results = []
    for f in findings:
        relative = relative_to_root(f.path, root)
        if relative is not None:
            # The name's own bytes, percent-encoded (UTF-8 for any name that is valid).
            artifact = {"uri": quote(os.fsencode(relative)), "uriBaseId": "%SRCROOT%"}
        else:
            artifact = {"uri": Path(os.path.abspath(f.path)).as_uri()}
        result: dict[str, object] = {
            "ruleId": f.code,
            "level": "error",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": max(f.end_column, f.column),
                        },
                    }
                }
            ],
        }
        if f.code in rule_index:
            result["ruleIndex"] = rule_index[f.code]
        results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "stk-lint",
                        "version": __version__,
                        **({"informationUri": url} if url else {}),
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json_text(document)


FORMATTERS: dict[str, Callable[[Sequence[Finding], bool], str]] = {
    "text": format_text,
    "concise": format_concise,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
}
# Formats that are a complete document or machine-read (concise: one line per finding,
# for editors and grep): no summary line around them.
MACHINE_FORMATS = frozenset({"json", "sarif", "github", "concise"})
