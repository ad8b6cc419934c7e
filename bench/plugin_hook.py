"""How long does the installed Claude Code plugin take per edit?

    python bench/plugin_hook.py                  # 3 cold rounds, 7 warm rounds
    python bench/plugin_hook.py --cold 1 --warm 15

Installs the plugin as a new user does (tests/installed_plugin.py: the real `claude` CLI
on PATH, a fresh HOME, stk-lint nowhere on PATH, the README's two commands on a clone of
the last commit), then runs its PostToolUse hook exactly as hooks.json says, on a copy of
the sample app with one `await` dropped from a view:

  cold   the first edit with an empty data folder: the environment is built (venv, pip
         install from the machine's configured index) while the edit waits, then the
         file is checked; each round starts from an empty folder
  warm   an edit of the view with the finding (exit 2), of a clean model (exit 0), of a
         Flask project's app.py (not an stk project: exit 0 before any checker runs), and
         the plugin's checker alone (`<env>/bin/python -I -m stk_lint hook claude` on the
         clean model: the difference is the plugin's own cost)

Minimum and median of the rounds; wall time of the whole hook command.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from installed_plugin import (
    InstalledPlugin,
    edit_event,
    flask_project,
    stk_project,
)


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _report(name: str, times: list[float]) -> None:
    print(
        f"  {name:<44} min {min(times):6.2f} s   median {statistics.median(times):6.2f} s"
        f"   ({len(times)} rounds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", type=int, default=3, help="cold rounds (default 3)")
    parser.add_argument("--warm", type=int, default=7, help="warm rounds (default 7)")
    options = parser.parse_args()
    claude = shutil.which("claude")
    if claude is None:
        sys.exit("the Claude Code CLI (`claude`) is not on PATH")
    with tempfile.TemporaryDirectory(prefix="stk-lint-plugin-bench-") as scratch:
        scratch = Path(scratch)
        installed = InstalledPlugin.install(claude, scratch)
        stk = scratch / "stk-project"
        views, models = stk_project(stk)
        flask = scratch / "flask-project"
        [app, _] = flask_project(flask)

        def edit(path: Path, project: Path, expected: int) -> None:
            code, _, stderr = installed.finish(installed.edit(path, project))
            if code != expected:
                raise SystemExit(f"{path}: exit {code}, expected {expected}: {stderr}")

        cold = []
        for _ in range(options.cold):
            shutil.rmtree(installed.data, ignore_errors=True)
            cold.append(_timed(lambda: edit(views, stk, 2)))
        [environment] = [
            p for p in (installed.data / "envs").iterdir() if p.is_dir() and p.name[0] != "."
        ]
        payload = edit_event(models, stk)

        def checker_alone() -> None:
            subprocess.run(
                [str(environment / "bin" / "python"), "-I", "-m", "stk_lint", "hook", "claude"],
                input=json.dumps(payload),
                capture_output=True,
                text=True,
                cwd=stk,
                check=True,
            )

        rounds = {
            "view with a finding (exit 2)": lambda: edit(views, stk, 2),
            "clean model (exit 0)": lambda: edit(models, stk, 0),
            "Flask project's app.py (not stk, exit 0)": lambda: edit(app, flask, 0),
            "checker alone on the clean model": checker_alone,
        }
        warm: dict[str, list[float]] = {name: [] for name in rounds}
        for _ in range(options.warm):  # in turns, so load on the machine hits all alike
            for name, run in rounds.items():
                warm[name].append(_timed(run))
    print("cold: first edit, environment built while it waits")
    _report("view with a finding (exit 2)", cold)
    print("warm: per edit")
    for name, times in warm.items():
        _report(name, times)


if __name__ == "__main__":
    main()
