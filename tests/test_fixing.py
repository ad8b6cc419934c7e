"""The fix applier, the rules' fixes, and `stk-lint check --fix/--diff/--unsafe-fixes`."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from stk_lint.cli import main
from stk_lint.findings import Edit, Finding, Fix
from stk_lint.fixing import apply_edits, apply_fixes, fix_source, select_fixes
from stk_lint.pipeline import reparse_python
from stk_lint.registry import BY_CODE
from stk_lint.testing import codes, lint


def finding(code, *edits, applicability="safe", line=1):
    fix = Fix("fix it", applicability, tuple(Edit(*e) for e in edits))
    return Finding("x.py", line, 1, code, "msg", "name", line, 2, fix)


# ---- the applier: pure functions ----


def test_apply_edits_from_the_end():
    assert apply_edits("abcdef", [Edit(0, 1, "X"), Edit(3, 5, "")]) == "Xbcf"
    assert apply_edits("abc", [Edit(3, 3, "!")]) == "abc!"


def test_edit_outside_the_text_is_refused():
    with pytest.raises(ValueError):
        apply_edits("abc", [Edit(2, 9, "")])


def test_overlapping_fixes_wait_for_the_next_round():
    first = finding("STK101", (0, 4, "AAAA"))
    overlapping = finding("STK102", (2, 6, "BB"))
    apart = finding("STK103", (8, 9, "C"))
    chosen = select_fixes([overlapping, apart, first])
    assert [f.code for f in chosen] == ["STK101", "STK103"]


def test_insertions_at_one_point_conflict():
    a = finding("STK101", (3, 3, "x"))
    b = finding("STK102", (3, 3, "y"))
    assert len(select_fixes([a, b])) == 1


def test_a_fix_is_taken_whole_or_not_at_all():
    two_edits = finding("STK101", (0, 1, "A"), (6, 7, "B"))
    blocker = finding("STK102", (5, 8, "zz"))
    new, applied = apply_fixes("0123456789", [blocker, two_edits])
    assert [f.code for f in applied] == ["STK101"]
    assert new == "A12345B789"


def test_the_same_edit_from_two_findings_is_applied_once():
    a = finding("STK101", (0, 1, "X"))
    b = finding("STK101", (0, 1, "X"), line=2)
    assert apply_fixes("abc", [a, b]) == ("Xbc", [a])


def test_unsafe_fixes_need_the_flag():
    unsafe = finding("STK201", (0, 1, "X"), applicability="unsafe")
    assert apply_fixes("abc", [unsafe])[0] == "abc"
    assert apply_fixes("abc", [unsafe], unsafe=True)[0] == "Xbc"


def test_fix_source_repeats_until_stable():
    # Each round removes one "!" until none is left: three rounds.
    def check(text):
        i = text.find("!")
        return [finding("STK101", (i, i + 1, ""))] if i >= 0 else []

    outcome = fix_source("a!b!c!", check, None)
    assert outcome.source == "abc"
    assert len(outcome.fixed) == 3
    assert outcome.remaining == []


def test_fix_source_stops_after_a_bounded_number_of_rounds():
    def check(text):  # a fix that never converges
        return [finding("STK101", (0, 0, "x"))]

    outcome = fix_source("", check, None, max_rounds=4)
    assert outcome.source == "xxxx"


def test_a_fix_that_breaks_parsing_leaves_the_source_untouched():
    def check(text):
        return [finding("STK101", (0, 1, "("))] if text.startswith("x") else []

    outcome = fix_source("x = 1\n", check, reparse_python)
    assert outcome.source == "x = 1\n"
    assert not outcome.changed
    assert "unparsable" in outcome.error and "STK101" in outcome.error


# ---- the rules' fixes ----


def fixed(source, select, unsafe=False, path="app/views.py"):
    outcome = fix_source(source, lambda s: lint(s, path, select=select), reparse_python, unsafe)
    assert outcome.error == ""
    return outcome.source


@pytest.mark.parametrize("code", ["STK101", "STK201", "STK301"])
def test_fixing_the_bad_example_gives_the_good_one(code):
    rule = BY_CODE[code]
    result = fixed(rule.bad, [code], unsafe=True)
    assert codes(lint(result, select=[code])) == []
    if code != "STK301":  # STK301's fix puts lazy= last; the example writes it first
        assert result == rule.good


@pytest.mark.parametrize("code", ["STK101", "STK201", "STK301"])
def test_a_second_fix_run_changes_nothing(code):
    rule = BY_CODE[code]
    for source in (rule.bad, *(case.code for case in rule.invalid_cases())):
        once = fixed(source, [code], unsafe=True)
        assert fixed(once, [code], unsafe=True) == once


def test_stk101_rewrites_names_quart_has():
    assert fixed("from flask import Blueprint, g  # keep\n", ["STK101"]) == (
        "from quart import Blueprint, g  # keep\n"
    )
    assert fixed("from flask_security import auth_required as ar\n", ["STK101"]) == (
        "from quart_security import auth_required as ar\n"
    )
    assert fixed("from flask.views import MethodView\n", ["STK101"], unsafe=True) == (
        "from quart.views import MethodView\n"
    )


def test_stk101_names_that_become_awaitable_make_the_fix_unsafe():
    source = "from flask import request, render_template\n"
    assert fixed(source, ["STK101"]) == source
    (found,) = lint(source, select=["STK101"])
    assert found.fix.applicability == "unsafe"
    assert "`render_template`, `request` are async in Quart" in found.fix.message
    assert fixed(source, ["STK101"], unsafe=True).startswith("from quart import")


def test_stk101_names_quart_lacks_are_not_rewritten_and_the_message_says_so():
    source = "from flask import Flask, g\n"
    (found,) = lint(source, select=["STK101"])
    assert found.fix is None
    assert "not fixed automatically: `quart` has no `Flask` (use `Quart`)" in found.message
    assert fixed(source, ["STK101"], unsafe=True) == source
    (found,) = lint("from flask_security import login_user\n", select=["STK101"])
    assert found.fix is None and "`quart_security` has no `login_user`" in found.message


@pytest.mark.parametrize(
    "source",
    ["import flask\n", "from flask import *\n", "from flask_login import current_user\n"],
)
def test_stk101_without_a_safe_rewrite_offers_no_fix(source):
    (found,) = lint(source, select=["STK101"])
    assert found.fix is None


def test_stk201_fix_is_unsafe_and_keeps_decorators_comments_and_nesting():
    source = (
        "from quart import Quart\n\n"
        "def create_app():\n"
        "    app = Quart(__name__)\n\n"
        "    # the 404 page\n"
        "    @app.errorhandler(404)  # registered here\n"
        "    def not_found(e):  # header comment\n"
        "        return 'missing', 404\n\n"
        "    return app\n"
    )
    assert fixed(source, ["STK201"]) == source  # unsafe: not without the flag
    assert fixed(source, ["STK201"], unsafe=True) == source.replace(
        "    def not_found", "    async def not_found"
    )


def test_stk301_adds_lazy_keeping_a_multiline_layout():
    source = (
        "from sqlalchemy.orm import Mapped, relationship\n\n"
        "class Thing(Base):\n"
        "    user: Mapped['User'] = relationship(\n"
        "        'User',\n"
        "        back_populates='things',\n"
        "    )\n"
    )
    assert fixed(source, ["STK301"]) == source.replace(
        "        back_populates='things',\n",
        "        back_populates='things',\n        lazy=\"selectin\",\n",
    )


def test_stk301_keeps_one_argument_per_line_with_a_single_argument():
    # SQLAlchemy 2 models often pass one argument on its own line, with or without a
    # trailing comma; the fix writes `lazy=` on a line of its own, as a user would,
    # with no trailing space and the closing parenthesis where it was.
    source = (
        "from sqlalchemy.orm import Mapped, relationship\n\n"
        "class Order(Base):\n"
        "    customer: Mapped['Customer'] = relationship(\n"
        "        back_populates='orders',\n"
        "    )\n"
        "    lines: Mapped[list['Line']] = relationship(\n"
        "        'Line'\n"
        "    )\n"
    )
    assert fixed(source, ["STK301"]) == (
        "from sqlalchemy.orm import Mapped, relationship\n\n"
        "class Order(Base):\n"
        "    customer: Mapped['Customer'] = relationship(\n"
        "        back_populates='orders',\n"
        '        lazy="selectin",\n'
        "    )\n"
        "    lines: Mapped[list['Line']] = relationship(\n"
        "        'Line',\n"
        '        lazy="selectin"\n'
        "    )\n"
    )


MODEL = "from sqlalchemy.orm import relationship\n\nclass A(Base):\n    b = relationship(\n"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (  # the last argument's comment stays on its line
            "        'B',\n        back_populates='x',  # comment kept\n    )\n",
            "        'B',\n        back_populates='x',  # comment kept\n"
            '        lazy="selectin",\n    )\n',
        ),
        (  # the same without a trailing comma
            "        'B',\n        back_populates='x'  # comment kept\n    )\n",
            "        'B',\n        back_populates='x',  # comment kept\n"
            '        lazy="selectin"\n    )\n',
        ),
        (  # another argument's comment is not copied onto the new line
            "        'B',  # the target\n        back_populates='x',\n    )\n",
            "        'B',  # the target\n        back_populates='x',\n"
            '        lazy="selectin",\n    )\n',
        ),
        (  # a single argument
            "        'B',  # the target\n    )\n",
            "        'B',  # the target\n        lazy=\"selectin\",\n    )\n",
        ),
        (
            "        'B'  # the target\n    )\n",
            "        'B',  # the target\n        lazy=\"selectin\"\n    )\n",
        ),
        (  # a comment line before the closing parenthesis stays above the new argument
            "        'B',\n        # more to come\n    )\n",
            "        'B',\n        # more to come\n        lazy=\"selectin\",\n    )\n",
        ),
    ],
    ids=["trailing-comma", "no-trailing-comma", "other-comment", "single", "single-bare", "line"],
)
def test_stk301_keeps_comments_on_their_arguments(arguments, expected):
    assert fixed(MODEL + arguments, ["STK301"]) == MODEL + expected


def test_stk301_backref_import_does_not_copy_a_comment():
    source = (
        "from sqlalchemy.orm import (\n"
        "    Mapped,  # typing\n"
        "    relationship,\n"
        ")\n"
        "b = relationship('B', lazy='selectin', backref='a')\n"
    )
    assert fixed(source, ["STK301"]).startswith(
        "from sqlalchemy.orm import (\n    Mapped,  # typing\n    backref,\n    relationship,\n)\n"
    )


def test_stk301_leaves_a_call_with_double_star_kwargs_alone():
    # `options` may hold `lazy=` already: adding one could raise TypeError (multiple
    # values for keyword argument 'lazy'), and what it holds is not known.
    source = "from sqlalchemy.orm import relationship\nb = relationship('B', **options)\n"
    assert lint(source, select=["STK301"]) == []
    source = "from sqlalchemy.orm import backref\nb = backref('b', **options)\n"
    assert lint(source, select=["STK301"]) == []
    # A `lazy=` written out cannot come from `**options` too: it is judged and fixed.
    source = "from sqlalchemy.orm import relationship\nb = relationship('B', lazy='joined', **o)\n"
    assert "relationship('B', lazy=\"selectin\", **o)" in fixed(source, ["STK301"])


def test_stk301_replaces_lazy_values_safe_or_unsafe():
    joined = "from sqlalchemy.orm import relationship\nb = relationship('B', lazy='joined')\n"
    assert 'lazy="selectin"' in fixed(joined, ["STK301"])
    dynamic = "from sqlalchemy.orm import relationship\nb = relationship('B', lazy='dynamic')\n"
    assert fixed(dynamic, ["STK301"]) == dynamic  # .filter() on it would break: unsafe
    assert 'lazy="selectin"' in fixed(dynamic, ["STK301"], unsafe=True)


def test_stk301_backref_adds_the_import_in_order():
    source = (
        "from sqlalchemy.orm import Mapped, relationship\n\n"
        "class A(Base):\n"
        "    b = relationship('B', lazy='selectin', backref='a')\n"
        "    c = relationship('C', lazy='selectin', backref='a2')\n"
    )
    assert fixed(source, ["STK301"]) == (
        "from sqlalchemy.orm import Mapped, backref, relationship\n\n"
        "class A(Base):\n"
        "    b = relationship('B', lazy='selectin', backref=backref('a', lazy=\"selectin\"))\n"
        "    c = relationship('C', lazy='selectin', backref=backref('a2', lazy=\"selectin\"))\n"
    )


def test_stk301_backref_uses_the_module_prefix_and_an_existing_import():
    prefixed = (
        "from sqlalchemy import orm\nb = orm.relationship('B', lazy='selectin', backref='a')\n"
    )
    assert "backref=orm.backref('a', lazy=\"selectin\")" in fixed(prefixed, ["STK301"])
    aliased = (
        "from sqlalchemy.orm import backref as br, relationship\n"
        "b = relationship('B', lazy='selectin', backref='a')\n"
    )
    assert "backref=br('a', lazy=\"selectin\")" in fixed(aliased, ["STK301"])


def test_stk301_backref_name_taken_by_something_else_gets_no_fix():
    source = (
        "from myapp.util import backref\nfrom sqlalchemy.orm import relationship\n"
        "b = relationship('B', lazy='selectin', backref='a')\n"
    )
    (found,) = lint(source, select=["STK301"])
    assert found.fix is None


@pytest.mark.parametrize(
    "taken",
    [
        "def backref(name):\n    return name\n",  # the import would be shadowed
        "class A(Base):\n    backref = 'c'\n    b = relationship('B', lazy='selectin', backref='a')\n",
        "from sqlalchemy.orm import backref\nbackref = None\n",  # rebound after the import
    ],
    ids=["function", "class-attribute", "rebound-import"],
)
def test_stk301_backref_name_bound_in_the_module(taken):
    head = "from sqlalchemy.orm import relationship\n"
    call = "b = relationship('B', lazy='selectin', backref='a')\n"
    source = head + taken + call
    assert all(f.fix is None for f in lint(source, select=["STK301"]))
    # With the sqlalchemy.orm module imported, the fix goes through it.
    for module_import, module in (
        ("from sqlalchemy import orm\n", "orm"),
        ("import sqlalchemy.orm as sao\n", "sao"),
    ):
        result = fixed(module_import + source, ["STK301"])
        assert f"backref={module}.backref('a', lazy=\"selectin\")" in result
        assert "backref=backref(" not in result
        assert result.startswith(module_import + head)


# ---- the command line ----


def run_cli(*args):
    return CliRunner().invoke(main, ["check", "--no-color", *args])


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


BAD = "from flask import Blueprint, request\nfrom flask import g\n"


def test_fix_writes_safe_fixes_and_reports_what_remains(project):
    (project / "views.py").write_text(BAD)
    result = run_cli("--select", "STK101", "--fix", "views.py")
    assert (project / "views.py").read_text() == (
        "from flask import Blueprint, request\nfrom quart import g\n"
    )
    assert result.exit_code == 1
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.output
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option" in result.output
    assert "views.py:1:6: STK101" in result.output


def test_unsafe_fixes_then_a_clean_exit(project):
    (project / "views.py").write_text(BAD)
    result = run_cli("--select", "STK101", "--fix", "--unsafe-fixes", "views.py")
    assert result.exit_code == 0, result.output
    assert "Found 2 errors (2 fixed, 0 remaining)." in result.output
    assert "Fixed 2 errors:\n- views.py:\n    2 x STK101 (flask-import)\n" in result.output
    assert (project / "views.py").read_text().count("from quart import") == 2
    again = run_cli("--select", "STK101", "--fix", "--unsafe-fixes", "views.py")
    assert again.exit_code == 0 and "All checks passed!" in again.output


def test_diff_prints_and_writes_nothing(project):
    (project / "views.py").write_text(BAD)
    result = run_cli("--select", "STK101", "--diff", "--unsafe-fixes", "views.py")
    assert result.exit_code == 1
    assert (project / "views.py").read_text() == BAD
    assert "--- a/views.py\n+++ b/views.py\n" in result.output
    assert (
        "-from flask import g\n+from quart import Blueprint, request\n+from quart import g\n"
        in (result.output)
    )
    assert "Would fix 2 errors in 1 file." in result.output


def test_diff_with_exit_zero_exits_0(project):
    (project / "views.py").write_text(BAD)
    result = run_cli("--select", "STK101", "--diff", "--exit-zero", "views.py")
    assert result.exit_code == 0
    assert "+from quart import g\n" in result.output


def test_diff_without_changes_exits_0(project):
    (project / "views.py").write_text("from quart import g\n")
    result = run_cli("--select", "STK101", "--diff", "views.py")
    assert result.exit_code == 0
    assert "---" not in result.output


def test_fix_keeps_crlf_bom_cookie_and_mode(project):
    path = project / "views.py"
    path.write_bytes(b"\xef\xbb\xbffrom flask import g\r\nx = 'caf\xc3\xa9'\r\n")
    path.chmod(0o640)
    latin = project / "old.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nfrom flask import g\nx = 'caf\xe9'\n")
    result = run_cli("--select", "STK101", "--fix", "views.py", "old.py")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == b"\xef\xbb\xbffrom quart import g\r\nx = 'caf\xc3\xa9'\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert latin.read_bytes() == b"# -*- coding: latin-1 -*-\nfrom quart import g\nx = 'caf\xe9'\n"
    assert not [p for p in os.listdir(project) if p.endswith(".tmp")]


def test_fix_writes_through_a_symlink(project):
    (project / "real.py").write_text("from flask import g\n")
    (project / "link.py").symlink_to(project / "real.py")
    run_cli("--select", "STK101", "--fix", "link.py")
    assert (project / "link.py").is_symlink()
    assert (project / "real.py").read_text() == "from quart import g\n"


def test_a_fix_that_cannot_be_encoded_is_reported_and_not_written(project, monkeypatch):
    import stk_lint.rules.flask_import as flask_import

    monkeypatch.setattr(flask_import, "_dotted", lambda name: flask_import.cst.Name("quärt"))
    path = project / "old.py"
    original = b"# -*- coding: ascii -*-\nfrom flask import g\n"
    path.write_bytes(original)
    result = run_cli("--select", "STK101", "--fix", "old.py")
    assert path.read_bytes() == original
    assert result.exit_code == 1
    assert "cannot be written as ascii" in result.output


def test_a_file_changed_during_the_run_is_not_overwritten(project, monkeypatch):
    from stk_lint import fixing

    path = project / "views.py"
    path.write_text("from flask import g\n")
    real_fix_source = fixing.fix_source

    def edited_meanwhile(*args, **kwargs):
        outcome = real_fix_source(*args, **kwargs)
        path.write_text("# edited in the editor\n")
        return outcome

    monkeypatch.setattr(fixing, "fix_source", edited_meanwhile)
    result = run_cli("--select", "STK101", "--fix", "views.py")
    assert path.read_text() == "# edited in the editor\n"
    assert "changed while it was being checked" in result.output


def test_a_fix_that_would_not_parse_is_reported_and_not_written(project, monkeypatch):
    import stk_lint.rules.flask_import as flask_import

    monkeypatch.setattr(
        flask_import, "_dotted", lambda name: flask_import.cst.SimpleString('"quart"')
    )
    path = project / "views.py"
    path.write_text("from flask import g\n")
    result = run_cli("--select", "STK101", "--fix", "views.py")
    assert path.read_text() == "from flask import g\n"
    assert result.exit_code == 1
    assert "would leave the file unparsable" in result.output
    # Its fixes cannot be applied: the summary does not offer them again.
    assert "[*]" not in result.output and "fixable" not in result.output


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to other users")
def test_fix_keeps_the_owner(project):
    path = project / "views.py"
    path.write_text("from flask import g\n")
    os.chown(path, 1234, 5678)
    run_cli("--select", "STK101", "--fix", "views.py")
    assert path.read_text() == "from quart import g\n"
    assert (path.stat().st_uid, path.stat().st_gid) == (1234, 5678)


def test_any_languages_fixes_go_through_its_reparse_check(project, monkeypatch):
    """Generic: a template checker's span edits are applied, and undone if Jinja breaks."""
    from stk_lint import pipeline as engine
    from stk_lint.checked import Checked
    from stk_lint.rule import TEMPLATE

    def template_checker(source, path, rules, options, project):
        start = source.find("{{ ")
        if start < 0:
            return Checked()
        end = source.index(" }}", start) + 3
        replacement = "${ " + source[start + 3 : end - 3] + " }"
        if "BREAK" in source:
            replacement = "{% if %}"
        fix = Fix("Use a Vue binding", "safe", (Edit(start, end, replacement),))
        finding = Finding(path, 1, start + 1, "STK101", "m", "flask-import", 1, end + 1, fix)
        return Checked([(finding, (1, 1))], dict)

    monkeypatch.setitem(engine.CHECKERS, TEMPLATE, template_checker)
    good, broken = Path("page.html"), Path("broken.html")
    good.write_text("<p>{{ a }} and {{ b }}</p>\n")
    broken.write_text("<p>{{ a }}</p>BREAK\n")
    result = run_cli("--select", "STK101", "--fix", "page.html", "broken.html")
    assert good.read_text() == "<p>${ a } and ${ b }</p>\n"  # two rounds, one edit each
    assert broken.read_text() == "<p>{{ a }}</p>BREAK\n"
    assert "broken.html: fixes for STK101 would leave the file unparsable (Jinja:" in result.output


