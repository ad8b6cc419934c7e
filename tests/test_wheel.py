"""A built wheel carries the skill, and `stk-lint skill` works from it (slow: builds a wheel)."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from stk_lint.skill import skill_files

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "SKILL.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("references", "stk_lint"):
        # symlinks=True keeps stk_lint/_skill's links, which point at the copied top level.
        shutil.copytree(
            ROOT / name, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    [built] = out.glob("stk_lint-*.whl")
    return built


def test_the_wheel_contains_the_skill(wheel):
    with zipfile.ZipFile(wheel) as archive:
        for relative in skill_files(ROOT):
            member = f"stk_lint/_skill/{relative.as_posix()}"
            assert archive.read(member) == (ROOT / relative).read_bytes(), member


def test_install_and_validate_work_from_the_wheel(wheel, tmp_path):
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    assert not (unpacked / "stk_lint" / "_skill" / "SKILL.md").is_symlink()
    project = tmp_path / "project"
    project.mkdir()
    env = {"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"}
    where = subprocess.run(
        [sys.executable, "-c", "import stk_lint.skill as s; print(s.packaged_skill())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert where.stdout.strip() == str(unpacked / "stk_lint" / "_skill")  # not the checkout
    for command in (["skill", "validate"], ["skill", "install", "--project", str(project)]):
        done = subprocess.run(
            [sys.executable, "-m", "stk_lint", *command],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    installed = project / ".claude" / "skills" / "stk-dev" / "SKILL.md"
    assert installed.read_bytes() == (ROOT / "SKILL.md").read_bytes()
