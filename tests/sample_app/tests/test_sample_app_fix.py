"""`stk-lint check --fix` end to end on the broken sample app.

The broken variant has one violation per rule. Fixing it must remove exactly the
fixable findings, leave every other one, write files that still parse, be stable on a
second run, and restore the very lines a user would have written: the clean app's.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import broken_variant
import jinja2
import pytest

# Rules whose violation in the patch set has a fix, by applicability.
SAFE = {"STK101", "STK202", "STK301", "STK401", "STK501", "STK900"}
UNSAFE = {"STK201"}


def stk_lint(root: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "stk_lint", "check", "stk", "--extend-select", "STK900"]
    return subprocess.run([*command, *args], cwd=root, capture_output=True, text=True, check=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted((root / "stk").rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def fix(root: Path, unsafe: bool) -> list[dict]:
    """Run `--fix` (JSON: the remaining findings) and return them."""
    args = ["--fix", "--output-format", "json"] + (["--unsafe-fixes"] if unsafe else [])
    result = stk_lint(root, *args)
    assert result.returncode == 1, result.stderr  # the unfixable findings remain
    return json.loads(result.stdout)


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    assert before.keys() == after.keys(), "fixing must not create or delete files"
    return [name for name in before if before[name] != after[name]]


def assert_parses(root: Path, name: str) -> None:
    text = (root / name).read_text(encoding="utf-8")
    if name.endswith(".py"):
        ast.parse(text, name)
    elif name.endswith(".html"):
        jinja2.Environment().parse(text)


@pytest.fixture(scope="module")
def broken_findings():
    return broken_variant.current_findings()


@pytest.mark.parametrize("unsafe", [False, True], ids=["fix", "unsafe-fixes"])
def test_fix_removes_the_fixable_findings_and_restores_the_clean_lines(
    tmp_path, broken_findings, unsafe
):
    root = broken_variant.build(tmp_path)
    before = snapshot(root)
    fixed_codes = SAFE | UNSAFE if unsafe else SAFE

    remaining = fix(root, unsafe)

    expected = [f for f in broken_variant.pinned(broken_findings) if f["code"] not in fixed_codes]
    assert broken_variant.pinned(remaining) == expected
    after = snapshot(root)
    changed = changed_files(before, after)
    assert changed, "nothing was fixed"
    for name in changed:
        assert_parses(root, name)

    # Each fixed violation's edits are undone: the clean app's text is back, exactly.
    # The violations left alone keep their text.
    for violation in broken_variant.load_violations():
        if "edits" not in violation:
            continue
        text = (root / violation["file"]).read_text(encoding="utf-8")
        for edit in violation["edits"]:
            if violation["rule"] in fixed_codes:
                assert edit["find"] in text, (violation["rule"], edit["find"])
            else:
                assert edit["replace"] in text, (violation["rule"], edit["replace"])

    # A second run finds nothing more to fix and writes nothing.
    assert broken_variant.pinned(fix(root, unsafe)) == expected
    assert snapshot(root) == after


def test_fixing_the_fixable_violations_gives_back_the_clean_app(tmp_path):
    """Only the fixable violations applied: `--fix --unsafe-fixes` must restore the app
    byte for byte, so the fixed code is exactly what the sample app's own tests pass on."""
    fixable = [v for v in broken_variant.load_violations() if v["rule"] in SAFE | UNSAFE]
    assert {v["rule"] for v in fixable} == SAFE | UNSAFE
    root = broken_variant.build(tmp_path, fixable)
    clean = {
        name: data
        for name, data in snapshot(broken_variant.HERE).items()
        if not name.endswith(".pyc")
    }
    assert snapshot(root) != clean

    result = stk_lint(root, "--fix", "--unsafe-fixes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot(root) == clean

    # And the fixed package imports and builds its app.
    probe = "from stk.app import create_app; create_app({'TESTING': True}); print('ok')"
    imported = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False
    )
    assert imported.stdout.strip() == "ok", imported.stderr
