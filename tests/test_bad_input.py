"""Bad input: each case is a clear finding or message with the contract's exit code
(0 clean, 1 findings, 2 usage/config error), never a traceback or a partial write."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stk_lint import pipeline as engine
from stk_lint import runner
from stk_lint.cli import main
from stk_lint.registry import ALL_RULES, options_by_key
from stk_lint.testing import codes, lint


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args):
    result = CliRunner().invoke(main, ["check", "--no-color", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def only(findings):
    (finding,) = findings
    return finding


def test_syntax_error_is_stk001_at_the_right_spot_and_the_run_goes_on(project):
    Path("broken.py").write_text("async def index(:\n    pass\n")
    Path("ok.py").write_text("from flask import g\n")
    result = check(".")
    assert result.exit_code == 1
    assert "broken.py:1:17: STK001 SyntaxError" in result.output
    assert "ok.py:1:6: STK101" in result.output


def test_unterminated_string():
    finding = only(lint("x = 'abc\ny = 1\n"))
    assert finding.code == "STK001" and finding.line == 1
    assert "unterminated string" in finding.message
    finding = only(lint('x = """abc\n\ny = 1\n'))
    assert finding.code == "STK001" and "unterminated triple-quoted string" in finding.message


def test_nul_bytes_and_binary_files():
    finding = only(lint(b"x = 1\x00\n"))
    assert finding.code == "STK003" and "binary file" in finding.message
    assert codes(lint(bytes(range(256)) * 4)) == ["STK003"]


def test_not_utf8():
    finding = only(lint(b"x = 'caf\xe9'\n"))
    assert finding.code == "STK003" and "not valid utf-8 (line 1" in finding.message


def test_utf8_with_bom_is_checked_and_positions_ignore_the_bom():
    finding = only(lint(b"\xef\xbb\xbffrom flask import g\n", select=["STK101"]))
    assert (finding.line, finding.column) == (1, 6)


def test_encoding_cookie_is_honoured_and_a_bad_one_reported():
    latin = b"# -*- coding: latin-1 -*-\nfrom flask import g\nname = 'Jos\xe9'\n"
    assert codes(lint(latin, select=["STK101", "STK003"])) == ["STK101"]
    finding = only(lint(b"# coding: klingon\nx = 1\n"))
    assert finding.code == "STK003" and "encoding" in finding.message


@pytest.mark.parametrize("source", ["", "\n", "   \n\n", "# only a comment", "\ufeff"])
def test_empty_files_are_clean(source):
    assert lint(source) == []


def test_a_10_mb_file_is_reported_not_parsed():
    data = b"x = 1\n" * (10 * 1024 * 1024 // 6)
    finding = only(lint(data))
    assert finding.code == "STK003"
    assert "too large to check (10.0 MB; the limit is 1024 KiB" in finding.message


def test_the_size_limit_is_configurable():
    data = b"from flask import g\n" + b"x = 1\n" * 300
    assert codes(lint(data, options={"max-file-size-kb": 1})) == ["STK003"]
    assert codes(lint(data, options={"max-file-size-kb": 2})) == ["STK101"]


def test_a_huge_string_literal_is_fine():
    assert lint("X = '" + "a" * 900_000 + "'\nfrom flask import g\n", select=["STK101"])


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("x = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n", "too many nested parentheses"),
        ("x = " + "[" * 250 + "]" * 250 + "\n", "too many nested parentheses"),
        ("x = " + "f'{" * 300 + "1" + "}'" * 300 + "\n", "SyntaxError"),
        ("x = 1" + " + 1" * 100_000 + "\n", "nested too deeply"),
        ("x = a" + ".b" * 100_000 + "\n", "nested too deeply"),
        ("x = " + "-" * 100_000 + "1\n", "too complex"),
        ("x = (1\n" + " + 1\n" * 50_000 + ")\n", "nested too deeply"),
        ("x = 1" + " \\\n + 1" * 50_000 + "\n", "nested too deeply"),
    ],
    ids=[
        "parens-100k",
        "brackets-250",
        "fstrings-300",
        "plus-100k",
        "attr-100k",
        "unary-100k",
        "multiline-chain",
        "backslash-chain",
    ],
)
def test_deep_nesting_is_stk001_with_the_reason_not_a_crash(source, reason):
    """libcst's native parser overflows the C stack on these and kills the process."""
    finding = only(lint(source, options={"max-file-size-kb": 4096}))
    assert finding.code == "STK001"
    assert reason in finding.message


