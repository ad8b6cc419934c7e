"""`stk-lint hook claude`: Claude Code's PostToolUse hook.

Claude Code runs it after every Edit/Write with the hook's JSON on stdin. It lints only
the edited file, only when stk-lint handles its type and the file belongs to an stk
project (stk_lint.scope: elsewhere it is silent). Findings go to stderr with
exit code 2, which Claude Code shows to Claude so it fixes them; a clean file exits 0
silently. Input it cannot use never blocks an edit: exit 0, with a note on stderr when the
input was malformed. Heavy modules are imported only once a file is worth checking.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_FEEDBACK = 0, 2
MAX_LISTED = 20  # findings shown per file; more are summarised in one line
# The suffixes stk_lint.files routes to a checker (a test keeps the two in step): other
# files are dismissed before the engine, its rules and libcst are imported.
CHECKED_SUFFIXES = frozenset(
    {".py", ".pyi", ".html", ".htm", ".jinja", ".jinja2", ".j2", ".js", ".mjs"}
)


def edited_file(payload: Any) -> tuple[Path | None, str]:
    """(file, note). No file and no note: nothing to do. No file and a note: bad input."""
    if not isinstance(payload, dict):
        return None, "hook input is not a JSON object"
    tool_input = payload.get("tool_input")
    if tool_input is None:
        return None, ""
    if not isinstance(tool_input, dict):
        return None, "`tool_input` is not an object"
    file_path = tool_input.get("file_path")
    if file_path is None:
        return None, ""  # a tool without a file (or a notebook): not ours
    if not isinstance(file_path, str) or not file_path:
        return None, "`tool_input.file_path` is not a path"
    path = Path(file_path)
    cwd = payload.get("cwd")
    if not path.is_absolute() and isinstance(cwd, str) and cwd:
        path = Path(cwd) / path
    return path, ""


def display(path: Path, cwd: Any) -> str:
    try:
        return path.relative_to(Path(cwd)).as_posix() if isinstance(cwd, str) and cwd else str(path)
    except ValueError:
        return str(path)


def lint_file(path: Path, shown: str) -> list[Any]:
    from stk_lint.config import find_config, load_settings

    config = load_settings(find_config(path.parent))
    if config.is_excluded(path):
        return []
    from stk_lint.request import CheckRequest, check_request
    from stk_lint.resolve import resolve

    settings = resolve(config)
    rules = settings.rules_for(path)
    if not any(rule.needs_project for rule in rules):
        return check_request(CheckRequest(path, shown, settings))
    # Calls into sibling modules resolve on demand from the file's own location; the
    # summaries of the modules read for it are kept in the project's cache, so the next
    # edit does not scan the same libraries again.
    from stk_lint.app_scan import index_apps
    from stk_lint.cache import Cache
    from stk_lint.files import language_of
    from stk_lint.project import ProjectIndex

    cache = Cache(config.root, configuration="")
    cache.load_summaries()
    project = ProjectIndex()
    project.place(path, shown)
    if config.config_path is not None:
        project.add_project_root(config.root)
    # Templates and endpoints: the whole app's, read under the file's import root.
    checked = [(path, shown, language_of(path) or "", None)]
    index_apps(project, [rule.code for rule in rules], checked, [], config, cache)
    findings = check_request(CheckRequest(path, shown, settings, project))
    cache.save()
    cache.save_summaries()
    return findings


def feedback(findings: list[Any], shown: str) -> str:
    count = len(findings)
    lines = [
        f"stk-lint: {count} problem{'s' if count != 1 else ''} in {shown}; fix before moving on:"
    ]
    for finding in findings[:MAX_LISTED]:
        lines.append(f"  {finding.line}:{finding.column} {finding.code} {finding.message}")
    if count > MAX_LISTED:
        lines.append(f"  ... and {count - MAX_LISTED} more (run `stk-lint check {shown}`)")
    codes = sorted({finding.code for finding in findings})
    lines.append(f"Explain a rule with `stk-lint rule {codes[0]}`.")
    return "\n".join(lines)


def run_hook(stdin: TextIO, stderr: TextIO) -> int:
    """The whole hook; returns the exit code. Never raises."""
    try:
        payload = json.loads(stdin.read() or "null")
    except (ValueError, UnicodeDecodeError) as error:
        print(f"stk-lint hook: ignoring input that is not JSON ({error})", file=stderr)
        return EXIT_OK
    except RecursionError:
        print("stk-lint hook: ignoring input nested too deeply to read", file=stderr)
        return EXIT_OK
    path, note = edited_file(payload)
    if path is None:
        if note:
            print(f"stk-lint hook: ignoring malformed input: {note}", file=stderr)
        return EXIT_OK
    if path.suffix.lower() not in CHECKED_SUFFIXES:
        return EXIT_OK
    try:
        from stk_lint.files import language_of

        if language_of(path) is None or not path.is_file():
            return EXIT_OK
        from stk_lint.scope import project_scope

        if not project_scope(path).stk:  # a Flask project is not told to become Quart
            return EXIT_OK
        shown = display(path, payload.get("cwd"))
        findings = lint_file(path, shown)
    except Exception as error:  # a hook must never block an edit because stk-lint failed
        print(f"stk-lint hook: not checked: {type(error).__name__}: {error}", file=stderr)
        return EXIT_OK
    if not findings:
        return EXIT_OK
    print(feedback(findings, shown), file=stderr)
    return EXIT_FEEDBACK


def main() -> None:
    sys.exit(run_hook(sys.stdin, sys.stderr))
