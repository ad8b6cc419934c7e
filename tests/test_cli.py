import json
from pathlib import Path

import pytest

from stk_lint.registry import ALL_RULES

FIXTURES = Path(__file__).parent / "fixtures"

FLASK_VIEW = (
    "from flask import Blueprint\n"
    "\n"
    "bp = Blueprint('things', __name__)\n"
    "\n"
    "\n"
    "@bp.get('/things/')\n"
    "def things():\n"
    "    return 'ok'\n"
)
JSON_KEYS = ["code", "name", "message", "path", "line", "column", "end_line", "end_column", "fix"]


def test_clean_fixture_app_exits_zero(stk_lint):
    result = stk_lint("check", FIXTURES / "stk_app")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("All checks passed!")


def test_text_output_lines_and_summary(stk_lint, project):
    root = project({"app/views.py": FLASK_VIEW})
    result = stk_lint("check", "app", cwd=root)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "app/views.py:1:6: STK101 [*] `flask` is Flask; stk uses `quart` (same API, async: "
        "`from quart import Blueprint, g, request, render_template`)",
        "app/views.py:7:5: STK201 `things` is registered with `@bp.get` but is a plain `def`; "
        "stk handlers must be `async def`",
        "Found 2 errors in 1 file checked.",
        "[*] 1 fixable with the `--fix` option "
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]


def test_json_output_contract(stk_lint, project):
    root = project({"app/views.py": FLASK_VIEW})
    result = stk_lint("check", "--output-format", "json", "app/views.py", cwd=root)
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert [list(f) for f in findings] == [JSON_KEYS, JSON_KEYS]
    first = findings[0]
    assert first["code"] == "STK101"
    assert first["name"] == "flask-import"
    assert first["path"] == "app/views.py"
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (1, 6, 1, 11)
    assert first["fix"] == {
        "message": "Import from `quart` instead of `flask`",
        "applicability": "safe",
        "edits": [{"start": 5, "end": 10, "content": "quart"}],
    }
    assert findings[1]["fix"]["applicability"] == "unsafe"
    assert isinstance(first["message"], str) and "quart" in first["message"]


def test_json_output_is_an_empty_array_when_clean(stk_lint):
    result = stk_lint("check", "--output-format", "json", FIXTURES / "stk_app")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_select_and_ignore_by_code_and_prefix(stk_lint, project):
    root = project({"views.py": FLASK_VIEW})
    only_async = stk_lint("check", "--select", "STK2", "views.py", "-q", cwd=root)
    assert [line.split()[1] for line in only_async.stdout.splitlines()] == ["STK201"]
    ignored = stk_lint("check", "--ignore", "STK1,STK201", "views.py", cwd=root)
    assert ignored.exit_code == 0
    # The most specific prefix wins: select the family, ignore one member.
    mixed = stk_lint("check", "--select", "STK", "--ignore", "STK101", "views.py", "-q", cwd=root)
    assert [line.split()[1] for line in mixed.stdout.splitlines()] == ["STK201"]


def test_exit_zero_statistics_and_quiet(stk_lint, project):
    root = project({"views.py": FLASK_VIEW})
    result = stk_lint("check", "--exit-zero", "--statistics", "views.py", cwd=root)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "1\tSTK101\t[*] flask-import",
        "1\tSTK201\t    sync-handler",
    ]
    quiet = stk_lint("check", "-q", "views.py", cwd=root)
    assert "Found" not in quiet.stdout and quiet.exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--select", "STK999"),
        ("check", "--ignore", "E501"),
        ("check", "does-not-exist.py"),
        ("check", "--output-format", "xml"),
        ("rule", "STK999"),
    ],
)
def test_usage_errors_exit_two(stk_lint, project, args):
    root = project({"views.py": "x = 1\n"})
    result = stk_lint(*args, cwd=root)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_rule_command_prints_documentation(stk_lint):
    result = stk_lint("rule", "STK301")
    assert result.exit_code == 0
    text = result.stdout
    for heading in ("# STK301 non-selectin-relationship", "## What it does", "## Why is this bad?"):
        assert heading in text
    assert "## Example" in text and "## Use instead" in text and "allowed-lazy" in text
    assert stk_lint("rule", "missing-await").exit_code in (0, 2)  # by name, once registered
    assert stk_lint("rule", "sync-handler").stdout == stk_lint("rule", "stk201").stdout


