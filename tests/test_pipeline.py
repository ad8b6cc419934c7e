"""The check pipeline's shape: one post-check stage for every language, one entry point
(stk_lint.request) for the run, the hook and the server, configuration in two steps."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stk_lint import pipeline, request, runner
from stk_lint.checked import Checked
from stk_lint.config import ConfigError, Settings, load_settings, settings_from_table
from stk_lint.findings import Finding
from stk_lint.registry import ALL_RULES, BY_CODE
from stk_lint.request import FIX_DIFF, FIX_TEXT, CheckRequest, check_request, run_request
from stk_lint.resolve import resolve
from stk_lint.suppression import Directive

OPTIONS = resolve(Settings()).options


def _rules(*codes):
    return tuple(BY_CODE[code] for code in codes)


def _finding(code, line, column=1):
    rule = BY_CODE[code]
    return Finding("page.html", line, column, code, "m", rule.name, line, column + 1)


# --- the post-check stage ----------------------------------------------------------------


def test_one_stage_suppresses_judges_filters_and_orders_whatever_the_language():
    """A checker hands findings with their spans and its directives; the stage does the
    rest, the same for a template as for Python."""
    directive = Directive(
        2, frozenset({"STK401"}), own_line=True, column=0, text="{# noqa: STK401 #}"
    )
    stale = Directive(5, frozenset({"STK402"}), own_line=False, column=4, text="{# noqa: STK402 #}")
    reports = [
        (_finding("STK502", 9), (9, 9)),  # reported out of order
        (_finding("STK401", 3), (3, 3)),  # the own-line directive above silences it
        (_finding("STK101", 1), (1, 1)),  # not enabled: filtered out
    ]
    checked = Checked(reports, lambda: {2: directive, 5: stale})
    rules = _rules("STK401", "STK402", "STK502", "STK900")
    found = pipeline.post_check(checked, "page.html", "", "template", rules)
    assert [(f.code, f.line) for f in found] == [("STK900", 5), ("STK502", 9)]
    assert found[0].message == "`STK402` in `{# noqa: STK402 #}` suppresses nothing; remove it"


def test_directives_are_read_only_when_something_needs_them():
    def unread():
        raise AssertionError("directives read with nothing to suppress or judge")

    assert pipeline.post_check(Checked([], unread), "a.py", "", "python", _rules("STK101")) == []


def test_a_verdict_on_the_whole_file_is_never_suppressed():
    source = "def (:  # noqa\n"
    found = pipeline.check_source(source, "a.py", _rules("STK001", "STK900"), OPTIONS)
    assert [f.code for f in found] == ["STK001"]


def test_a_bare_suppression_is_judged_only_when_every_rule_of_the_language_ran():
    template_rules = tuple(r for r in ALL_RULES if pipeline.checks_language(r, "template"))
    source = "{# noqa #}\n<p>fine</p>\n"
    every = pipeline.check_source(source, "templates/a.html", template_rules, OPTIONS)
    assert [f.code for f in every] == ["STK900"]
    some = _rules("STK401", "STK900")
    assert pipeline.check_source(source, "templates/a.html", some, OPTIONS) == []


def test_the_known_codes_are_data():
    """A code the registry does not know is named so; the registry is passed, not read."""
    source = "x = 1  # noqa: STK101\n"
    rules = _rules("STK101", "STK900")
    known = tuple(r for r in ALL_RULES if r.code != "STK101")
    (found,) = pipeline.check_source(source, "a.py", rules, OPTIONS, known=known)
    assert "`STK101` in `# noqa: STK101` is not an stk-lint rule code" in found.message


def _imported(code):
    """The stk_lint and libcst modules a fresh process imports to run `code`."""
    probe = (
        f"{code}\nimport sys, json\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('stk_lint', 'libcst')))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


def test_suppression_and_the_template_context_need_neither_the_registry_nor_libcst():
    modules = _imported("import stk_lint.suppression, stk_lint.checked, stk_lint.templates.context")
    assert "libcst" not in modules
    assert {"stk_lint.registry", "stk_lint.rules.builtin", "stk_lint.pipeline"}.isdisjoint(modules)


def test_configuration_step_one_needs_no_registry(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.stk-lint]\nselect = ["STK2"]\nallowed-lazy = ["selectin"]\n')
    modules = _imported(
        "from pathlib import Path\nfrom stk_lint.config import load_settings\n"
        f"load_settings(Path({str(pyproject)!r}))"
    )
    assert "stk_lint.registry" not in modules and "libcst" not in modules


# --- configuration in two steps -------------------------------------------------------------


def test_step_one_keeps_what_only_the_registry_can_judge_and_step_two_judges_it(tmp_path):
    where = tmp_path / "pyproject.toml"
    settings = settings_from_table({"select": ["stk777"], "bogus": 1}, where)
    assert settings.select == ["STK777"] and settings.options == {"bogus": 1}
    with pytest.raises(ConfigError, match="unknown rule code or prefix `stk777`"):
        resolve(settings)  # in the order written: the code before the key


def test_step_two_checks_the_command_lines_codes_after_the_tables(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.stk-lint]\n")
    settings = load_settings(pyproject)
    settings.add_codes("ignore", ["STK9999"], "--ignore")
    assert settings.ignore == ["STK9999"]
    with pytest.raises(ConfigError, match="--ignore: unknown rule code or prefix `STK9999`"):
        resolve(settings)


def test_step_two_resolves_rules_per_file_and_options(tmp_path):
    table = {"per-file-ignores": {"tests/*": ["STK1"]}, "max-file-size-kb": 10}
    resolved = resolve(settings_from_table(table, tmp_path / "pyproject.toml"))
    assert resolved.options["max-file-size-kb"] == 10
    assert resolved.options["allowed-lazy"] == BY_CODE["STK301"].options["allowed-lazy"].default
    codes = {rule.code for rule in resolved.rules_for(tmp_path / "tests" / "test_a.py")}
    assert "STK101" not in codes and "STK201" in codes
    assert "STK101" in {rule.code for rule in resolved.rules_for(tmp_path / "app.py")}


# --- one entry point ------------------------------------------------------------------------


def _request(path, **fields):
    return CheckRequest(path, path.name, resolve(Settings(root=path.parent)), **fields)


def test_a_request_checks_text_bytes_or_the_file_alike(tmp_path):
    path = tmp_path / "views.py"
    path.write_text("import flask\n")
    on_disk = check_request(_request(path))
    assert [f.code for f in on_disk] == ["STK101"]
    assert check_request(_request(path, data=b"import flask\n")) == on_disk
    assert check_request(_request(path, text="import flask\n")) == on_disk
    assert check_request(_request(path, text="import quart\n")) == []


def test_a_request_fixes_text_without_writing_or_diffs_the_file(tmp_path):
    path = tmp_path / "views.py"
    path.write_text("from flask import g\n")
    fixed = run_request(_request(path, text="from flask import g\n", fix=FIX_TEXT))
    assert fixed.text == "from quart import g\n" and [f.code for f in fixed.fixed] == ["STK101"]
    diffed = run_request(_request(path, fix=FIX_DIFF))
    assert b"+from quart import g" in diffed.diff
    assert path.read_text() == "from flask import g\n"  # neither wrote it
    assert run_request(_request(path, text="from quart import g\n", fix=FIX_TEXT)).text is None


def test_exclusions_apply_to_a_request_unless_it_says_otherwise(tmp_path):
    path = tmp_path / "build" / "views.py"
    path.parent.mkdir()
    path.write_text("import flask\n")
    assert check_request(_request(path, text=None)) != []  # root is build/: not excluded
    settings = resolve(Settings(root=tmp_path))
    assert check_request(CheckRequest(path, "build/views.py", settings)) == []
    named = CheckRequest(path, "build/views.py", settings, exclusions=False)
    assert [f.code for f in check_request(named)] == ["STK101"]


@pytest.mark.parametrize("fix", [None, "apply"])
def test_the_run_checks_and_fixes_each_file_through_the_entry_point(tmp_path, monkeypatch, fix):
    (tmp_path / "a.py").write_text("from flask import g\n")
    (tmp_path / "page.html").write_text("<p>hi</p>\n")
    seen = []
    real = request.run_request

    def spy(one):
        seen.append((Path(one.path).name, one.fix, one.exclusions))
        return real(one)

    monkeypatch.setattr(request, "run_request", spy)
    result = runner.run([tmp_path], Settings(root=tmp_path), fix=fix)
    assert sorted(seen) == [("a.py", fix, False), ("page.html", fix, False)]
    assert [f.code for f in (result.fixed if fix else result.findings)] == ["STK101"]


def test_the_hook_builds_the_app_index_through_its_one_owner(tmp_path, monkeypatch):
    from stk_lint import app_scan
    from stk_lint.hook import lint_file

    (tmp_path / "pyproject.toml").write_text("[tool.stk-lint]\n")
    views = tmp_path / "app" / "views.py"
    views.parent.mkdir()
    (views.parent / "__init__.py").write_text("from quart import Quart\n\napp = Quart(__name__)\n")
    (views.parent / "templates").mkdir()
    (views.parent / "templates" / "index.html").write_text("<p>hi</p>\n")
    views.write_text(
        "from quart import render_template\n\n\nasync def index():\n"
        "    return await render_template('missing.html')\n"
    )
    calls = []
    real = app_scan.index_apps
    monkeypatch.setattr(app_scan, "index_apps", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    findings = lint_file(views, "app/views.py")
    assert calls and "STK601" in calls[0]
    assert [f.code for f in findings] == ["STK601"]
