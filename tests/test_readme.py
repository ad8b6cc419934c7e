"""The README's rule table and set-up commands stay true to the registry and CI."""

import re
from pathlib import Path

from stk_lint.files import LANGUAGE_BY_SUFFIX
from stk_lint.registry import ALL_RULES
from stk_lint.testing import lint

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def test_rule_table_lists_every_rule_by_code_and_name():
    rows = re.findall(r"^\| (STK\d{3}) \| ([a-z-]+) \|", README, flags=re.MULTILINE)
    assert rows == [(rule.code, rule.name) for rule in ALL_RULES]


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
    test_command = blocks[1].strip()
    assert test_command == ".venv/bin/python -m pytest"
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_the_files_checked_are_the_readme_s():
    """The README names every suffix stk-lint checks, and which template rules still
    apply to an HTML file outside a template folder (the CLI and the hook check it)."""
    paragraph = next(p for p in README.split("\n\n") if "files are checked" in p)
    checked = re.search(r"Python \(.*?files are checked", paragraph, flags=re.DOTALL)
    assert checked is not None
    named = set(re.findall(r"`(\.[a-z0-9]+)`", checked.group()))
    assert named == set(LANGUAGE_BY_SUFFIX)
    plain = re.search(
        r"so the rules about Jinja \(([^)]*)\) skip it.*?the rest \(([^)]*)\)",
        paragraph,
        flags=re.DOTALL,
    )
    assert plain is not None
    skipped, applied = (set(re.findall(r"STK\d{3}", group)) for group in plain.groups())
    fire_on_plain_html = {
        rule.code
        for rule in ALL_RULES
        if hasattr(rule, "check_template")
        and any(
            finding.code == rule.code
            for source in (rule.bad, *(case.code for case in rule.invalid_cases()))
            for finding in lint(source, "stk/static/demo.html", select=[rule.code])
        )
    }
    template_rules = {rule.code for rule in ALL_RULES if hasattr(rule, "check_template")}
    assert applied == fire_on_plain_html
    assert skipped == template_rules - fire_on_plain_html


def test_no_install_from_the_index():
    """stk-lint is not published on PyPI: no documented install may depend on it."""
    for path in (ROOT / "README.md", ROOT / "docs" / "ci.md"):
        assert not re.search(r"pip install stk-lint\b", path.read_text()), path