def test_diff_headers_keep_absolute_paths_readable():
    from stk_lint.fixing import unified_diff

    relative = unified_diff("a\n", "b\n", "app/views.py").splitlines()[:2]
    assert relative == ["--- a/app/views.py", "+++ b/app/views.py"]
    absolute = unified_diff("a\n", "b\n", "/srv/app/views.py").splitlines()[:2]
    assert absolute == ["--- /srv/app/views.py", "+++ /srv/app/views.py"]


def test_a_fix_that_libcst_accepts_but_python_cannot_compile_is_refused():
    from stk_lint.pipeline import reparse_python

    assert reparse_python("async def f(x):\n    await x\n") is None
    reason = reparse_python("def f(x):\n    await x\n")
    assert reason is not None and reason.startswith("SyntaxError:")
    assert reparse_python("class A:\n    x = await y\n") is not None


@pytest.mark.parametrize(
    "text",
    [
        # Characters str.splitlines() takes for line breaks, though no diff tool does.
        "from flask import g\nx = 'a\x0cb\x0bc\x1cd\x1de\x1ef\x85g\u2028h\u2029i'\ny = 1\n",
        "from flask import g\n# \x0c form feed \u2028 in a comment\n",
        "from flask import g\rx = 1\r",  # old Mac line endings: one line for git
        "from flask import g\r\nx = 1\r\n",
        "x = 1\nfrom flask import g",  # no newline at the end
    ],
    ids=["separators-in-a-string", "separators-in-a-comment", "cr-only", "crlf", "no-eol"],
)
def test_diff_applies_with_git(project, text):
    path = project / "views.py"
    path.write_bytes(text.encode("utf-8"))
    result = CliRunner().invoke(main, ["check", "--select", "STK101", "--diff", "views.py"])
    assert result.exit_code == 1, result.output
    subprocess.run(["git", "init", "-q"], check=True)
    (project / "fix.patch").write_bytes(result.stdout_bytes)  # .stdout drops "\r"
    check = subprocess.run(["git", "apply", "--check", "fix.patch"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr + result.stdout
    subprocess.run(["git", "apply", "fix.patch"], check=True)
    assert path.read_bytes() == text.replace("flask", "quart").encode("utf-8")


# ---- what --fix keeps of a file: permissions, hard links, attributes ----


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555, 0o440])
def test_a_read_only_file_is_not_fixed(project, mode):
    # As root too: a file without any write bit is read-only as its user sees it.
    path = project / "views.py"
    path.write_text("from flask import g\n")
    path.chmod(mode)
    other = project / "other.py"
    other.write_text("from flask import g\n")
    inode = path.stat().st_ino
    result = run_cli("--select", "STK101", "--fix", "views.py", "other.py")
    assert path.read_text() == "from flask import g\n"
    assert (path.stat().st_ino, stat.S_IMODE(path.stat().st_mode)) == (inode, mode)
    assert other.read_text() == "from quart import g\n"  # the others are fixed
    assert "views.py: the file is read-only (no write permission); not fixed" in result.output
    assert result.exit_code == 1  # its finding remains
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.output


