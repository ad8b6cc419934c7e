"""The template and JS checkers registered in `engine.CHECKERS`."""

from __future__ import annotations

from typing import Any

from stk_lint.findings import Finding
from stk_lint.rule import Rule
from stk_lint.templates.context import JsContext, TemplateContext


def check_template(
    source: str,
    path: str,
    rules: tuple[type[Rule], ...],
    options: dict[str, Any],
    project: Any = None,
) -> list[Finding]:
    checks = [rule for rule in rules if hasattr(rule, "check_template")]
    if not checks:
        return []
    context = TemplateContext(path, source, options, project)
    for rule in checks:
        rule.check_template(context)  # type: ignore[attr-defined]
    return context.findings()


def check_js(
    source: str,
    path: str,
    rules: tuple[type[Rule], ...],
    options: dict[str, Any],
    project: Any = None,
) -> list[Finding]:
    checks = [rule for rule in rules if hasattr(rule, "check_js")]
    if not checks:
        return []
    context = JsContext(path, source, options, project)
    for rule in checks:
        rule.check_js(context)  # type: ignore[attr-defined]
    return context.findings()
