"""STK900 unused-suppression: comments that silenced nothing, judged on enabled rules only."""

import pytest
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
    from stk_lint.resolve import resolve

    assert "STK900" not in {rule.code for rule in resolve(Settings()).rules}
    assert "STK900" in {rule.code for rule in resolve(Settings(extend_select=["STK900"])).rules}


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


# --- the fix removes the directive, never another tool's comment on the line ----------


def _fixed(source, findings):
    return apply_fixes(source, findings)[0]


FOREIGN = (
    "# type: ignore",
    "# type: ignore[attr-defined]",
    "# pragma: no cover",
    "# noqa: E501",
    "# fmt: skip",
    "# pylint: disable=invalid-name",
)


@pytest.mark.parametrize("foreign", FOREIGN)
@pytest.mark.parametrize(
    "template",
    [
        "w = 3  {foreign}  # noqa: STK101\n",
        "w = 3  # noqa: STK101  {foreign}\n",
        "w = 3  {foreign}  # stk-lint: ignore[STK101]\n",
        "w = 3  # stk-lint: ignore[STK101] (legacy)  {foreign}\n",
        "w = 3  {foreign}  # noqa: STK101  {foreign}\n",
        "# noqa: STK101  {foreign}\nw = 3\n",
        "w = 3  # noqa  {foreign}\n",
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_fix_keeps_other_comments_byte_for_byte(template, foreign, newline):
    source = template.format(foreign=foreign).replace("\n", newline)
    findings = lint(source, select=EVERY_RULE)
    assert codes(findings) == ["STK900"]
    fixed = _fixed(source, findings)
    assert "STK101" not in fixed and "noqa  " not in fixed
    assert fixed.count(foreign) == source.count(foreign)
    assert fixed.count(newline) == source.count(newline)  # no line lost, none added
    assert lint(fixed, select=EVERY_RULE) == []


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        ("y = 5  # noqa: E501, STK101\n", "y = 5  # noqa: E501\n"),
        ("y = 5  # noqa:STK101,E501\n", "y = 5  # noqa:E501\n"),
        ("y = 5  # noqa: E501,STK101, W291  # why\n", "y = 5  # noqa: E501, W291  # why\n"),
        ("y = 5  # noqa: STK101 legacy  # type: ignore\n", "y = 5  # type: ignore\n"),
        ("y = 5  # stk-lint: ignore[STK101] because reasons\n", "y = 5\n"),
        ("y = 5  # noqa: E501  # stk-lint: ignore[STK101]\n", "y = 5  # noqa: E501\n"),
    ],
)
def test_only_the_unused_codes_or_directive_go(line, fixed):
    assert _fixed(line, lint(line, select=EVERY_RULE)) == fixed


def test_a_used_directive_in_the_same_comment_stays():
    source = "import flask  # noqa: STK101  # stk-lint: ignore[STK102]  # type: ignore\n"
    findings = lint(source, select=EVERY_RULE)
    assert codes(findings) == ["STK900"]
    assert _fixed(source, findings) == "import flask  # noqa: STK101  # type: ignore\n"


def test_a_cr_only_file_keeps_its_lines():
    source = "a = 1  # noqa: STK101\rb = 2\r# noqa: STK101\rc = 3\r"
    findings = lint(source, select=EVERY_RULE)
    assert where(findings) == [(1, 8, "STK900"), (3, 1, "STK900")]
    assert _fixed(source, findings) == "a = 1\rb = 2\rc = 3\r"


def test_a_cr_only_file_is_suppressed_on_the_right_line():
    source = "import os\rimport flask  # noqa: STK101\rimport celery\r"
    assert where(lint(source, select=["STK101", "STK102", "STK900"])) == [(3, 8, "STK102")]


# --- directives naming what is no rule ------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# noqa: STK999", "`STK999` in `# noqa: STK999` is not an stk-lint rule code"),
        ("# stk-lint: ignore[STK999]", "`STK999` in `# stk-lint: ignore[STK999]` is not an"),
        ("# stk-lint: ignore[E501]", "`E501` in `# stk-lint: ignore[E501]` is not an"),
        ("# noqa: STK2", "`STK2` in `# noqa: STK2` is a prefix"),
        ("# stk-lint: ignore[STK]", "`STK` in `# stk-lint: ignore[STK]` is a prefix"),
        ("# stk-lint: ignore[]", "`# stk-lint: ignore[]` names no code"),
        ("# stk-lint: ignore[ ]", "`# stk-lint: ignore[ ]` names no code"),
    ],
)
def test_unknown_codes_prefixes_and_empty_lists_are_reported(comment, message):
    # Reported whatever is selected: they silence nothing in any run.
    for select in (WITH_101, EVERY_RULE):
        (found,) = lint(f"x = 1  {comment}\n", select=select)
        assert found.code == "STK900" and found.message.startswith(message), found.message
        assert _fixed(f"x = 1  {comment}\n", [found]) == "x = 1\n"


def test_an_unknown_code_beside_a_used_one_goes_alone():
    source = "import flask  # noqa: STK101, STK999, E501\n"
    (found,) = lint(source, select=WITH_101)
    assert _fixed(source, [found]) == "import flask  # noqa: STK101, E501\n"


def test_an_empty_list_suppresses_nothing():
    source = "import flask  # stk-lint: ignore[]\n"
    assert codes(lint(source, select=["STK101"])) == ["STK101"]
    assert codes(lint(source, select=WITH_101)) == ["STK101", "STK900"]
    template = '{# stk-lint: ignore[] #}\n<v-icon icon="mdi-close"></v-icon>\n'
    assert codes(lint(template, "app/templates/x.html", select=["STK501"])) == ["STK501"]