def test_nesting_python_accepts_is_checked_normally():
    source = "from flask import g\nx = " + "(" * 190 + "1" + ")" * 190 + "\n"
    assert codes(lint(source)) == ["STK101"]
    chain = "from flask import g\nx = 1" + " + 1" * 2000 + "\n"  # a finding: positions too
    assert codes(lint(chain)) == ["STK101"]


def test_many_brackets_inside_strings_are_not_nesting():
    source = "from flask import g\nPATTERN = r'" + "(" * 300 + "'\n" + "x = '" + "[" * 300 + "'\n"
    assert codes(lint(source)) == ["STK101"]


def test_recursion_in_the_walker_is_caught_per_file(project, monkeypatch):
    real_check_module = engine.check_module

    def check_module(context, rules):
        if context.path.endswith("deep.py"):
            raise RecursionError("maximum recursion depth exceeded")
        return real_check_module(context, rules)

    monkeypatch.setattr(engine, "check_module", check_module)
    Path("deep.py").write_text("async def handler():\n    return 1\n")  # checked, not skipped
    Path("ok.py").write_text("from flask import g\n")
    result = check(".")
    assert result.exit_code == 1
    assert "deep.py:1:1: STK001 nested too deeply to check" in result.output
    assert "ok.py:1:6: STK101" in result.output


def test_symlink_loops(project):
    Path("pkg").mkdir()
    Path("pkg/views.py").write_text("from flask import g\n")
    os.symlink("..", "pkg/up")  # a directory loop
    os.symlink("b.py", "a.py")  # a file loop
    os.symlink("a.py", "b.py")
    result = check(".")
    assert result.exit_code == 1
    assert result.output.count("pkg/views.py:1:6: STK101") == 1
    assert "a.py:1:1: STK003 cannot read: Too many levels of symbolic links" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_chmod_000(project):
    Path("secret.py").write_text("x = 1\n")
    Path("secret.py").chmod(0)
    result = check(".")
    assert result.exit_code == 1
    assert "secret.py:1:1: STK003 cannot read: Permission denied" in result.output


def test_unreadable_file(project, monkeypatch):
    """The same as chmod 000, for runs as root (CI here): the read itself fails."""
    Path("secret.py").write_text("x = 1\n")
    real_open = os.open

    def refusing_open(path, *args, **kwargs):
        if os.path.basename(path) == "secret.py":
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    for args, exit_code in (([], 1), (["--fix"], 1), (["--diff"], 0)):  # --diff: no changes
        result = check(*args, ".")
        assert "secret.py:1:1: STK003 cannot read: Permission denied" in result.output
        assert result.exit_code == exit_code


def test_a_file_deleted_during_the_run(project, monkeypatch):
    Path("a.py").write_text("x = 1\n")
    Path("gone.py").write_text("x = 1\n")
    real_discover = runner.discover

    def discover_then_delete(*args, **kwargs):
        for path, language in real_discover(*args, **kwargs):
            if path.name == "gone.py":
                path.unlink()
            yield path, language

    monkeypatch.setattr(runner, "discover", discover_then_delete)
    for args in ([], ["--no-cache"], ["--fix"]):
        Path("gone.py").write_text("x = 1\n")
        result = check(*args, ".")
        assert result.exit_code == 1
        assert "gone.py:1:1: STK003 cannot read: No such file or directory" in result.output


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('select = "STK1"', "`select` must be a list of strings"),
        ('select = ["NOPE9"]', "unknown rule code or prefix `NOPE9`"),
        ("allowed-lazy = 3", "`allowed-lazy` must be a list of strings"),
        ("max-file-size-kb = -1", "`max-file-size-kb` must be a positive whole number"),
        ('max-file-size-kb = "big"', "`max-file-size-kb` must be a positive whole number"),
        ("colour = true", "unknown key `colour`"),
        ("per-file-ignores = 1", "`per-file-ignores` must be a table"),
        ("select = [", "cannot read"),
    ],
)
def test_invalid_configuration_is_exit_2_with_a_message(project, table, message):
    Path("pyproject.toml").write_text(f"[tool.stk-lint]\n{table}\n")
    Path("a.py").write_text("x = 1\n")
    result = check(".")
    assert result.exit_code == 2
    assert "stk-lint: error:" in result.output and message in result.output