def test_rules_command_lists_every_rule(stk_lint):
    result = stk_lint("rules")
    assert result.exit_code == 0
    codes = [line.split()[0] for line in result.stdout.splitlines()]
    assert codes == [rule.code for rule in ALL_RULES]
    rows = json.loads(stk_lint("rules", "--output-format", "json").stdout)
    assert {row["code"] for row in rows} == {rule.code for rule in ALL_RULES}


def test_syntax_error_is_a_finding_and_the_run_continues(stk_lint, project):
    root = project({"a.py": "def broken(:\n    pass\n", "b.py": "import flask\n"})
    result = stk_lint("check", ".", "-q", cwd=root)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("a.py:1:") and " STK001 " in lines[0]
    assert lines[1].startswith("b.py:1:8: STK101")


def test_binary_and_non_utf8_files_are_findings(stk_lint, project):
    root = project({"bin.py": b"x = 1\x00\n", "latin.py": b"name = '\xe9'\n"})
    result = stk_lint("check", ".", "-q", cwd=root)
    assert result.exit_code == 1
    assert "bin.py:1:1: STK003 binary file" in result.stdout
    assert "latin.py:1:1: STK003 not valid utf-8" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_encoding_cookie_and_bom_are_honoured(stk_lint, project):
    root = project(
        {
            "cookie.py": "# -*- coding: latin-1 -*-\nname = 'é'\nimport flask\n".encode("latin-1"),
            "bom.py": b"\xef\xbb\xbfimport flask\n",
        }
    )
    result = stk_lint("check", ".", "-q", cwd=root)
    lines = result.stdout.splitlines()
    assert [line.split(" ")[:2] for line in lines] == [
        ["bom.py:1:8:", "STK101"],
        ["cookie.py:3:8:", "STK101"],
    ]


def test_files_that_cannot_be_checked_are_reported_whatever_the_selection(stk_lint, project):
    # As ruff always reports syntax errors: a subset of rules must not hide a file
    # that no rule could look at.
    root = project({"a.py": "async def f(:\n", "b.py": b"\xff\xfe", "t/x.html": "{% if %}"})
    (root / "templates").mkdir()
    (root / "t" / "x.html").rename(root / "templates" / "x.html")
    result = stk_lint("check", "--select", "STK2", "-q", ".", cwd=root)
    assert result.exit_code == 1
    assert [line.split()[1] for line in result.stdout.splitlines()] == [
        "STK001",
        "STK003",
        "STK002",
    ]
    ignored = stk_lint("check", "--select", "STK2", "--ignore", "STK001,STK002", "-q", cwd=root)
    assert [line.split()[1] for line in ignored.stdout.splitlines()] == ["STK003"]
    assert stk_lint("check", "--select", "STK2", "--ignore", "STK0", cwd=root).exit_code == 0


def test_statistics_as_json(stk_lint, project):
    # ruff's shape: one object per rule, most frequent first.
    root = project({"views.py": FLASK_VIEW + "import flask\n"})
    args = ("check", "--statistics", "--output-format", "json", "views.py")
    result = stk_lint(*args, cwd=root)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"code": "STK101", "name": "flask-import", "count": 2, "fixable": True},
        {"code": "STK201", "name": "sync-handler", "count": 1, "fixable": False},
    ]
    clean = project({"ok.py": "x = 1\n"})
    result = stk_lint("check", "--statistics", "--output-format", "json", "ok.py", cwd=clean)
    assert result.exit_code == 0 and json.loads(result.stdout) == []


@pytest.mark.parametrize("statistics", [(), ("--statistics",)])
def test_color_forces_colour_into_a_pipe(stk_lint, project, statistics):
    root = project({"views.py": FLASK_VIEW})
    forced = stk_lint("check", "--color", *statistics, "views.py", cwd=root)
    assert "\x1b[" in forced.stdout
    plain = stk_lint("check", *statistics, "views.py", cwd=root)  # not a terminal
    assert "\x1b[" not in plain.stdout


