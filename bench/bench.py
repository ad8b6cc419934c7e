"""How fast is `stk-lint check`, against the cost of parsing with libcst?

    python bench/bench.py                           # synthetic corpus at 1x, 4x, 16x (+ sample)
    python bench/bench.py --corpus sample           # the stk-style code in tests/
    python bench/bench.py --corpus /usr/lib/python3.11 --repeat 3
    python bench/bench.py --corpus fixes --fixes 40000  # --fix against check, one file

For each corpus, in one run and on the same files, every measurement a fresh process:
  (a) the floor: a process that imports libcst, reads every Python file stk-lint
      checks and runs `libcst.parse_module` on each (its parse-only time is shown too)
  (b) `stk-lint check` cold (no cache), 1 process
  (c) cold with `--jobs 2`
  (d) a warm re-run with the cache (nothing changed)
  (e) one file, the way the Claude Code hook runs it after an edit: a fresh
      `stk-lint hook claude` process reading the Edit's JSON on stdin, for a file
      just changed
  (f) `python -c "import libcst"`
With `--corpus fixes` (part of the default run): one generated module with `--fixes`
safe fixes (STK501 icon names), `stk-lint check --fix` against `stk-lint check` of the
same file, each a fresh process on a fresh copy; applying the fixes must stay linear
in their number (the ratio stays near 2: a check, the fixes, a re-parse, a re-check).
The commands take turns, `--repeat` rounds after one warm-up round (at least seven,
`--quick-rounds`, for the quick ones: (d), (e), (f) and the start-up); the minimum is
reported (the machine is shared and noisy: the minimum is the run least disturbed),
the median beside it. Peak RSS is the largest resident size of any process in the run's tree
(os.wait4). Outputs of (b), (c), (d) and of (b) with the pre-parse skips off are
compared: they must be identical (but that without skips, libcst's own parse failures on
valid Python show in files no rule needs: listed apart).

Children run with PYTHONPYCACHEPREFIX pointing to a scratch folder, so bytecode is
cached as it is for a normal install even when PYTHONDONTWRITEBYTECODE is set.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import make_corpus  # noqa: E402

from stk_lint.pipeline import LIBCST_ONLY  # noqa: E402

FLOOR_SCRIPT = """
import sys, time
start = time.perf_counter()
import libcst
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
parse = 0.0
for path in paths:
    try:
        with open(path, "rb") as handle:
            source = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        continue
    began = time.perf_counter()
    try:
        libcst.parse_module(source)
    except Exception:
        pass
    parse += time.perf_counter() - began
