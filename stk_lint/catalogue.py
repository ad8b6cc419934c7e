"""references/rules.md: the rule catalogue, generated from the registry.

The table of critical rules is data kept here, in one place: each critical rule of
SKILL.md (by its bold key phrase) maps to the rule codes that enforce it, to the other
tool that does (ruff), or to the reason no linter can. Codes not registered in this build
are listed as pending, so the file still generates while rules are being added; regenerate
it with ``stk-lint skill catalogue --write`` after adding or changing a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from stk_lint.docs import printable, rule_markdown
from stk_lint.registry import ALL_RULES, BY_CODE
from stk_lint.rule import Rule


@dataclass(frozen=True)
class CriticalRule:
    key: str  # the bold phrase that opens the bullet in SKILL.md's "Critical rules"
    codes: tuple[str, ...] = ()
    unchecked_because: str = ""  # when `codes` is empty: why no rule can check it
    # When another tool checks it instead of stk-lint (Markdown: which tool, which rules).
    checked_by_other_tool: str = ""


CRITICAL_RULES: tuple[CriticalRule, ...] = (
    CriticalRule("Async handlers", ("STK201",)),
    CriticalRule("Await all I/O", ("STK202",)),
    CriticalRule(
        "No blocking calls",
        checked_by_other_tool=(
            "ruff's `ASYNC` rules (flake8-async), not stk-lint: `ASYNC210`/`ASYNC212` "
            "blocking HTTP calls (`requests`, `httpx.Client`), `ASYNC251` `time.sleep`, "
            "`ASYNC220`-`ASYNC222` subprocesses, `ASYNC230` `open()`. Enable them with "
            '`extend-select = ["ASYNC"]` under `[tool.ruff.lint]`. CPU-heavy work in a '
            "handler is not machine-checkable"
        ),
    ),
    CriticalRule("Request-scoped session", ("STK303",)),
    CriticalRule("Models inherit `Base`", ("STK302",)),
    CriticalRule("Quart, not Flask", ("STK101",)),
    CriticalRule("quart-security, not Flask-Security", ("STK101",)),
    CriticalRule("Selectin relationships", ("STK301",)),
    CriticalRule("Vue delimiters are `${ }`", ("STK401", "STK402", "STK002")),
    CriticalRule("Options API", ("STK403",)),
    CriticalRule("No Celery", ("STK102",)),
    CriticalRule("Background work gets values, not the request", ("STK203",)),
    CriticalRule(
        "Manual pagination",
        unchecked_because=(
            "whether a count runs over the same filtered query as the page is a question of "
            "meaning; the correct code has many shapes (a shared helper, a subquery, repeated "
            "filters), so any pattern check would both miss and nag"
        ),
    ),
    CriticalRule("Tabler icons", ("STK501", "STK502")),
    CriticalRule(
        "orjson for list endpoints",
        unchecked_because=(
            "the standard `json` module and Quart's own dict responses are correct, only "
            "slower; a rule would flag working code"
        ),
    ),
    CriticalRule(
        "Wrapped mutations",
        unchecked_because=(
            "the `{item: ...}` envelope is a contract between a page's JavaScript and a view "
            "in another file; stk-lint checks one file at a time"
        ),
    ),
    CriticalRule(
        "Log mutations",
        unchecked_because=(
            "which actions are admin or data-changing actions worth an activity entry is a "
            "judgement, not a pattern"
        ),
    ),
    CriticalRule("Templates, endpoints and blocks that exist", ("STK601", "STK602", "STK603")),
)


def pending_codes() -> list[str]:
    """Codes the critical-rules table names that this build does not register (yet)."""
    named = {code for rule in CRITICAL_RULES for code in rule.codes}
    return sorted(code for code in named if code not in BY_CODE)


def _code_cell(code: str) -> str:
    rule = BY_CODE.get(code)
    if rule is None:
        return f"{code} (pending: not in this build)"
    return f"[{code}](#{code.lower()}-{rule.name}) `{rule.name}`"


def critical_rules_table() -> str:
    lines = [
        "| Critical rule (SKILL.md) | Enforced by |",
        "| --- | --- |",
    ]
    for rule in CRITICAL_RULES:
        if rule.codes:
            enforced = ", ".join(_code_cell(code) for code in rule.codes)
        elif rule.checked_by_other_tool:
            enforced = rule.checked_by_other_tool
        else:
            enforced = f"not machine-checkable: {rule.unchecked_because}"
        lines.append(f"| {rule.key} | {enforced} |")
    return "\n".join(lines)


def _index_table() -> str:
    lines = ["| Code | Name | Fix | Summary |", "| --- | --- | --- | --- |"]
    for rule in ALL_RULES:
        fix = {"safe": "safe", "unsafe": "unsafe"}.get(rule.fix or "", "")
        summary = rule.summary.replace("|", "\\|")
        lines.append(
            f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | {rule.name} | {fix} | {summary} |"
        )
    return "\n".join(lines)


def catalogue_markdown() -> str:
    """The whole of references/rules.md."""
    parts = [
        "# stk-lint rules",
        "",
        "<!-- Generated from the rule registry by `stk-lint skill catalogue --write`. "
        "Do not edit by hand. -->",
        "",
        "`stk-lint check` enforces the critical rules of the stk-dev skill. "
        "`stk-lint rule CODE` prints one rule's entry below.",
        "",
        "## Critical rules and the rules that enforce them",
        "",
        critical_rules_table(),
        "",
        "## All rules",
        "",
        _index_table(),
        "",
    ]
    for rule in ALL_RULES:
        parts.append(_with_markers(rule))
    return "\n".join(parts).rstrip("\n") + "\n"


def _with_markers(rule: type[Rule]) -> str:
    """The rule's entry, its examples marked for the skill's conformance check."""
    text = rule_markdown(rule, heading="##")
    if printable(rule.bad) != rule.bad:
        bad = "<!-- stk-lint: skip the example stands for bytes that are not text -->"
    else:
        bad = f"<!-- stk-lint: expect {rule.code} as {rule.example_path} -->"
    good = f"<!-- stk-lint: as {rule.example_path} -->"
    text = text.replace("### Example\n", f"### Example\n{bad}\n", 1)
    return text.replace("### Use instead\n", f"### Use instead\n{good}\n", 1)
