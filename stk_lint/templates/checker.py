"""The template and JS checkers registered in `pipeline.CHECKERS`."""

from __future__ import annotations

from typing import Any

from stk_lint.checked import Checked
from stk_lint.rule import JS, TEMPLATE, Rule


def check_template(
    source: str,
    path: str,
    rules: tuple[type[Rule], ...],
    options: dict[str, Any],
    project: Any = None,
) -> Checked:
    checks = [rule for rule in rules if TEMPLATE in rule.languages]
    if not checks:
        return Checked()
    # Imported on the first template: a run over Python files alone never needs it.
    from stk_lint.templates.context import TemplateContext

    context = TemplateContext(path, source, options, project)
    for rule in checks:
        rule.check_template(context)  # type: ignore[attr-defined]
    return context.checked()


_VENDOR_FOLDERS = frozenset({"vendor", "vendors", "third_party", "third-party", "bower_components"})


def is_vendored_js(path: str, source: str) -> bool:
    """A library copied into the project (a vendor folder or a licence banner): not stk code."""
    parts = path.replace("\\", "/").split("/")[:-1]
    if any(part.lower() in _VENDOR_FOLDERS for part in parts):
        return True
    head = source[:3000].lstrip()
    if not head.startswith("/*"):
        return False
    banner = head[: head.find("*/") + 2] if "*/" in head else head
    # A library's licence banner: `/*! Vue v3.4.21 | (c) ...` or a comment with `@license`.
    return banner.startswith("/*!") or "@license" in banner


def check_js(
    source: str,
    path: str,
    rules: tuple[type[Rule], ...],
    options: dict[str, Any],
    project: Any = None,
) -> Checked:
    checks = [rule for rule in rules if JS in rule.languages]
    if not checks or is_vendored_js(path, source):
        return Checked()
    from stk_lint.templates.context import JsContext

    context = JsContext(path, source, options, project)
    for rule in checks:
        rule.check_js(context)  # type: ignore[attr-defined]
    return context.checked()