def test_a_writable_file_in_a_read_only_folder_is_fixed_in_place(project):
    folder = project / "app"
    folder.mkdir()
    path = folder / "views.py"
    path.write_text("from flask import g\n")
    folder.chmod(0o555)
    try:
        result = run_cli("--select", "STK101", "--fix", "app/views.py")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 0, result.output
    assert path.read_text() == "from quart import g\n"


@pytest.mark.parametrize("links", [2, 3])
def test_fix_keeps_hard_links(project, links):
    path = project / "views.py"
    path.write_text("from flask import g\n")
    others = [project / f"copy{i}.txt" for i in range(links - 1)]
    for other in others:
        os.link(path, other)
    inode = path.stat().st_ino
    result = run_cli("--select", "STK101", "--fix", "views.py")
    assert result.exit_code == 0, result.output
    assert path.stat().st_ino == inode and path.stat().st_nlink == links
    for other in others:
        assert other.read_text() == "from quart import g\n"
    assert not [p for p in os.listdir(project) if p.endswith(".tmp")]


def _set_xattr(path, name, value):
    try:
        os.setxattr(path, name, value)
    except OSError as error:
        pytest.skip(f"no extended attributes here: {error}")


def test_fix_keeps_extended_attributes(project):
    path = project / "views.py"
    path.write_text("from flask import g\n")
    _set_xattr(path, "user.origin", b"vendored")
    result = run_cli("--select", "STK101", "--fix", "views.py")
    assert result.exit_code == 0, result.output
    assert path.read_text() == "from quart import g\n"
    assert os.getxattr(path, "user.origin") == b"vendored"


