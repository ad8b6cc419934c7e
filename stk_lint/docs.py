"""Rule documentation rendered from the registry, for `stk-lint rule` and references/rules.md."""

from __future__ import annotations

import json

from stk_lint.rule import JS, TEMPLATE, Rule

FIX_TEXT = {
    None: "No autofix.",
    "safe": "Fix is safe (`--fix`).",
    "unsafe": "Fix is unsafe (`--fix --unsafe-fixes`): review the result.",
}


def fence_language(rule: type[Rule]) -> str:
    if rule.language == TEMPLATE or rule.example_path.endswith((".html", ".jinja2", ".j2")):
        return "jinja"
    if rule.language == JS or rule.example_path.endswith(".js"):
        return "js"
    return "python"


def printable(code: str) -> str:
    """Control characters (a NUL in an example of an unreadable file) as visible escapes."""
    return "".join(c if c.isprintable() or c in "\n\t" else f"\\x{ord(c):02x}" for c in code)


def _fenced(code: str, language: str) -> str:
    code = printable(code)
    fence = "````" if "```" in code else "```"
    return f"{fence}{language}\n{code.rstrip()}\n{fence}"


def _example_project(rule: type[Rule]) -> list[str]:
    """For a rule that reads across files: the app its examples are checked in."""
    if not rule.example_files:
        return []
    files = ", ".join(f"`{path}`" for path in sorted(rule.example_files))
    return [
        f"The examples are `{rule.example_path}` of an example app that also has {files}, "
        "with quart-security installed.",
        "",
    ]


def rule_markdown(rule: type[Rule], heading: str = "#") -> str:
    """ruff-style documentation: what it does, why it is bad, example, use instead."""
    language = fence_language(rule)
    parts = [
        f"{heading} {rule.code} {rule.name}",
        "",
        FIX_TEXT[rule.fix],
        "",
        f"{heading}# What it does",
        rule.summary,
        "",
        f"{heading}# Why is this bad?",
        rule.why,
        "",
        *_example_project(rule),
        f"{heading}# Example",
        _fenced(rule.bad, language),
        "",
        f"{heading}# Use instead",
        _fenced(rule.good, language),
    ]
    if rule.options:
        parts += ["", f"{heading}# Options"]
        for key, option in rule.options.items():
            parts.append(f"- `{key}` (default `{json.dumps(option.default)}`): {option.help}")
    if rule.limits:
        parts += ["", f"{heading}# Limits", rule.limits]
    if not rule.default_enabled:
        parts += [
            "",
            f"Opt-in: enable it on top of the other rules with `--extend-select {rule.code}` "
            f'or `extend-select = ["{rule.code}"]` in the config (`--select` and `select` '
            "replace the selection).",
        ]
    return "\n".join(parts) + "\n"
