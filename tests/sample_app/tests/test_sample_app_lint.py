"""stk-lint against the sample app: the clean app passes, the broken variant is pinned."""

import json
import subprocess
import sys
from pathlib import Path

import broken_variant
import pytest

from stk_lint.registry import BY_CODE

REPO = Path(__file__).resolve().parents[3]
REGENERATE = "python tests/sample_app/broken_variant.py --update"


def stk_lint(*args):
    return subprocess.run(
        [sys.executable, "-m", "stk_lint", "check", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_sample_app_lints_clean():
    result = stk_lint("tests/sample_app", "--output-format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []

    text = stk_lint("tests/sample_app")
    assert text.returncode == 0
    assert text.stdout.startswith("All checks passed!")


@pytest.fixture(scope="module")
def broken_findings():
    return broken_variant.current_findings()


def test_broken_variant_findings_match_the_golden_file(broken_findings):
    expected = json.loads(broken_variant.EXPECTED.read_text(encoding="utf-8"))
    actual = broken_variant.pinned(broken_findings)
    assert actual == expected, (
        "stk-lint's findings on the broken sample app changed. If the change is intended, "
        f"run `{REGENERATE}` and review the diff it prints before committing."
    )


def test_every_registered_rule_has_a_violation_in_the_patch_set():
    covered = {violation["rule"] for violation in broken_variant.load_violations()}
    assert set(BY_CODE) <= covered, sorted(set(BY_CODE) - covered)


def test_each_violation_is_found_in_its_own_file(broken_findings):
    found = {(f["code"], f["path"]) for f in broken_findings}
    for violation in broken_variant.load_violations():
        if violation["rule"] not in BY_CODE:
            continue  # a rule still being written; its violation is ready for it
        path = violation["create"]["path"] if "create" in violation else violation["file"]
        assert (violation["rule"], path) in found, violation


def test_the_patch_set_refuses_a_find_text_that_no_longer_fits(tmp_path):
    stale = [
        {
            "rule": "STK301",
            "file": "stk/things/models.py",
            "edits": [{"find": "nope", "replace": ""}],
        }
    ]
    with pytest.raises(broken_variant.PatchError, match="occurs 0 times"):
        broken_variant.build(tmp_path, stale)
