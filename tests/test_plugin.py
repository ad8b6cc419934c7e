"""The Claude Code plugin in skill/ and the marketplace entry that points at it."""

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from installed_plugin import InstalledPlugin, flask_project, readme_install_commands, stk_project

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


def test_the_readme_installs_the_plugin_in_two_commands():
    add, install = readme_install_commands()
    assert add[:4] == ["claude", "plugin", "marketplace", "add"]
    assert len(add) == 5
    marketplace = _json(ROOT / ".claude-plugin" / "marketplace.json")["name"]
    assert install == ["claude", "plugin", "install", f"stk-dev@{marketplace}"]


@pytest.mark.slow
def test_the_installed_plugin_checks_stk_projects_only(tmp_path):
    """`claude plugin marketplace add` + `claude plugin install` on a machine without
    stk-lint, then the hooks exactly as the installed hooks.json says: findings in an
    stk project, silence in a Flask project, never exit 2 for a failure of its own."""
    claude = shutil.which("claude")
    if claude is None:
        pytest.skip("the Claude Code CLI is not installed")
    installed = InstalledPlugin.install(claude, tmp_path)
    assert not any(p.is_symlink() for p in installed.root.rglob("*"))  # copied, not linked
    stk = tmp_path / "stk-project"
    views, models = stk_project(stk)
    flask = tmp_path / "flask-project"
    flask_files = flask_project(flask)
    finish = installed.finish

    # The first edits of two sessions at once, before any environment exists: one build,
    # both get the findings.
    started = time.perf_counter()
    first, second = installed.edit(views, stk), installed.edit(views, stk)
    results = [finish(first), finish(second)]
    cold = time.perf_counter() - started
    for code, stdout, stderr in results:
        assert code == 2, stderr
        assert stdout == ""
        assert stderr.startswith("stk-lint: 1 problem in stk/things/views.py")
        assert "69:9 STK202 `g.db_session.commit` is async" in stderr
    envs = installed.data / "envs"
    environments = [p.name for p in envs.iterdir() if not p.name.startswith(".")]
    assert len([name for name in environments if not name.endswith(".log")]) == 1
    [log] = [name for name in environments if name.endswith(".log")]
    commands = [line for line in (envs / log).read_text().splitlines() if line[:2] == "$ "]
    assert len(commands) == 3, commands  # venv, pip install, import check: built once

    # A session start with the environment ready does nothing, and says nothing.
    start_event = {"hook_event_name": "SessionStart", "source": "startup", "cwd": str(stk)}
    assert finish(installed.start("SessionStart", stk, start_event)) == (0, "", "")

    warm = []
    for _ in range(5):
        started = time.perf_counter()
        assert finish(installed.edit(models, stk)) == (0, "", "")  # clean: silent
        warm.append(time.perf_counter() - started)
    elsewhere = []
    for path in flask_files * 2:
        started = time.perf_counter()
        assert finish(installed.edit(path, flask)) == (0, "", "")  # not stk: silent
        elsewhere.append(time.perf_counter() - started)

    # Broken environments: exit 0 with one line, never 2, never 127.
    no_python = tmp_path / "no-python"
    no_python.mkdir()
    for tool in ("sh", "dirname"):
        (no_python / tool).symlink_to(shutil.which(tool))
    code, _, stderr = finish(installed.edit(views, stk, {**installed.env, "PATH": str(no_python)}))
    assert (code, stderr) == (
        0,
        "stk-lint plugin: not checked: no python3 on PATH (stk-lint needs Python 3.11+)\n",
    )
    offline = {key: value for key, value in installed.env.items() if key != "PIP_FIND_LINKS"}
    offline.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")  # pip finds nothing
    for _ in range(2):  # the second edit does not try the build again
        code, _, stderr = finish(installed.edit(views, stk, offline, tmp_path / "fresh-data"))
        assert code == 0
        [line] = stderr.splitlines()
        assert line.startswith(
            "stk-lint plugin: not checked: its environment could not be built"
        ), line
    [environment] = [p for p in envs.iterdir() if p.is_dir() and p.name[0] != "."]
    [site_packages] = (environment / "lib").glob("python3*/site-packages")
    shutil.rmtree(site_packages / "libcst")  # the hook reports its own failure
    code, _, stderr = finish(installed.edit(views, stk))
    assert code == 0
    [line] = stderr.splitlines()
    assert line.startswith("stk-lint hook: not checked: ModuleNotFoundError"), line
    (site_packages / "stk_lint" / "entry.py").unlink()  # the checker cannot even start
    code, _, stderr = finish(installed.edit(views, stk))
    assert code == 0
    [line] = stderr.splitlines()
    assert line.startswith("stk-lint plugin: not checked: "), line
    assert "exited with 1: ModuleNotFoundError" in line
    print(
        f"\ninstalled hook on the sample app: cold first edit (environment built, two "
        f"sessions at once) {cold:.1f} s; warm edits {', '.join(f'{t:.2f}' for t in warm)} s;"
        f" edits in a Flask project {', '.join(f'{t:.2f}' for t in elsewhere)} s"
    )


@pytest.mark.slow
def test_the_installed_plugins_language_server(tmp_path):
    """The lspServers entry of the installed plugin, started as Claude Code starts it, on
    a machine without stk-lint: it builds its environment, then answers as a language
    server (initialize, diagnostics for an open document, shutdown and exit)."""
    import asyncio

    from lsprotocol import types
    from pytest_lsp.client import make_test_lsp_client

    claude = shutil.which("claude")
    if claude is None:
        pytest.skip("the Claude Code CLI is not installed")
    installed = InstalledPlugin.install(claude, tmp_path)
    [server] = _json(installed.root / ".claude-plugin" / "plugin.json")["lspServers"].values()
    assert server["extensionToLanguage"][".py"] == "python"
    command = [
        arg.replace("${CLAUDE_PLUGIN_ROOT}", str(installed.root))
        for arg in [server["command"], *server["args"]]
    ]
    project = tmp_path / "stk-project"
    views, _ = stk_project(project)
    env = {
        **installed.env,
        "CLAUDE_PLUGIN_ROOT": str(installed.root),
        "CLAUDE_PLUGIN_DATA": str(installed.data),
        "CLAUDE_PROJECT_DIR": str(project),
    }

    async def session() -> list[types.Diagnostic]:
        client = make_test_lsp_client()
        await client.start_io(*command, env=env, cwd=str(project))
        await client.initialize_session(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=project.as_uri()
            )
        )
        uri = views.as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri, "python", 1, views.read_text())
            )
        )
        for _ in range(3000):
            if uri in client.diagnostics:
                break
            await asyncio.sleep(0.05)
        found = list(client.diagnostics.get(uri, []))
        await client.shutdown_session()
        await client.stop()
        return found

    diagnostics = asyncio.run(asyncio.wait_for(session(), timeout=600))
    assert [(d.code, d.range.start.line, d.range.start.character) for d in diagnostics] == [
        ("STK202", 68, 8)
    ]
