"""The Claude Code plugin in skill/ and the marketplace entry that points at it."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stk_lint import __version__, plugin
from stk_lint.skill import skill_files

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "skill"


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_plugin_carries_the_canonical_skill():
    """skill/skills/stk-dev holds SKILL.md and references/ (links or copies, never edits)."""
    bundled = PLUGIN / "skills" / "stk-dev"
    assert skill_files(bundled) == skill_files(ROOT)
    for relative in skill_files(ROOT):
        assert (bundled / relative).read_bytes() == (ROOT / relative).read_bytes(), relative


def test_plugin_manifest():
    manifest = _json(PLUGIN / ".claude-plugin" / "plugin.json")
    assert manifest["name"] == "stk-dev"
    assert manifest["version"] == __version__
    assert manifest["description"]


def _hook_commands():
    hooks = _json(PLUGIN / "hooks" / "hooks.json")["hooks"]
    assert sorted(hooks) == ["PostToolUse", "SessionStart"]
    return {event: entries for event, entries in hooks.items()}


def test_the_hook_runs_stk_lint_after_edits_and_writes():
    [entry] = _hook_commands()["PostToolUse"]
    matcher = re.compile(entry["matcher"])
    for tool in ("Edit", "Write"):
        assert matcher.fullmatch(tool)
    assert not matcher.fullmatch("Bash")
    [command] = entry["hooks"]
    assert command["type"] == "command"
    assert command["command"] == 'sh "${CLAUDE_PLUGIN_ROOT}/hooks/stk-lint-plugin.sh" post-tool-use'
    # The first edit may wait for the plugin's environment to be built.
    assert command["timeout"] > plugin.WAIT_FOR_BUILD + plugin.CHECK_TIMEOUT / 4


def test_a_session_start_prepares_the_environment():
    [entry] = _hook_commands()["SessionStart"]
    [command] = entry["hooks"]
    assert command["command"] == 'sh "${CLAUDE_PLUGIN_ROOT}/hooks/stk-lint-plugin.sh" session-start'


def test_the_plugin_carries_the_checker_source():
    """`claude plugin install` copies skill/ alone (links resolved): the checker's source
    must be inside it for the plugin to build its environment."""
    checker = PLUGIN / "checker"
    for name in ("pyproject.toml", "README.md", "stk_lint"):
        assert (checker / name).resolve() == (ROOT / name).resolve(), name


def test_the_marketplace_lists_the_plugin():
    marketplace = _json(ROOT / ".claude-plugin" / "marketplace.json")
    [plugin] = marketplace["plugins"]
    assert plugin["name"] == "stk-dev"
    assert (ROOT / plugin["source"]).resolve() == PLUGIN


@pytest.mark.skipif(shutil.which("claude") is None, reason="the Claude Code CLI is not installed")
@pytest.mark.parametrize("path", [PLUGIN, ROOT], ids=["plugin", "marketplace"])
def test_claude_plugin_validate(path, tmp_path):
    # The CLI writes its settings under HOME: keep them out of the user's.
    env = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run(
        ["claude", "plugin", "validate", "--strict", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# The installed plugin, driven by the real Claude Code CLI on a fresh HOME. -----------

SAMPLE_APP = ROOT / "tests" / "sample_app"


def _readme_install_commands() -> list[list[str]]:
    """The README's two commands that install the plugin ("## Claude Code")."""
    section = (ROOT / "README.md").read_text().split("\n## Claude Code\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL).group(1)
    return [line.split("#", 1)[0].split() for line in block.strip().splitlines()]


def test_the_readme_installs_the_plugin_in_two_commands():
    add, install = _readme_install_commands()
    assert add[:4] == ["claude", "plugin", "marketplace", "add"]
    assert len(add) == 5
    marketplace = _json(ROOT / ".claude-plugin" / "marketplace.json")["name"]
    assert install == ["claude", "plugin", "install", f"stk-dev@{marketplace}"]


def _claude_env(home: Path, path_variable: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLAUDE")}
    env.update(
        HOME=str(home),
        PATH=path_variable,
        DISABLE_AUTOUPDATER="1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
    )
    return env


def _without_stk_lint(path_variable: str) -> str:
    """PATH minus every folder holding an stk-lint (this test's own virtualenv's)."""
    folders = path_variable.split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not (Path(f) / "stk-lint").exists())


def _run_hook(command: str, plugin_root: Path, data: Path, project: Path, payload, env):
    """A hook command as Claude Code runs it: `${CLAUDE_PLUGIN_ROOT}` substituted, the
    plugin's variables set, `sh -c` in the project, the event's JSON on stdin."""
    command = command.replace("${CLAUDE_PLUGIN_ROOT}", str(plugin_root))
    env = {
        **env,
        "CLAUDE_PLUGIN_ROOT": str(plugin_root),
        "CLAUDE_PLUGIN_DATA": str(data),
        "CLAUDE_PROJECT_DIR": str(project),
    }
    return subprocess.Popen(
        ["/bin/sh", "-c", command],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=project,
        env=env,
    ), json.dumps(payload)


def _finish(started, timeout=300):
    process, payload = started
    stdout, stderr = process.communicate(payload, timeout=timeout)
    return process.returncode, stdout, stderr


def _edit_event(path: Path, project: Path) -> dict:
    return {
        "session_id": "00000000-0000-0000-0000-000000000000",
        "transcript_path": str(project / "transcript.jsonl"),
        "cwd": str(project),
        "permission_mode": "default",
        "hook_event_name": "PostToolUse",
        "tool_name": "Edit",
        "tool_input": {
            "file_path": str(path),
            "old_string": "await g.db_session.commit()",
            "new_string": "g.db_session.commit()",
            "replace_all": False,
        },
        "tool_response": {"filePath": str(path), "structuredPatch": [], "userModified": False},
    }


@pytest.mark.slow
def test_the_installed_plugin_checks_stk_projects_only(tmp_path):
    """`claude plugin marketplace add` + `claude plugin install` on a machine without
    stk-lint, then the hooks exactly as the installed hooks.json says: findings in an
    stk project, silence in a Flask project, never exit 2 for a failure of its own."""
    claude = shutil.which("claude")
    if claude is None:
        pytest.skip("the Claude Code CLI is not installed")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    home = tmp_path / "home"
    for pip_config in (".config/pip/pip.conf", ".pip/pip.conf"):  # the machine's index
        original = Path.home() / pip_config
        if original.is_file():
            (home / pip_config).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(original, home / pip_config)
    # A python3 outside any virtualenv, as on a fresh machine (this test's own virtualenv
    # holds stk-lint, and its folder is left off PATH).
    system = tmp_path / "system-bin"
    system.mkdir()
    (system / "python3").symlink_to(Path(sys._base_executable).resolve())
    path_variable = os.pathsep.join([str(system), _without_stk_lint(os.environ["PATH"])])
    env = _claude_env(home, path_variable)
    assert shutil.which("stk-lint", path=path_variable) is None
    add, install = _readme_install_commands()
    for command in ([*add[:-1], str(clone)], install):  # the clone for the repository
        done = subprocess.run(
            [claude, *command[1:]], capture_output=True, text=True, env=env, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
    installed = _json(home / ".claude" / "plugins" / "installed_plugins.json")
    [record] = installed["plugins"]["stk-dev@stk-lint"]
    plugin_root = Path(record["installPath"])
    done = subprocess.run(
        [claude, "plugin", "validate", "--strict", str(plugin_root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not any(p.is_symlink() for p in plugin_root.rglob("*"))  # copied, not linked
    # Where Claude Code keeps the plugin's data: plugins/data/<plugin@marketplace, sanitised>.
    data = home / ".claude" / "plugins" / "data" / "stk-dev-stk-lint"
    hooks = _json(plugin_root / "hooks" / "hooks.json")["hooks"]
    [[post_tool_use]] = [entry["hooks"] for entry in hooks["PostToolUse"]]
    [[session_start]] = [entry["hooks"] for entry in hooks["SessionStart"]]

    stk = tmp_path / "stk-project"
    shutil.copytree(SAMPLE_APP / "stk", stk / "stk")
    subprocess.run(["git", "init", "-q", str(stk)], check=True, timeout=60)
    views = stk / "stk" / "things" / "views.py"
    text = views.read_text()
    views.write_text(text.replace("await g.db_session.commit()", "g.db_session.commit()", 1))
    models = stk / "stk" / "things" / "models.py"
    flask = tmp_path / "flask-project"
    (flask / "templates").mkdir(parents=True)
    (flask / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    (flask / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    (flask / "templates" / "index.html").write_text('<i class="mdi mdi-home"></i>\n')

    def post(path, project, environment=env, data=data):
        return _run_hook(
            post_tool_use["command"],
            plugin_root,
            data,
            project,
            _edit_event(path, project),
            environment,
        )

    # The first edits of two sessions at once, before any environment exists: one build,
    # both get the findings.
    started = time.perf_counter()
    first, second = post(views, stk), post(views, stk)
    results = [_finish(first), _finish(second)]
    cold = time.perf_counter() - started
    for code, stdout, stderr in results:
        assert code == 2, stderr
        assert stdout == ""
        assert stderr.startswith("stk-lint: 1 problem in stk/things/views.py")
        assert "69:9 STK202 `g.db_session.commit` is async" in stderr
    environments = [p.name for p in (data / "envs").iterdir() if not p.name.startswith(".")]
    assert len([name for name in environments if not name.endswith(".log")]) == 1
    [log] = [name for name in environments if name.endswith(".log")]
    commands = [line for line in (data / "envs" / log).read_text().splitlines() if line[:2] == "$ "]
    assert len(commands) == 3, commands  # venv, pip install, import check: built once

    # A session start with the environment ready does nothing, and says nothing.
    start_event = {"hook_event_name": "SessionStart", "source": "startup", "cwd": str(stk)}
    code, stdout, stderr = _finish(
        _run_hook(session_start["command"], plugin_root, data, stk, start_event, env)
    )
    assert (code, stdout, stderr) == (0, "", "")

    warm = []
    for _ in range(5):
        started = time.perf_counter()
        assert _finish(post(models, stk)) == (0, "", "")  # clean: silent
        warm.append(time.perf_counter() - started)
    elsewhere = []
    for path in (flask / "app.py", flask / "templates" / "index.html") * 2:
        started = time.perf_counter()
        assert _finish(post(path, flask)) == (0, "", "")  # not an stk project: silent
        elsewhere.append(time.perf_counter() - started)

    # Broken environments: exit 0 with one line, never 2, never 127.
    no_python = tmp_path / "no-python"
    no_python.mkdir()
    for tool in ("sh", "dirname"):
        (no_python / tool).symlink_to(shutil.which(tool))
    code, _, stderr = _finish(post(views, stk, {**env, "PATH": str(no_python)}))
    assert (code, stderr) == (
        0,
        "stk-lint plugin: not checked: no python3 on PATH (stk-lint needs Python 3.11+)\n",
    )
    offline = {key: value for key, value in env.items() if key != "PIP_FIND_LINKS"}
    offline.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")  # pip finds nothing
    fresh_data = tmp_path / "fresh-data"
    for _ in range(2):  # the second edit does not try the build again
        code, _, stderr = _finish(post(views, stk, offline, fresh_data))
        assert code == 0
        [line] = stderr.splitlines()
        assert line.startswith(
            "stk-lint plugin: not checked: its environment could not be built"
        ), line
    [environment] = [p for p in (data / "envs").iterdir() if p.is_dir() and p.name[0] != "."]
    [site_packages] = (environment / "lib").glob("python3*/site-packages")
    shutil.rmtree(site_packages / "libcst")  # the hook reports its own failure
    code, _, stderr = _finish(post(views, stk))
    assert code == 0
    [line] = stderr.splitlines()
    assert line.startswith("stk-lint hook: not checked: ModuleNotFoundError"), line
    (site_packages / "stk_lint" / "entry.py").unlink()  # the checker cannot even start
    code, _, stderr = _finish(post(views, stk))
    assert code == 0
    [line] = stderr.splitlines()
    assert line.startswith("stk-lint plugin: not checked: "), line
    assert "exited with 1: ModuleNotFoundError" in line
    print(
        f"\ninstalled hook on the sample app: cold first edit (environment built, two "
        f"sessions at once) {cold:.1f} s; warm edits {', '.join(f'{t:.2f}' for t in warm)} s;"
        f" edits in a Flask project {', '.join(f'{t:.2f}' for t in elsewhere)} s"
    )