print(parse)
"""


# The `stk-lint` console script (stk_lint.entry), as Claude Code starts it for the hook.
HOOK_SCRIPT = "from stk_lint.entry import main; main()"


@dataclass
class Measure:
    times: list[float]
    rss_kb: int
    stdout: str
    outputs: list[str]
    # CPU seconds (user + system) of the process and its workers, per run: steadier than
    # wall time when other tenants of the machine take turns on its cores.
    cpu: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def best_cpu(self) -> float:
        return min(self.cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def run_once(
    command: list[str], cwd: Path, env: dict[str, str], stdin: Path | None = None
) -> tuple[float, int, str, int, float]:
    """Wall time, peak RSS (kB) of the process tree, stdout, exit status, CPU time (user
    and system, of the process and the children it waited for)."""
    with tempfile.TemporaryFile() as out, open(stdin or os.devnull, "rb") as feed:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=feed, stdout=out, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode() if process.stderr else ""
        if process.stderr:
            process.stderr.close()
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
    # 2 is the Claude Code hook's "findings" answer; elsewhere it means an error.
    if process.returncode not in ((0, 1, 2) if stdin else (0, 1)):
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr}")
    return elapsed, usage.ru_maxrss, stdout, process.returncode, usage.ru_utime + usage.ru_stime


# Commands that take about a second or less (the warm run, the hook, importing libcst,
# start-up) get at least this many rounds (`--quick-rounds`): one round of a sub-second
# command is mostly noise here.
QUICK_ROUNDS = 7


def measure_round_robin(
    commands: dict[str, tuple[Any, ...]],
    cwd: Path,
    env: dict[str, str],
    repeat: int,
    quick: tuple[str, ...] = (),
    quick_rounds: int = QUICK_ROUNDS,
) -> dict[str, Measure]:
    """Each command `repeat` times (the `quick` ones at least `quick_rounds` times), taking
    turns, so a noisy spell on the machine hits every measurement alike; one warm-up
    round first, not counted. A command is (argv, a function to call before each run or
    None[, a file to feed on stdin])."""
    results = {name: Measure([], 0, "", []) for name in commands}
    for attempt in range(max(repeat, quick_rounds if quick else 0) + 1):
        for name, (command, before, *stdin) in commands.items():
            if attempt > repeat and name not in quick:
                continue
            if before is not None:
                before()
            elapsed, peak, stdout, _, cpu = run_once(command, cwd, env, *stdin)
            result = results[name]
            result.stdout = stdout
            if attempt:
                result.times.append(elapsed)
                result.cpu.append(cpu)
                result.outputs.append(stdout)
                result.rss_kb = max(result.rss_kb, peak)
    return results


def python_files(corpus: Path) -> list[Path]:
    """The Python files `stk-lint check CORPUS` checks (same discovery)."""
    from stk_lint.config import Settings
    from stk_lint.files import discover

    settings = Settings(root=corpus)
    return [path for path, language in discover([corpus], settings) if language == "python"]


def count_lines(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += path.read_bytes().count(b"\n")
    return total


def stk_lint(*args: str) -> list[str]:
    return [sys.executable, "-m", "stk_lint", "check", *args]


def bench_corpus(
    name: str, corpus: Path, work: Path, repeat: int, jobs: int, quick_rounds: int = QUICK_ROUNDS
) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["PYTHONPATH"] = str(REPO)
    cwd = work / f"cwd-{name}"  # no pyproject.toml: the cache lives here
    shutil.rmtree(cwd, ignore_errors=True)
    cwd.mkdir(parents=True)
    corpus = corpus.resolve()
    files = python_files(corpus)
    if not files:
        raise SystemExit(f"{corpus}: no Python files")
    lines = count_lines(files)
    listing = work / f"{name}-files.txt"
    listing.write_text("\n".join(str(p) for p in files), encoding="utf-8")
    quiet = ["--output-format", "json", "--exit-zero"]
    target = str(corpus)

    no_skip = run_once(
        stk_lint(target, "--no-cache", "--jobs", str(jobs), "--no-skip", *quiet), cwd, env
    )
    shutil.rmtree(cwd / ".stk_lint_cache", ignore_errors=True)
    run_once(stk_lint(target, "--jobs", str(jobs), *quiet), cwd, env)  # fill the cache

    # The hook: one file, just edited (so its cache entry no longer matches).
    hook_file = cwd / "edited.py"
    source = sorted(files, key=lambda p: p.stat().st_size)[len(files) // 2]
    original = source.read_bytes()
    counter = iter(range(10**6))

    def edit() -> None:
        hook_file.write_bytes(original + f"\n# edit {next(counter)}\n".encode())

    # What Claude Code sends the PostToolUse hook after an Edit of that file.
    hook_input = cwd / "hook-input.json"
    hook_input.write_text(
        json.dumps(
            {"tool_name": "Edit", "tool_input": {"file_path": str(hook_file)}, "cwd": str(cwd)}
        )
    )
    hook_command = [sys.executable, "-c", HOOK_SCRIPT, "hook", "claude"]
    empty = cwd / "empty"
    empty.mkdir(exist_ok=True)
    measured = measure_round_robin(
        {
            "floor": ([sys.executable, "-c", FLOOR_SCRIPT, str(listing)], None),
            "cold": (stk_lint(target, "--no-cache", "--jobs", "1", *quiet), None),
            "parallel": (stk_lint(target, "--no-cache", "--jobs", str(jobs), *quiet), None),
            "warm": (stk_lint(target, *quiet), None),
            "hook": (hook_command, edit, hook_input),
            "import_libcst": ([sys.executable, "-c", "import libcst"], None),
            "startup": (stk_lint(str(empty), "--no-cache", *quiet), None),
        },
        cwd,
        env,
        repeat,
        quick=("warm", "hook", "import_libcst", "startup"),
        quick_rounds=quick_rounds,
    )
    floor, cold, parallel, warm = (measured[k] for k in ("floor", "cold", "parallel", "warm"))
    hook, import_libcst, startup = (measured[k] for k in ("hook", "import_libcst", "startup"))
    parse_only = min(float(text.strip() or "0") for text in floor.outputs)

    skips_agree, skip_differences, unparsed = _compare_skips(cold.stdout, no_skip[2])
    identical = {
        "jobs": parallel.stdout == cold.stdout,
        "warm": warm.stdout == cold.stdout,
        "skips": skips_agree,
    }
    return {
        "name": name,
        "files": len(files),
        "lines": lines,
        "floor": floor,
        "parse_only": parse_only,
        "cold": cold,
        "parallel": parallel,
        "warm": warm,
        "hook": hook,
        "hook_lines": original.count(b"\n"),
        "import_libcst": import_libcst,
        "startup": startup,
        "identical": identical,
        "skip_differences": skip_differences,
        "unparsed_without_skips": unparsed,
        "findings": cold.stdout.count('"code":'),
    }


def _compare_skips(with_skips: str, without: str) -> tuple[bool, list[str], list[str]]:
    """Whether two JSON outputs have the same findings; the findings in only one, as `+`
    (only without skips) / `-` lines; and the files only the run without skips reports
    as valid Python that libcst cannot parse.

    Those are no loss: with skips, a file no enabled rule could fire on is not given to
    libcst at all (CPython's parser checks its syntax), so libcst's own gaps show only
    where a rule needs its tree; without skips every file needs it."""
    ours, theirs = json.loads(with_skips or "[]"), json.loads(without or "[]")
    unparsed = [
        f
        for f in theirs
        if f["code"] == "STK001" and f["message"].startswith(LIBCST_ONLY) and f not in ours
    ]
    theirs = [f for f in theirs if f not in unparsed]

    def keyed(findings: list[dict]) -> set[str]:
        return {
            f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['message'][:80]}"
            for f in findings
        }

    only_ours, only_theirs = keyed(ours) - keyed(theirs), keyed(theirs) - keyed(ours)
    differences = sorted(f"- {x}" for x in only_ours) + sorted(f"+ {x}" for x in only_theirs)
    return ours == theirs, differences, [f["path"] for f in unparsed]


def report(result: dict, jobs: int) -> str:
    r = result
    a, b, c, d = r["floor"], r["cold"], r["parallel"], r["warm"]
    e, f, g = r["hook"], r["import_libcst"], r["startup"]
    lines = r["lines"]
    per_line = (b.best / lines) * 1e6
    per_line_net = ((b.best - g.best) / lines) * 1e6
    out = [
        f"== {r['name']}: {r['files']} Python files, {lines} lines, {r['findings']} findings",
        f"  (a) libcst floor (process)   {a.best:8.3f}s  median {a.median:8.3f}s  "
        f"(parse alone {r['parse_only']:.3f}s)  RSS {a.rss_kb / 1024:6.1f} MB",
        f"  (b) cold, 1 process          {b.best:8.3f}s  median {b.median:8.3f}s  RSS {b.rss_kb / 1024:6.1f} MB",
        f"  (c) cold, --jobs {jobs}          {c.best:8.3f}s  median {c.median:8.3f}s  RSS {c.rss_kb / 1024:6.1f} MB (largest process)",
        f"  (d) warm, cache              {d.best:8.3f}s  median {d.median:8.3f}s  RSS {d.rss_kb / 1024:6.1f} MB",
        f"  (e) one-file hook ({r['hook_lines']} lines) {e.best:8.3f}s  median {e.median:8.3f}s  RSS {e.rss_kb / 1024:6.1f} MB",
        f"  (f) python -c 'import libcst' {f.best:8.3f}s  median {f.median:8.3f}s",
        f"      stk-lint on an empty dir {g.best:8.3f}s  (start-up)",
        f"  ratios: b/a {b.best / a.best:.2f} (target <= 1.3)   c/a {c.best / a.best:.2f} (<= 0.75)   "
        f"d/b {d.best / b.best:.3f} (<= 0.05)   e/f {e.best / f.best:.2f} (<= 1.5)",
        f"  without fixed start-up (stk-lint minus its empty run, floor minus import libcst): "
        f"b/a {(b.best - g.best) / max(a.best - f.best, 1e-9):.2f}   "
        f"c/a {(c.best - g.best) / max(a.best - f.best, 1e-9):.2f}",
        f"  CPU time (user + system, all processes; steadier on a shared machine): "
        f"a {a.best_cpu:.3f}s  b {b.best_cpu:.3f}s  c {c.best_cpu:.3f}s  "
        f"b/a {b.best_cpu / a.best_cpu:.2f}  c/a {c.best_cpu / a.best_cpu:.2f} (both processes)",
        f"  time per line: {per_line:.1f} us (cold, whole process); {per_line_net:.1f} us without start-up",
        f"  peak RSS: {max(b.rss_kb, c.rss_kb, d.rss_kb) / 1024:.1f} MB (target <= 300)",
        "  identical with and without skips: "
        + ("yes" if r["identical"]["skips"] else "NO")
        + f"; --jobs {jobs} vs 1: "
        + ("yes" if r["identical"]["jobs"] else "NO")
        + "; warm vs cold: "
        + ("yes" if r["identical"]["warm"] else "NO"),
    ]
    for path in r["unparsed_without_skips"]:
        out.append(
            f"    valid Python libcst cannot parse, needed by no rule (reported without skips only): {path}"
        )
    for line in r["skip_differences"]:
        out.append(
            f"    differs ({'only without skips' if line[0] == '+' else 'only with skips'}): {line[2:]}"
        )
    return "\n".join(out)


def bench_fixes(work: Path, count: int, repeat: int) -> str:
    """`check --fix` against `check` on one module with `count` safe fixes."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["PYTHONPATH"] = str(REPO)
    folder = work / "fixes"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = "".join(f'i{n} = "mdi-pencil"\n' for n in range(count)).encode()
    target = folder / "icons.py"
    target.write_bytes(source)
    size_kb = str(len(source) // 1024 + 1)
    (folder / "pyproject.toml").write_text(f"[tool.stk-lint]\nmax-file-size-kb = {size_kb}\n")

    def fresh_copy() -> None:
        target.write_bytes(source)

    measured = measure_round_robin(
        {
            "check": (stk_lint(str(target), "--no-cache", "--exit-zero", "-q"), fresh_copy),
            "fix": (stk_lint(str(target), "--no-cache", "--exit-zero", "-q", "--fix"), fresh_copy),
        },
        folder,
        env,
        max(1, min(repeat, 3)),
    )
    check, fix = measured["check"], measured["fix"]
    fixed = target.read_bytes() == source.replace(b"mdi-pencil", b"ti ti-pencil")
    return (
        f"== fixes: one module, {count} lines, {count} safe fixes ({len(source) / 1024:.0f} KB)\n"
        f"  (g) check --fix              {fix.best:8.3f}s  median {fix.median:8.3f}s  "
        f"RSS {fix.rss_kb / 1024:6.1f} MB\n"
        f"      check                    {check.best:8.3f}s  median {check.median:8.3f}s  "
        f"RSS {check.rss_kb / 1024:6.1f} MB\n"
        f"  ratio fix/check {fix.best / check.best:.2f} (CPU {fix.best_cpu / check.best_cpu:.2f}); "
        f"every fix applied: {'yes' if fixed else 'NO'}"
    )


def sample_corpus() -> Path | None:
    for candidate in ("tests/sample_app", "tests/fixtures/stk_app", "tests/fixtures"):
        path = REPO / candidate
        if path.is_dir() and any(path.rglob("*.py")):
            return path
    return None


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    import libcst  # noqa: F401  (its version, for the record)

    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"libcst {version('libcst')}, {platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus",
        action="append",
        help="'synthetic', 'sample', 'fixes' or a directory (repeatable; default: all three "
        "named ones)",
    )
    parser.add_argument(
        "--fixes", type=int, default=20_000, help="safe fixes in the 'fixes' module"
    )
    parser.add_argument("--scales", default="1,4,16", help="synthetic corpus sizes")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--quick-rounds",
        type=int,
        default=QUICK_ROUNDS,
        help="at least this many rounds for the sub-second commands (d), (e), (f)",
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="stk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"repeat: {args.repeat} (+1 warm-up), minimum reported; scratch: {work}")
    corpora = args.corpus or ["synthetic", "sample", "fixes"]
    per_line = []

    def measure(name: str, folder: Path) -> dict:
        """Benchmark one corpus and print its report."""
        result = bench_corpus(name, folder, work, args.repeat, args.jobs, args.quick_rounds)
        print(report(result, args.jobs), flush=True)
        return result

    for corpus in corpora:
        if corpus == "synthetic":
            for scale in (int(s) for s in args.scales.split(",")):
                folder = work / f"synthetic-{scale}x"
                shutil.rmtree(folder, ignore_errors=True)
                make_corpus.generate(folder, scale)
                per_line.append((scale, measure(f"synthetic {scale}x", folder)))
        elif corpus == "fixes":
            print(bench_fixes(work, args.fixes, args.repeat), flush=True)
        elif corpus == "sample":
            folder = sample_corpus()
            if folder is None:
                print("== sample: no stk sample code in this checkout (tests/sample_app)")
                continue
            measure("sample", folder)
        else:
            # A copy: the tree may sit under a .gitignore (pyenv ignores its versions/),
            # and the measured runs must not depend on where it lives.
            folder = work / "tree"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(
                corpus,
                folder,
                symlinks=True,
                ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc"),
            )
            measure(Path(corpus).name or corpus, folder)
    if len(per_line) > 1:
        values = [r["cold"].best / r["lines"] for _, r in per_line]
        net = [(r["cold"].best - r["startup"].best) / r["lines"] for _, r in per_line]
        print(
            "time per line across synthetic sizes: "
            + ", ".join(
                f"{s}x {v * 1e6:.1f} us" for (s, _), v in zip(per_line, values, strict=True)
            )
            + f"; spread {max(values) / min(values) - 1:.0%} whole process, "
            f"{max(net) / min(net) - 1:.0%} without start-up (target <= 20%)"
        )
        cpu = [r["cold"].best_cpu / r["lines"] for _, r in per_line]
        print(
            "CPU time per line (cold, 1 process): "
            + ", ".join(f"{s}x {v * 1e6:.1f} us" for (s, _), v in zip(per_line, cpu, strict=True))
            + f"; spread {max(cpu) / min(cpu) - 1:.0%}"
        )
        # The cost of each extra line, between consecutive sizes: fixed costs (starting
        # Python, importing libcst) cancel out.
        marginal = [
            (r2["cold"].best - r1["cold"].best) / (r2["lines"] - r1["lines"])
            for (_, r1), (_, r2) in itertools.pairwise(per_line)
        ]
        floor_marginal = [
            (r2["floor"].best - r1["floor"].best) / (r2["lines"] - r1["lines"])
            for (_, r1), (_, r2) in itertools.pairwise(per_line)
        ]
        print(
            "marginal time per line (between sizes): "
            + ", ".join(f"{v * 1e6:.1f} us" for v in marginal)
            + f" (spread {max(marginal) / min(marginal) - 1:.0%}); floor: "
            + ", ".join(f"{v * 1e6:.1f} us" for v in floor_marginal)
        )
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
