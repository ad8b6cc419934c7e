"""The README's rule table and set-up commands stay true to the registry and CI."""

import re
from pathlib import Path

from stk_lint.registry import ALL_RULES

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


def test_no_install_from_the_index():
    """stk-lint is not published on PyPI: no documented install may depend on it."""
    for path in (ROOT / "README.md", ROOT / "docs" / "ci.md"):
        assert not re.search(r"pip install stk-lint\b", path.read_text()), path
