"""STK900 unused-suppression: comments that silenced nothing, judged on enabled rules only."""

from click.testing import CliRunner

from stk_lint.cli import main
from stk_lint.fixing import apply_fixes
from stk_lint.registry import ALL_RULES
from stk_lint.testing import codes, lint, where

WITH_101 = ["STK101", "STK900"]
# A bare suppression covers every rule: it is judged only when they all ran.
EVERY_RULE = [rule.code for rule in ALL_RULES]


def test_a_used_noqa_is_fine():
    assert codes(lint("import flask  # noqa: STK101\n", select=WITH_101)) == []
    assert codes(lint("# stk-lint: ignore[STK101]\nimport flask\n", select=WITH_101)) == []
    assert codes(lint("import flask  # noqa\n", select=WITH_101)) == []


def test_a_stale_code_is_reported_with_its_position():
    (found,) = lint("from quart import g  # noqa: STK101\n", select=WITH_101)
    assert (found.code, found.line, found.column) == ("STK900", 1, 22)
    assert found.message == "`STK101` in `# noqa: STK101` suppresses nothing; remove it"


def test_only_the_stale_code_of_several_is_reported():
    (found,) = lint("import flask  # noqa: STK101, STK102\n", select=["STK101", "STK102", "STK900"])
    assert found.message.startswith("`STK102` in")
    # The comment is still needed for STK101: only the stale code goes.
    source = "import flask  # noqa: STK101, STK102, E501 (legacy)\n"
    findings = lint(source, select=["STK101", "STK102", "STK900"])
    assert apply_fixes(source, findings)[0] == "import flask  # noqa: STK101, E501 (legacy)\n"
    source = "# stk-lint: ignore[STK102,STK101]\nimport flask\n"
    findings = lint(source, select=["STK101", "STK102", "STK900"])
    assert apply_fixes(source, findings)[0] == "# stk-lint: ignore[STK101]\nimport flask\n"


def test_codes_of_other_tools_and_unselected_rules_are_not_judged():
    assert lint("x = 1  # noqa: E501, F401\n", select=WITH_101) == []
    assert lint("x = 1  # noqa: STK301\n", select=WITH_101) == []  # STK301 did not run


def test_opt_in_only():
    from stk_lint.config import Settings

    assert "STK900" not in {rule.code for rule in Settings().rules}
    assert "STK900" in {rule.code for rule in Settings(extend_select=["STK900"]).rules}


def test_fix_removes_the_comment_or_its_line():
    source = "x = 1  # noqa: STK101\n# stk-lint: ignore\ny = 2\n"
    findings = lint(source, select=EVERY_RULE)
    assert codes(findings) == ["STK900", "STK900"]
    assert apply_fixes(source, findings)[0] == "x = 1\ny = 2\n"


def test_suppression_of_a_multiline_statement_counts_as_used():
    source = "from flask import (  # noqa: STK101\n    g,\n)\n"
    assert lint(source, select=WITH_101) == []


def test_a_bare_suppression_is_not_judged_when_some_rule_did_not_run():
    # A bare suppression may be there for a rule that is not selected this time.
    source = "import flask  # noqa\nimport celery  # stk-lint: ignore\nx = 1  # noqa\n"
    assert lint(source, select=["STK202", "STK900"]) == []
    assert where(lint(source, select=EVERY_RULE)) == [(3, 8, "STK900")]  # on `x = 1`
    # Rules that never look at Python files do not count for a Python file.
    without_templates = [code for code in EVERY_RULE if code not in ("STK401", "STK402")]
    assert codes(lint(source, select=without_templates)) == ["STK900"]


def test_fix_keeps_bare_suppressions_of_rules_that_did_not_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = "import flask  # noqa\nimport celery  # stk-lint: ignore\n"
    (tmp_path / "b.py").write_text(source)
    args = ["check", "--no-cache", "--extend-select", "STK900", "--ignore", "STK1", "--fix"]
    result = CliRunner().invoke(main, [*args, "b.py"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.py").read_text() == source