def test_a_named_file_of_another_type_is_skipped_with_a_warning(stk_lint, project):
    root = project({"README.md": "# x\n", "vue.min.js": "var a;\n", "ok.py": "x = 1\n"})
    result = stk_lint("check", "README.md", "vue.min.js", "ok.py", cwd=root)
    assert result.exit_code == 0
    assert "README.md: skipped: not a file type stk-lint checks" in result.stderr
    assert "vue.min.js: skipped: minified JavaScript is not checked" in result.stderr
    assert "(1 file checked)" in result.stdout


@pytest.mark.parametrize(
    "files, target",
    [
        ({"docs/notes.md": "# Notes\n"}, "docs/notes.md"),
        ({"docs/notes.md": "# Notes\n", "docs/diagram.svg": "<svg/>\n"}, "docs"),
        ({"migrations/env.py": "x = 1\n"}, "migrations/env.py --force-exclude"),
    ],
)
def test_a_run_that_checks_nothing_says_so_on_stderr_and_exits_0(stk_lint, project, files, target):
    root = project(
        {**files, "pyproject.toml": '[tool.stk-lint]\nextend-exclude = ["migrations/"]\n'}
    )
    result = stk_lint("check", *target.split(), cwd=root)
    assert result.exit_code == 0
    assert "stk-lint: warning: no file was checked" in result.stderr
    assert result.stdout == "All checks passed! (0 files checked)\n"
    checked = stk_lint("check", cwd=root)  # pyproject.toml aside, nothing either
    assert "no file was checked" in checked.stderr
    project({"app/views.py": "x = 1\n"})
    assert "no file was checked" not in stk_lint("check", cwd=root).stderr


def _fail_on(monkeypatch, suffix, error):
    """Make checking the files whose path ends with `suffix` raise `error` (a bug in
    stk-lint, as far as the run can tell)."""
    from stk_lint import pipeline as engine

    real_check_source = engine.check_source

    def check_source(text, path, *args, **kwargs):
        if path.endswith(suffix):
            raise error
        return real_check_source(text, path, *args, **kwargs)

    monkeypatch.setattr(engine, "check_source", check_source)


def test_a_run_with_an_internal_error_never_says_all_checks_passed(stk_lint, project, monkeypatch):
    """The only file, or every clean file but one, cannot be checked: the summary says
    so instead of passing the run, which exits 2."""
    root = project({"app/errors.py": "x = 1\n", "app/models.py": "y = 2\n"})
    _fail_on(monkeypatch, "errors.py", IndexError("list index out of range"))
    one = stk_lint("check", "--no-cache", "app/errors.py", cwd=root)
    assert one.exit_code == 2
    assert "All checks passed" not in one.stdout
    assert one.stdout == (
        "No errors in 0 files checked, but 1 file could not be checked (see the errors above).\n"
    )
    both = stk_lint("check", "--no-cache", "app", cwd=root)
    assert both.exit_code == 2
    assert both.stdout.startswith("No errors in 1 file checked, but 1 file could not")
    project({"app/views.py": FLASK_VIEW})
    found = stk_lint("check", "--no-cache", "app", cwd=root)
    assert found.exit_code == 2
    assert found.stdout.splitlines()[2] == (
        "Found 2 errors in 2 files checked; 1 file could not be checked (see the errors above)."
    )


def test_a_bug_in_one_file_does_not_stop_the_run(stk_lint, project, monkeypatch):
    """An exception inside stk-lint while checking one file: that file is named as not
    checked, every other file is still reported, and the exit code is 2 (the result is
    incomplete), even with --exit-zero."""
    from stk_lint import runner

    root = project({"app/views.py": FLASK_VIEW, "app/odd.py": "x = 1\n"})
    _fail_on(monkeypatch, "odd.py", ValueError("a rule tripped"))
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)  # --jobs 2: from a worker too
    parallel_runs = []
    real_parallel = runner._check_parallel
    monkeypatch.setattr(
        runner, "_check_parallel", lambda *a: parallel_runs.append(1) or real_parallel(*a)
    )
    for extra in (["--jobs", "1"], ["--jobs", "1", "--exit-zero"], ["--jobs", "2"]):
        result = stk_lint("check", "app", "--no-cache", *extra, cwd=root)
        assert result.exit_code == 2
        assert "app/views.py:7:5: STK201" in result.stdout
        assert (
            "stk-lint: error: internal error, file not checked: app/odd.py: "
            "ValueError: a rule tripped" in result.stderr
        )
    assert parallel_runs == [1]