def test_what_the_new_file_cannot_carry_makes_the_write_happen_in_place(project, monkeypatch):
    """A user who cannot give the new file the old one's group (not root, not in the
    group) gets the file rewritten in place: group, inode and attributes stay."""
    path = project / "views.py"
    path.write_text("from flask import g\n")
    if os.geteuid() == 0:
        os.chown(path, -1, 65534)
    before = path.stat()

    def refused(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", refused)
    monkeypatch.setattr(os, "setxattr", refused)
    result = run_cli("--select", "STK101", "--fix", "views.py")
    assert result.exit_code == 0, result.output
    after = path.stat()
    assert path.read_text() == "from quart import g\n"
    assert (after.st_ino, after.st_uid, after.st_gid) == (
        before.st_ino,
        before.st_uid,
        before.st_gid,
    )
    assert not [p for p in os.listdir(project) if p.endswith(".tmp")]


def test_a_failed_in_place_write_puts_the_old_content_back(tmp_path, monkeypatch):
    from stk_lint import atomic

    path = tmp_path / "views.py"
    path.write_bytes(b"old content\n")
    os.link(path, tmp_path / "other")
    real_fsync = os.fsync

    def full_disk(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        atomic.replace_content(path, b"new and longer content\n", b"old content\n")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert path.read_bytes() == b"old content\n"
