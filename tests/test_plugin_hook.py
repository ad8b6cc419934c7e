"""stk_lint.plugin and skill/hooks/stk-lint-plugin.sh: the Claude Code plugin's hooks.

Exit 2 means findings and only findings; anything the plugin itself cannot do is exit 0
with one line. The real install and build are in tests/test_plugin.py (slow).
"""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stk_lint import plugin

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "skill" / "hooks" / "stk-lint-plugin.sh"
FLASK_APP = "from flask import Flask\n\napp = Flask(__name__)\n"
FINDINGS = (
    "stk-lint: 1 problem in views.py; fix before moving on:\n"
    "  1:6 STK101 `flask` is Flask; stk uses quart\n"
)


def _payload(path: Path) -> str:
    return json.dumps(
        {
            "hook_event_name": "PostToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": str(path), "content": "x"},
            "cwd": str(path.parent),
        }
    )


@pytest.fixture
def system_python(tmp_path):
    """A PATH with a python3 outside any environment (as on a fresh machine) and sh."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(Path(sys.executable).resolve())
    return str(bin_dir) + os.pathsep + "/usr/bin" + os.pathsep + "/bin"


def _fake_checker(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'#!/bin/sh\ncat > {path.parent / "stdin.json"}\necho "$@" > {path.parent / "args"}\n{body}\n'
    )
    path.chmod(0o755)
    return path


def _run(args, payload, path_variable, tmp_path, project=None):
    env = {
        "PATH": path_variable,
        "HOME": str(tmp_path / "home"),
        "CLAUDE_PLUGIN_ROOT": str(ROOT / "skill"),
        "CLAUDE_PLUGIN_DATA": str(tmp_path / "data"),
        "CLAUDE_PROJECT_DIR": str(project or tmp_path),
    }
    return subprocess.run(
        ["sh", "-c", f'sh "{SCRIPT}" {args}'],
        input=payload,
        capture_output=True,
        text=True,
        env=env,
        cwd=project or tmp_path,
        timeout=120,
    )


def _stk_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.stk-lint]\n")
    view = root / "views.py"
    view.write_text(FLASK_APP)
    return view


def test_outside_an_stk_project_it_is_silent_and_builds_nothing(tmp_path, system_python):
    project = tmp_path / "flask"
    project.mkdir()
    (project / "requirements.txt").write_text("flask\n")
    app = project / "app.py"
    app.write_text(FLASK_APP)
    for args, payload in (("session-start", "{}"), ("post-tool-use", _payload(app))):
        done = _run(args, payload, system_python, tmp_path, project)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", ""), args
    assert not (tmp_path / "data" / "envs").exists()


def test_the_projects_own_stk_lint_is_used(tmp_path, system_python):
    project = tmp_path / "shop"
    view = _stk_project(project)
    checker = _fake_checker(
        project / ".venv" / "bin" / "stk-lint", f"printf '{FINDINGS}' >&2\nexit 2"
    )
    done = _run("post-tool-use", _payload(view), system_python, tmp_path, project)
    assert done.returncode == 2
    assert done.stderr == FINDINGS
    assert (checker.parent / "args").read_text() == "hook claude\n"
    assert json.loads((checker.parent / "stdin.json").read_text())["tool_name"] == "Write"
    assert not (tmp_path / "data" / "envs").exists()


def test_stk_lint_on_path_is_used(tmp_path, system_python):
    view = _stk_project(tmp_path / "shop")
    _fake_checker(tmp_path / "tools" / "stk-lint", "exit 0")
    path_variable = str(tmp_path / "tools") + os.pathsep + system_python
    done = _run("post-tool-use", _payload(view), path_variable, tmp_path, tmp_path / "shop")
    assert (done.returncode, done.stderr) == (0, "")
    assert (tmp_path / "tools" / "args").read_text() == "hook claude\n"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (
            "echo 'Traceback (most recent call last):' >&2\necho 'ImportError: x' >&2\nexit 1",
            "exited with 1: ImportError: x",
        ),
        # An stk-lint without the hook command: click's usage error is exit 2, not findings.
        (
            "echo 'Usage: stk-lint [OPTIONS] COMMAND' >&2\necho \"Error: No such command 'hook'.\" >&2\nexit 2",
            "exited with 2: Error: No such command 'hook'.",
        ),
        ("exit 127", "exited with 127: no message"),
        ("kill -9 $$", "exited with -9"),
    ],
    ids=["crash", "usage-error", "127", "killed"],
)
def test_a_checker_that_fails_never_blocks_an_edit(tmp_path, system_python, body, shown):
    project = tmp_path / "shop"
    view = _stk_project(project)
    _fake_checker(project / ".venv" / "bin" / "stk-lint", body)
    done = _run("post-tool-use", _payload(view), system_python, tmp_path, project)
    assert done.returncode == 0
    [line] = done.stderr.splitlines()
    assert line.startswith("stk-lint plugin: not checked: ")
    assert shown in line


def test_without_python3_it_says_so_and_lets_the_edit_through(tmp_path):
    view = _stk_project(tmp_path / "shop")
    only_sh = tmp_path / "only-sh"
    only_sh.mkdir()
    (only_sh / "sh").symlink_to(shutil.which("sh"))
    (only_sh / "dirname").symlink_to(shutil.which("dirname"))
    done = _run("post-tool-use", _payload(view), str(only_sh), tmp_path)
    assert done.returncode == 0
    assert done.stderr == (
        "stk-lint plugin: not checked: no python3 on PATH (stk-lint needs Python 3.11+)\n"
    )


@pytest.mark.parametrize(
    ("payload", "note"),
    [
        ("not json", "not JSON"),
        ("[" * 100_000, "not JSON"),  # nesting too deep for json: no traceback
        ('{"tool_input": {"file_path": 3}}', "`tool_input.file_path` is not a path"),
    ],
)
def test_input_it_cannot_read_is_one_line(tmp_path, system_python, payload, note):
    done = _run("post-tool-use", payload, system_python, tmp_path)
    assert done.returncode == 0
    [line] = done.stderr.splitlines()
    assert line.startswith("stk-lint plugin: ignoring input it cannot read")
    assert note in line


def test_an_unknown_hook_is_one_line(tmp_path, system_python):
    done = _run("pre-compact", "{}", system_python, tmp_path)
    assert (done.returncode, done.stderr) == (
        0,
        "stk-lint plugin: not checked: unknown hook 'pre-compact'\n",
    )


def _in_process(args, payload, environ):
    stderr = io.StringIO()
    code = plugin.run(args, io.StringIO(payload), stderr, environ)
    return code, stderr.getvalue()


def test_a_failed_build_is_not_retried_at_every_edit(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no stk-lint on PATH
    view = _stk_project(tmp_path / "shop")
    environment = plugin.Environment(tmp_path / "data")
    environment.folder.mkdir(parents=True)
    environment.failed.write_text("its environment could not be built: pip exited with 1\n")
    monkeypatch.setattr(plugin.Environment, "start_build", lambda self: pytest.fail("rebuilt"))
    code, err = _in_process(
        ["post-tool-use"], _payload(view), {"CLAUDE_PLUGIN_DATA": str(tmp_path / "data")}
    )
    assert code == 0
    [line] = err.splitlines()
    assert line.startswith(
        "stk-lint plugin: not checked: its environment could not be built: pip exited with 1"
    )
    assert str(environment.log) in line


def test_a_session_start_in_an_stk_project_starts_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    started = []
    monkeypatch.setattr(plugin.Environment, "start_build", lambda self: started.append(self.name))
    environ = {"CLAUDE_PLUGIN_DATA": str(tmp_path / "data")}
    (tmp_path / "flask").mkdir()
    (tmp_path / "flask" / "app.py").write_text(FLASK_APP)
    environ["CLAUDE_PROJECT_DIR"] = str(tmp_path / "flask")
    assert _in_process(["session-start"], "{}", environ) == (0, "")
    assert started == []
    _stk_project(tmp_path / "shop")
    environ["CLAUDE_PROJECT_DIR"] = str(tmp_path / "shop")
    assert _in_process(["session-start"], "{}", environ) == (0, "")
    assert started == [plugin.environment_name()]


def _fake_build(fail: bool):
    def build_into(target: Path, log) -> None:
        (target / "bin").mkdir(parents=True)
        (target / "bin" / "python").write_text("")
        print("building", file=log)
        if fail:
            raise plugin.NotChecked("`python -m pip install ...` exited with 1")

    return build_into


def test_a_build_is_renamed_into_place_whole(tmp_path, monkeypatch):
    data = tmp_path / "data"
    environment = plugin.Environment(data, "cpython311-new")
    folder = environment.folder
    for leftover in (".build-999/bin", "cpython311-old/bin", "cpython312-other/bin"):
        (folder / leftover).mkdir(parents=True)
    (folder / "cpython311-old.log").write_text("")
    monkeypatch.setattr(plugin, "_build_into", _fake_build(fail=False))
    environment.build()
    assert environment.ready()
    assert sorted(p.name for p in folder.iterdir()) == [
        ".lock",
        "cpython311-new",
        "cpython311-new.log",
        "cpython312-other",  # another Python's environment is another session's
    ]
    assert environment.wait(0) == environment.python


def test_a_failed_build_leaves_no_environment(tmp_path, monkeypatch):
    environment = plugin.Environment(tmp_path / "data", "cpython311-new")
    monkeypatch.setattr(plugin, "_build_into", _fake_build(fail=True))
    environment.build()
    assert not environment.ready()
    assert not environment.path.exists()
    assert not list(environment.folder.glob(".build-*"))
    assert "pip install" in environment.recent_failure()
    assert "failed:" in environment.log.read_text()


def test_the_environment_follows_the_source(tmp_path, monkeypatch):
    source = tmp_path / "source"
    shutil.copytree(ROOT / "stk_lint", source / "stk_lint")
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    monkeypatch.setattr(plugin, "SOURCE", source)
    before = plugin.environment_name()
    assert before.startswith(
        f"{sys.implementation.name}{sys.version_info[0]}{sys.version_info[1]}-"
    )
    (source / "stk_lint" / "__pycache__").mkdir(exist_ok=True)
    (source / "stk_lint" / "__pycache__" / "x.pyc").write_text("")
    assert plugin.environment_name() == before  # compiled files are not the source
    (source / "stk_lint" / "hook.py").write_text("# a new version\n")
    assert plugin.environment_name() != before


def test_the_launcher_reads_as_old_python():
    """An older python3 must reach the launcher's version check, not a SyntaxError."""
    import ast
    import tokenize

    text = (ROOT / "skill" / "hooks" / "stk_lint_plugin.py").read_text()
    ast.parse(text, feature_version=(3, 4))  # no walrus, positional-only parameters, ...
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING:  # no f-strings (3.6)
            assert "f" not in token.string.split("'")[0].split('"')[0].lower(), token
    assert "annotations" not in text and "->" not in text


