"""The Claude Code plugin in skill/ and the marketplace entry that points at it."""

import json
import os
import re
import shutil
import subprocess
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