def test_unknown_path_and_option(project):
    assert check("missing/").exit_code == 2
    assert check("--output-format", "xml", ".").exit_code == 2
    assert check("--select", "STK9999", ".").exit_code == 2


def test_configuration_is_never_executed(project):
    """The config is TOML read with tomllib; nothing in it is evaluated."""
    Path("pyproject.toml").write_text(
        "[tool.stk-lint]\nextend-exclude = [\"__import__('os').system('touch pwned')\"]\n"
    )
    Path("a.py").write_text("x = 1\n")
    assert check(".").exit_code == 0
    assert not Path("pwned").exists()


def test_checked_code_is_never_imported_or_run(project):
    Path("evil.py").write_text("open('pwned', 'w').close()\nraise SystemExit(3)\n")
    result = check("--fix", ".")
    assert result.exit_code == 0
    assert not Path("pwned").exists()


def test_cpython_warnings_about_checked_code_stay_quiet(project):
    """A real process: pytest's own warning capture would hide a printed warning."""
    Path("w.py").write_text("x = '\\d'\ny = (\n")  # an invalid escape, then an error
    result = subprocess.run(
        [sys.executable, "-m", "stk_lint", "check", "w.py"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "always"},
    )
    assert result.returncode == 1
    assert "STK001" in result.stdout
    assert result.stderr == ""


def test_a_named_pipe_or_socket_is_skipped_not_read(project):
    # Opening a FIFO blocks until a writer comes: the run would hang for ever.
    os.mkfifo("pipe.py")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock.py")
        Path("ok.py").write_text("from flask import g\n")
        result = check(".")
        assert result.exit_code == 1
        assert "pipe.py" not in result.output and "sock.py" not in result.output
        assert "ok.py:1:6: STK101" in result.output
        assert "(1 file checked)" in result.output or "in 1 file checked" in result.output
        # Named on the command line: a message saying why it is not checked.
        named = CliRunner().invoke(main, ["check", "--no-color", "pipe.py", "sock.py"])
        assert named.exit_code == 0
        assert "pipe.py: not a regular file (a named pipe); skipped" in named.stderr
        assert "sock.py: not a regular file (a socket); skipped" in named.stderr


def test_valid_python_libcst_cannot_parse_is_reported_honestly():
    # CPython accepts thousands of implicitly concatenated strings; libcst's parser
    # does not. The finding must not call valid code a syntax error of its own making.
    source = "import flask\nx = " + " ".join(['"a"'] * 6000) + "\n"
    finding = only(lint(source))
    assert finding.code == "STK001"
    assert finding.message.startswith("valid Python that libcst cannot parse: ")
    assert finding.line <= source.count("\n")
    reason = engine.reparse_python(source)
    assert reason is not None and reason.startswith("valid Python that libcst cannot parse: ")


def test_libcst_parse_failures_show_only_where_a_rule_needs_the_tree():
    # `(name): type = value` is valid Python libcst 1.x rejects. A module no rule could
    # fire on is never given to libcst (CPython's parser checks its syntax), so its gap
    # shows only without the pre-parse skips, or once a rule needs the tree.
    plain = "(pars): bool = True\n"
    assert lint(plain) == []
    with_rule = "from flask import g\n(pars): bool = True\n"
    assert codes(lint(with_rule)) == ["STK001"]
    every_rule = tuple(rule for rule in ALL_RULES if rule.default_enabled)
    options = {key: option.default for key, option in options_by_key().items()}
    finding = only(engine.check_source(plain, "app/views.py", every_rule, options, skips=False))
    assert finding.message.startswith("valid Python that libcst cannot parse: ")