def test_a_builder_that_waited_for_a_failed_build_does_not_repeat_it(tmp_path, monkeypatch):
    """Two sessions, one build: the second builder finds the failure the first recorded
    while it waited for the lock, and leaves it at that."""
    environment = plugin.Environment(tmp_path / "data", "cpython311-new")
    environment.folder.mkdir(parents=True)
    environment.failed.write_text("its environment could not be built: offline\n")
    monkeypatch.setattr(plugin, "_build_into", lambda target, log: pytest.fail("built again"))
    environment.build()
    assert not environment.ready()


# The language server (plugin.json's lspServers): the same checker, found the same way.


def test_the_language_server_is_the_projects_own_stk_lint(tmp_path, system_python):
    project = tmp_path / "shop"
    _stk_project(project)
    checker = _fake_checker(
        project / ".venv" / "bin" / "stk-lint",
        'if [ "$2" = "--probe" ]; then exit 0; fi\necho "serving on stdio"',
    )
    done = _run("server", "", system_python, tmp_path, project)
    assert (done.returncode, done.stdout, done.stderr) == (0, "serving on stdio\n", "")
    assert (checker.parent / "args").read_text() == "server\n"  # run in the launcher's place
    assert not (tmp_path / "data" / "envs").exists()


def test_a_checker_without_the_server_leaves_it_to_the_plugins_environment(tmp_path, monkeypatch):
    project = tmp_path / "shop"
    _stk_project(project)
    # An stk-lint from before `stk-lint server`: click's usage error.
    _fake_checker(project / ".venv" / "bin" / "stk-lint", "exit 2")
    built = tmp_path / "env" / "bin" / "python"
    monkeypatch.setattr(plugin.Environment, "wait", lambda self, budget: built)
    command = plugin.server_command({"CLAUDE_PROJECT_DIR": str(project), "PATH": "/usr/bin"})
    assert command == [str(built), "-I", "-m", "stk_lint", "server"]


def test_without_a_checker_the_server_says_why_in_one_line(tmp_path, monkeypatch):
    def failed(self, budget):
        raise plugin.NotChecked("its environment could not be built: pip failed")

    monkeypatch.setattr(plugin.Environment, "wait", failed)
    monkeypatch.setattr(plugin, "pinned_checker", lambda roots: None)
    stderr = io.StringIO()
    code = plugin.run(["server"], io.StringIO(), stderr, {"CLAUDE_PROJECT_DIR": str(tmp_path)})
    assert code == 1
    assert stderr.getvalue() == (
        "stk-lint plugin: no language server: its environment could not be built: pip failed\n"
    )
