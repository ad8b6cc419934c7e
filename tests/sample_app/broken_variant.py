"""The broken variant of the sample app: build it, lint it, compare with the golden file.

    python tests/sample_app/broken_variant.py            # print what stk-lint says about it
    python tests/sample_app/broken_variant.py --write D  # leave the broken copy in D
    python tests/sample_app/broken_variant.py --update   # rewrite broken/expected.json

`--update` prints the diff of the golden file: read it before committing. A finding that
moved, vanished or appeared is a change in stk-lint's recall or positions, not noise.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
APP = HERE / "stk"
VIOLATIONS = HERE / "broken" / "violations.yaml"
EXPECTED = HERE / "broken" / "expected.json"


class PatchError(Exception):
    """The patch set no longer fits the app (a `find` text is missing or ambiguous)."""


def load_violations(path: Path = VIOLATIONS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build(destination: Path, violations: list[dict] | None = None) -> Path:
    """Copy the app to `destination`/stk and apply every violation. Returns `destination`."""
    violations = load_violations() if violations is None else violations
    shutil.copytree(APP, destination / "stk", ignore=shutil.ignore_patterns("__pycache__"))
    for violation in violations:
        if "create" in violation:
            target = destination / violation["create"]["path"]
            if target.exists():
                raise PatchError(f"{violation['rule']}: {target.name} exists already")
            target.parent.mkdir(parents=True, exist_ok=True)
            created = violation["create"]
            data = created["bytes"] if "bytes" in created else created["text"].encode()
            target.write_bytes(data)
            continue
        target = destination / violation["file"]
        text = target.read_text(encoding="utf-8")
        for edit in violation["edits"]:
            count = text.count(edit["find"])
            if count != 1:
                raise PatchError(
                    f"{violation['rule']}: {edit['find']!r} occurs {count} times "
                    f"in {violation['file']}, expected once"
                )
            text = text.replace(edit["find"], edit["replace"])
        target.write_text(text, encoding="utf-8")
    return destination


def lint(root: Path, output_format: str = "json") -> subprocess.CompletedProcess:
    """`stk-lint check stk` from `root`, so finding paths read `stk/...`; the opt-in
    STK900 is selected too, so every rule has its say."""
    command = [sys.executable, "-m", "stk_lint", "check", "stk", "--extend-select", "STK900"]
    return subprocess.run(
        [*command, "--output-format", output_format],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def pinned(findings: list[dict]) -> list[dict]:
    """What the golden file pins of each finding: rule, file and line."""
    rows = [{"code": f["code"], "path": f["path"], "line": f["line"]} for f in findings]
    return sorted(rows, key=lambda row: (row["path"], row["line"], row["code"]))


def current_findings() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="stk-broken-") as temp:
        result = lint(build(Path(temp)))
    if result.returncode not in (0, 1):
        raise RuntimeError(f"stk-lint failed ({result.returncode}): {result.stderr}")
    return json.loads(result.stdout)


def golden_text(findings: list[dict]) -> str:
    """One finding per line, so a review diff shows exactly what changed."""
    rows = [json.dumps(row) for row in pinned(findings)]
    return "[\n" + ",\n".join(f"  {row}" for row in rows) + "\n]\n" if rows else "[]\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--update", action="store_true", help="rewrite broken/expected.json")
    group.add_argument("--write", type=Path, metavar="DIR", help="leave the broken copy in DIR")
    args = parser.parse_args(argv)

    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        build(args.write)
        print(f"Broken copy in {args.write}: run `stk-lint check {args.write / 'stk'}`")
        return 0
    if args.update:
        new = golden_text(current_findings())
        old = EXPECTED.read_text(encoding="utf-8") if EXPECTED.exists() else ""
        diff = difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), "old", "new"
        )
        sys.stdout.writelines(diff)
        EXPECTED.write_text(new, encoding="utf-8")
        print(f"\nWrote {EXPECTED.relative_to(HERE.parents[1])}: review the diff above.")
        return 0
    with tempfile.TemporaryDirectory(prefix="stk-broken-") as temp:
        result = lint(build(Path(temp)), output_format="text")
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
