"""The pre-commit hook manifest and the documented pre-commit + ruff set-up."""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from stk_lint.cli import main
from stk_lint.config import load_settings
from stk_lint.files import LANGUAGE_BY_SUFFIX
from stk_lint.skill import code_blocks

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def _hook():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return hook


def test_hook_manifest():
    hook = _hook()
    assert hook["id"] == "stk-lint"
    assert hook["language"] == "python"
    assert hook["entry"] == "stk-lint check --force-exclude"
    assert "types" not in hook  # `types` must all match; the languages are alternatives


@pytest.mark.parametrize("suffix", sorted(LANGUAGE_BY_SUFFIX))
def test_hook_types_cover_every_file_stk_lint_checks(suffix):
    identify = pytest.importorskip("identify.identify")
    tags = identify.tags_from_filename(f"example{suffix}")
    assert tags & set(_hook()["types_or"]), (suffix, tags)


def test_the_hook_entry_checks_the_files_it_is_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("pyproject.toml").write_text('[tool.stk-lint]\nextend-exclude = ["legacy/"]\n')
    Path("legacy").mkdir()
    for name in ("views.py", "legacy/old.py"):
        Path(name).write_text("from flask import Flask\n")
    args = shlex.split(_hook()["entry"])[1:]
    result = CliRunner().invoke(main, [*args, "views.py", "legacy/old.py"])
    assert result.exit_code == 1
    assert "views.py:1:6: STK101" in result.output
    assert "legacy/old.py" not in result.output  # excluded even though named


def test_example_pre_commit_config_runs_ruff_and_stk_lint():
    config = yaml.safe_load((EXAMPLES / "pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: repo["repo"] for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["ruff"] == "https://github.com/astral-sh/ruff-pre-commit"
    assert "stk-lint" in hooks


def _ruff(project: Path) -> subprocess.CompletedProcess:
    # Only pyflakes and the two families the example adds: ruff's own defaults change
    # between versions and are the project's business.
    command = ["check", "--no-cache", "--output-format", "concise", "--select", "F,ASYNC,TID251"]
    return subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def stk_project(tmp_path):
    if shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists():
        pytest.skip("ruff is not installed")
    shutil.copy(EXAMPLES / "pyproject-stk.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_example_ruff_settings_flag_flask_and_blocking_calls(stk_project):
    (stk_project / "views.py").write_text(
        "import time\n\n"
        "from flask_security import auth_required\n\n\n"
        "@auth_required('session')\n"
        "async def slow():\n"
        "    time.sleep(1)\n"
    )
    output = _ruff(stk_project).stdout
    assert "views.py:3:1: TID251 `flask_security` is banned: stk uses quart-security" in output
    assert "views.py:8:5: ASYNC251" in output


def test_the_skill_examples_pass_the_example_ruff_settings(stk_project):
    """ruff (pyflakes + ASYNC + banned imports) agrees with every Python example of the skill."""
    expected_bans = []
    for markdown in (ROOT / "SKILL.md", *sorted((ROOT / "references").glob("*.md"))):
        if markdown.name == "rules.md":
            continue  # the rules' own examples: some are wrong on purpose, tested per rule
        for block in code_blocks(markdown.read_text(encoding="utf-8"), markdown):
            if block.language != "python":
                continue
            name = f"{markdown.stem}_{block.line}.py"
            (stk_project / name).write_text(block.code, encoding="utf-8")
            if "STK101" in block.expect:
                expected_bans.append(name)
    done = _ruff(stk_project)
    flagged = sorted({line.split(":", 1)[0] for line in done.stdout.splitlines() if ".py:" in line})
    assert flagged == sorted(expected_bans), done.stdout
    assert expected_bans  # the Flask example is there, and ruff bans it too


def test_example_stk_lint_settings_load():
    settings = load_settings(EXAMPLES / "pyproject-stk.toml")
    assert "static/vendor/" in settings.extend_exclude


def test_hook_runs_serially():
    """stk-lint starts its own workers: batches run in parallel by pre-commit would each
    print a summary of their own, contradicting one another."""
    assert _hook()["require_serial"] is True


def _documented_stk_lint_repo(config: dict) -> dict:
    [repo] = [repo for repo in config["repos"] if "stk-lint" in repo["repo"]]
    return repo


def test_the_documented_rev_names_a_branch_that_exists():
    """No release tag exists: the example pins `main`, which `pre-commit autoupdate`
    turns into a commit SHA (tested for real below)."""
    text = (EXAMPLES / "pre-commit-config.yaml").read_text(encoding="utf-8")
    repo = _documented_stk_lint_repo(yaml.safe_load(text))
    assert repo["rev"] == "main"
    assert f"pre-commit autoupdate --repo {repo['repo']}" in text
    branches = subprocess.run(
        ["git", "branch", "--all", "--format=%(refname:short)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if branches.returncode != 0:
        pytest.skip("not a git checkout")
    assert {"main", "origin/main"} & set(branches.stdout.split())


@pytest.mark.slow
def test_pre_commit_runs_the_documented_config(tmp_path):
    """The example config, as its comments say to use it: the stk-lint entry pinned by
    `pre-commit autoupdate --repo`, then pre-commit installs stk-lint from the repository
    (a clone of this one's last commit) and runs it once over every file."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit is not installed")
    clone = tmp_path / "stk-lint"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.strip()
    config = yaml.safe_load((EXAMPLES / "pre-commit-config.yaml").read_text(encoding="utf-8"))
    documented = _documented_stk_lint_repo(config)
    documented["repo"] = str(clone)  # instead of the repository's URL
    # ruff's hooks come from GitHub, out of reach offline; they are pre-commit's business.
    config["repos"] = [documented]
    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    # Enough files for pre-commit to split them into batches were the hook not serial.
    for i in range(6):
        (project / f"views_{i}.py").write_text("from flask import Flask\n" if i % 2 else "x = 1\n")
    (project / "page.html").write_text('<i class="ti ti-home"></i>\n')
    (project / "notes.md").write_text("from flask import Flask\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    for command in (["git", "init", "-q"], ["git", "add", "."]):
        subprocess.run(command, cwd=project, check=True, env=env, timeout=60)

    def pre_commit_run(*args):
        return subprocess.run(
            [pre_commit, *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    done = pre_commit_run("autoupdate", "--repo", str(clone))
    assert done.returncode == 0, done.stdout + done.stderr
    pinned = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert pinned["repos"][0]["rev"] == head
    done = pre_commit_run("run", "stk-lint", "--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    for i in (1, 3, 5):
        assert f"views_{i}.py:1:6: STK101" in done.stdout
    summaries = [line for line in done.stdout.splitlines() if "checked" in line]
    # One run over the 7 files stk-lint checks (not notes.md), one summary.
    assert summaries == ["Found 3 errors in 7 files checked."], done.stdout
