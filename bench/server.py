"""How long does `stk-lint server` take from an edit to its diagnostics, and does it leak?

    python bench/server.py                 # 300 timed edits of each kind, 1,000 in all
    python bench/server.py --edits 100 --hook 5

A copy of the sample app gets a 300-line view module (its things views, then more
handlers of the same shape, one `await` dropped so there is always a finding). The server
is started as an editor starts it (`python -m stk_lint server` on stdio), the view is
opened, and after a warm-up of 20 edits each edit is sent as `textDocument/didChange` (the
whole text, version n) and timed until the `publishDiagnostics` of version n arrives, one
at a time:

  typing   a character typed in a string inside a handler (the module's facts for other
           modules do not change)
  line     a line added at the top (every line number below moves: the module's summary
           in the project index is replaced, and every cached resolution dropped)

The client is a Python process on the same machine: its own garbage is collected between
edits, outside the timings. Beside it, in the same run, the per-edit cost of the Claude Code hook on the same file
(`stk-lint hook claude`: a new process per edit, as Claude Code runs it). The server's
resident memory (VmRSS) is read after 100 and after 1,000 edits.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_APP = ROOT / "tests" / "sample_app"

HANDLER = """

@bp.get("/api/things/<int:thing_id>/extra-{n}")
async def extra_{n}(thing_id: int):
    thing = await g.db_session.get(Thing, thing_id)
    if thing is None:
        return {{"error": "not found", "n": {n}}}, 404
    log.info("extra %s for %s", {n}, thing.name)
    return {{"id": thing.id, "name": thing.name, "label": "extra {n}"}}
"""


def make_project(folder: Path) -> Path:
    shutil.copytree(SAMPLE_APP / "stk", folder / "stk")
    (folder / "pyproject.toml").write_text('[project]\nname = "stk-app"\nversion = "0"\n')
    views = folder / "stk" / "things" / "views.py"
    text = views.read_text().replace("await g.db_session.commit()", "g.db_session.commit()", 1)
    n = 1
    while (text + HANDLER.format(n=n)).count("\n") <= 300:
        text += HANDLER.format(n=n)
        n += 1
    while text.count("\n") < 300:
        text += f"EXTRA_{n} = {n}\n"
        n += 1
    compile(text, str(views), "exec")  # valid Python: the timings are of a real check
    views.write_text(text)
    return views


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def serve(views: Path, project: Path, edits: int, env: dict[str, str]) -> dict:
    client = LanguageClient("bench", "1")
    arrived: dict[int, float] = {}
    counts: dict[int, int] = {}
    published = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: types.PublishDiagnosticsParams) -> None:
        arrived[params.version] = time.perf_counter()
        counts[params.version] = len(params.diagnostics)
        published.set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log_message(params: types.LogMessageParams) -> None:
        print("server:", params.message, file=sys.stderr)

    await client.start_io(sys.executable, "-m", "stk_lint", "server", env=env, cwd=str(project))
    pid = client._server.pid  # the server process itself (no wrapper)
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=project.as_uri())
    )
    client.initialized(types.InitializedParams())
    uri = views.as_uri()
    base = views.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 0, base))
    )
    version = 0

    async def edit(text: str) -> float:
        nonlocal version
        version += 1
        if version % 50 == 0:
            gc.collect()  # the client's garbage, outside the timed window
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        while version not in arrived:  # woken by the notification, not by polling
            published.clear()
            await published.wait()
        assert counts[version] >= 1, "the dropped await must be reported"
        return (arrived[version] - sent) * 1000

    marker = '"label": "extra 1"'
    assert marker in base

    def typed(i: int) -> str:
        return base.replace(marker, f'"label": "extra 1{"x" * (i % 7)}"')

    def line_added(i: int) -> str:
        return "# edited\n" * (1 + i % 3) + base

    # The client's own collections would land in the timings: only between edits.
    gc.disable()
    for i in range(20):  # warm-up
        await edit(typed(i) if i % 2 else line_added(i))
    typing: list[float] = []
    lines: list[float] = []
    memory = {}
    done = 20
    while done < edits:
        if done % 2:
            typing.append(await edit(typed(done)))
        else:
            lines.append(await edit(line_added(done)))
        done += 1
        if done in (100, edits):
            await asyncio.sleep(0.2)
            memory[done] = rss_kb(pid)
    gc.enable()
    await client.shutdown_async(None)
    client.exit(None)
    await asyncio.sleep(0.2)
    await client.stop()
    return {"typing": typing, "line": lines, "memory": memory}


def hook_runs(views: Path, project: Path, rounds: int, env: dict[str, str]) -> list[float]:
    stk_lint = Path(sys.executable).parent / "stk-lint"
    payload = json.dumps(
        {
            "hook_event_name": "PostToolUse",
            "tool_name": "Edit",
            "tool_input": {"file_path": str(views)},
            "cwd": str(project),
        }
    )
    times = []
    for _ in range(rounds + 1):
        started = time.perf_counter()
        done = subprocess.run(
            [str(stk_lint), "hook", "claude"],
            input=payload,
            capture_output=True,
            text=True,
            cwd=project,
            env=env,
        )
        times.append((time.perf_counter() - started) * 1000)
        assert done.returncode == 2, done.stderr
    return times[1:]  # the first run writes the project's cache of library summaries


def report(name: str, values: list[float]) -> None:
    print(
        f"  {name:<46} median {statistics.median(values):7.1f} ms   "
        f"p95 {percentile(values, 0.95):7.1f} ms   ({len(values)} edits)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=1000, help="edits in all (default 1000)")
    parser.add_argument("--hook", type=int, default=15, help="hook runs (default 15)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "app"
        views = make_project(project)
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(scratch) / "pycache")}
        print(f"{views.relative_to(project)}: {views.read_text().count(chr(10))} lines")
        result = asyncio.run(serve(views, project, args.edits, env))
        hook = hook_runs(views, project, args.hook, env)
    print("didChange -> publishDiagnostics (stk-lint server):")
    report("typing in a string", result["typing"])
    report("a line added at the top (summary replaced)", result["line"])
    report("all edits", result["typing"] + result["line"])
    print("per edit, the Claude Code hook (a new process):")
    report("stk-lint hook claude", hook)
    memory = result["memory"]
    if 100 not in memory or args.edits <= 100:
        print("resident memory: not compared (it is read after 100 edits and after the last)")
        return
    first, last = memory[100], memory[args.edits]
    print(
        f"resident memory: {first / 1024:.1f} MB after 100 edits, {last / 1024:.1f} MB after "
        f"{args.edits} ({(last - first) / first:+.1%})"
    )


if __name__ == "__main__":
    main()
