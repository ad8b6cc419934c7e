"""`stk-lint server`: a language server (LSP over stdio, on pygls) for editors and Claude Code.

Each open Python file, template and `.js` file of an stk project (stk_lint.scope, the
hook's detection: elsewhere the server says nothing) is checked from the editor's unsaved
text on open, change and save, through the per-file entry point the hook uses
(stk_lint.request), with the project's `[tool.stk-lint]` settings and a project index
that holds every Python module's summary. The index is built once per project; after
that only the summary of a module that changed is computed again: the open buffer's on
each check, a file's on disk when the editor saves it or reports it changed
(`workspace/didChangeWatchedFiles`), after which the other open documents of the project
are checked again (a `def` turned `async def` gives its callers STK202).

Diagnostics carry the rule code, a link to the rule's documentation and the CLI's exact
positions. Code actions: each fix (verified as `--fix` verifies: the fixed text must
parse), "Fix all stk-lint findings (safe)" (`source.fixAll.stk-lint`, the `--fix` loop),
and "Suppress STKxxx on this line" (kept only when a re-check shows it silences that
finding and nothing else changes). The server never writes a file: the client applies
the edits. A failure on one document is logged (`window/logMessage`) and the server
keeps serving the others.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import re
import sys
import traceback
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from stk_lint import __version__
from stk_lint.config import ConfigError, Settings, find_config, load_settings
from stk_lint.decoding import LINE_BREAK, line_starts
from stk_lint.files import PYTHON, TEMPLATE, language_of
from stk_lint.findings import Edit, Finding, applicable
from stk_lint.request import FIX_TEXT, CheckRequest, check_request, run_request
from stk_lint.scope import Scope, project_scope

if TYPE_CHECKING:
    from stk_lint.resolve import Resolved

SOURCE = "stk-lint"
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.stk-lint"
ENGINE_CODES = ("STK001", "STK002", "STK003")  # the file could not be read or parsed
PROJECT_FILES = ("pyproject.toml", ".gitignore")
MAX_SUPPRESSIONS = 10  # findings per code action request offered a suppression


# --- positions: stk-lint's 1-based code-point columns <-> LSP positions -------------------


class Positions:
    """Lines of one text (ended as stk-lint and LSP end them: \\r\\n, \\r or \\n) and the
    client's position encoding (UTF-16 code units unless the client chose otherwise)."""

    def __init__(self, text: str, encoding: str) -> None:
        self.text = text
        self.starts = line_starts(text)
        self.encoding = encoding

    def _line(self, line: int) -> str:
        start = self.starts[line]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return LINE_BREAK.sub("", self.text[start:end], count=1)

    def _units(self, chars: str) -> int:
        if self.encoding == types.PositionEncodingKind.Utf8:
            return len(chars.encode("utf-8", "surrogatepass"))
        if self.encoding == types.PositionEncodingKind.Utf32:
            return len(chars)
        return len(chars) + sum(1 for char in chars if ord(char) > 0xFFFF)

    def position(self, line: int, column: int) -> types.Position:
        """LSP position of a 0-based line and code-point column (clamped to the text)."""
        if line >= len(self.starts):
            line = len(self.starts) - 1
            column = len(self._line(line))
        text = self._line(max(line, 0))
        return types.Position(max(line, 0), self._units(text[: max(column, 0)]))

    def at_offset(self, offset: int) -> types.Position:
        line = bisect_right(self.starts, offset) - 1
        return self.position(line, offset - self.starts[line])

    def finding_range(self, finding: Finding) -> types.Range:
        return types.Range(
            self.position(finding.line - 1, finding.column - 1),
            self.position(finding.end_line - 1, finding.end_column - 1),
        )

    def text_edit(self, edit: Edit) -> types.TextEdit:
        return types.TextEdit(
            types.Range(self.at_offset(edit.start), self.at_offset(edit.end)), edit.content
        )


def _stamp(path: Path | None) -> tuple[int, int] | None:
    try:
        info = path.stat() if path is not None else None
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size) if info is not None else None


def minimal_edit(old: str, new: str) -> Edit:
    """One edit turning `old` into `new`: the span between their common prefix and suffix."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return Edit(start, len(old) - end, new[start : len(new) - end])


# --- rule documentation --------------------------------------------------------------------


def rules_document() -> Path:
    """The rule catalogue shipped in the package (references/rules.md)."""
    return Path(__file__).resolve().parent / "_skill" / "references" / "rules.md"


@functools.cache
def rule_href(code: str, name: str) -> str | None:
    """The rule's section of the catalogue: the installed copy, anchored as GitHub anchors
    the heading `## STK202 missing-await` (`#stk202-missing-await`)."""
    catalogue = rules_document()
    if not catalogue.is_file():
        return None
    return f"{from_fs_path(str(catalogue.resolve()))}#{code.lower()}-{name}"


def rule_hover(code: str) -> str | None:
    from stk_lint.docs import FIX_TEXT
    from stk_lint.registry import get_rule

    rule = get_rule(code)
    if rule is None:
        return None
    href = rule_href(rule.code, rule.name)
    more = f"\n\n[Documentation]({href}) · `stk-lint rule {rule.code}`" if href else ""
    return (
        f"**{rule.code} {rule.name}**: {rule.summary}\n\n{rule.why}\n\n{FIX_TEXT[rule.fix]}{more}"
    )


# --- suppression comments -------------------------------------------------------------------

# A directive closing a line, and where its list of codes ends.
_NOQA_TAIL = re.compile(r"#\s*noqa\s*:\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)\s*$", re.I)
_IGNORE_TAIL = re.compile(r"stk-lint\s*:\s*ignore\[([^\]]*)\]\s*(?:#\}|\*/)?\s*$", re.I)


def suppression_edits(text: str, finding: Finding, language: str) -> list[Edit]:
    """Ways to silence `finding` with a comment, the preferred first: its code added to a
    directive closing the line, a directive at the end of the line, one alone above it."""
    starts = line_starts(text)
    index = min(finding.line, len(starts)) - 1
    start = starts[index]
    match = LINE_BREAK.search(text, start)
    end = match.start() if match else len(text)
    line = text[start:end]
    code = finding.code
    if language == PYTHON:
        tail, above = f"  # noqa: {code}", f"# noqa: {code}"
    elif language == TEMPLATE:
        tail, above = f"  {{# stk-lint: ignore[{code}] #}}", f"{{# stk-lint: ignore[{code}] #}}"
    else:
        tail, above = f"  // stk-lint: ignore[{code}]", f"// stk-lint: ignore[{code}]"
    edits = []
    existing = (_NOQA_TAIL if language == PYTHON else _IGNORE_TAIL).search(line)
    if existing is not None:
        at = start + existing.end(1)
        edits.append(Edit(at, at, f", {code}"))
    edits.append(Edit(end, end, tail))
    indent = line[: len(line) - len(line.lstrip())]
    newline = match.group() if match else "\n"
    edits.append(Edit(start, start, f"{indent}{above}{newline}"))
    return edits


# --- the server's state -------------------------------------------------------------------


@dataclass
class Project:
    """One project's settings and its index of Python modules (built on first need)."""

    root: Path
    settings: Resolved
    stamp: tuple[int, int] | None = None  # of the configuration file, when it was read
    index: Any = None
    generation: int = 0  # counts the changes of the index's facts
    summaries: dict[Path, Any] = field(default_factory=dict)  # registered, by resolved path
    places: dict[Path, tuple[str, bool, Path, Path]] = field(default_factory=dict)
    packages: Any = None  # stk_lint.project.Packages: where files sit among packages
    app_stale: bool = True  # the app index (STK601-603) is read from disk again when needed

    def display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def needs_index(self) -> bool:
        return any(rule.needs_project for rule in self.settings.rules)

    def ensure_index(self) -> Any:
        """Every Python module of the project summarised (a line scan each), as
        `stk-lint check` does for a run over the project."""
        if self.index is not None or not self.needs_index():
            return self.index
        from stk_lint.files import discover
        from stk_lint.project import ProjectIndex

        self.index = ProjectIndex()
        for path, language in discover([self.root], self.settings.config):
            if language == PYTHON:
                self.refresh(path)
        if self.settings.config_path is not None:
            self.index.add_project_root(self.settings.root)
        return self.index

    def ensure_app_index(self) -> None:
        """The app's templates and endpoints (STK601-603), read from disk as `stk-lint
        check` reads them, again only after a file of the project changed on disk."""
        if self.index is None or not self.app_stale:
            return
        self.app_stale = False
        from stk_lint.app_scan import index_apps
        from stk_lint.files import discover

        enabled = [rule.code for rule in self.settings.rules]
        config = self.settings.config
        checked = [
            (path, self.display(path), language, None)
            for path, language in discover([self.root], config)
        ]
        index_apps(self.index, enabled, checked, [self.root], config, None, self.packages)

    def disk_changed(self) -> None:
        """A Python file or template changed on disk: the app index is read again."""
        if self.index is not None:
            self.app_stale = True
            self.generation += 1

    def _place(self, path: Path) -> tuple[str, bool, Path, Path]:
        resolved = path.resolve()
        known = self.places.get(resolved)
        if known is None:
            if self.packages is None:
                from stk_lint.project import Packages

                self.packages = Packages()
            known = self.places[resolved] = self.packages.locate(path)
        return known

    def register(self, path: Path, text: str) -> bool:
        """Use `text` for this module's facts; False when they did not change."""
        from stk_lint.summaries import summarise

        module, is_package, root, resolved = self._place(path)
        summary = summarise(text, module, is_package)
        if self.summaries.get(resolved) == summary:
            return False
        self.summaries[resolved] = summary
        self.index.add_summary(path, summary, self.display(path), root, resolved)
        self.generation += 1
        return True

    def refresh(self, path: Path) -> bool:
        """Take a module's facts from disk again (it was saved, created or deleted)."""
        from stk_lint.decoding import decode
        from stk_lint.files import read_source, size_limit

        if self.index is None:
            return False
        try:
            # As a run reads it: a regular file (a pipe would block), at most the limit.
            data = read_source(path, size_limit(self.settings.options))
        except OSError:
            return self.forget(path)
        if isinstance(data, int):
            return self.forget(path)  # too large to check: STK003, no facts
        text, _ = decode(data, PYTHON)
        return self.register(path, text) if text is not None else False

    def forget(self, path: Path) -> bool:
        resolved = path.resolve()
        if self.summaries.pop(resolved, None) is None:
            return False
        self.index.remove(resolved, self.display(path))
        self.places.pop(resolved, None)
        self.generation += 1
        return True

    def contains(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.root.resolve())


@dataclass
class Checked:
    """The last check of an open document: what its diagnostics and actions come from."""

    version: int | None
    text: str
    path: Path
    language: str
    project: Project
    findings: list[Finding]  # published as diagnostics
    generation: int  # the project's facts it was checked with
    # Code actions computed for this text (editors ask again at every cursor move).
    actions: dict[Any, Any] = field(default_factory=dict)


class StkLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "stk-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full
        )
        self.projects: dict[Path, Project] = {}  # by settings root
        self.folders: dict[Path, Path] = {}  # folder -> the root of its project
        self.scopes: dict[Path, Scope] = {}  # by folder
        self.checked: dict[str, Checked] = {}  # by document URI
        self.pending: set[str] = set()
        self.collecting_rarely = False
        self.shut_down = False  # a shutdown request came
        self.reported_config: set[str] = set()

    # -- logging ---------------------------------------------------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # -- projects ----------------------------------------------------------------------

    def scope_of(self, path: Path) -> Scope:
        folder = path.parent
        known = self.scopes.get(folder)
        if known is None:
            known = self.scopes[folder] = project_scope(path)
        return known

    def project_of(self, path: Path, scope: Scope) -> Project | None:
        """The project whose settings apply to `path`, its configuration read once (and
        again when the pyproject.toml changes on disk)."""
        root = self.folders.get(path.parent)
        project = self.projects.get(root) if root is not None else None
        if project is not None:
            if project.stamp == _stamp(project.settings.config_path):
                return project
            self.forget_projects()  # its configuration was edited
        from stk_lint.resolve import resolve  # the registry: every rule

        try:
            config = find_config(path.parent)
            settings = resolve(load_settings(config))
        except ConfigError as error:
            if str(error) not in self.reported_config:
                self.reported_config.add(str(error))
                self.log(f"stk-lint: not checked: {error}", types.MessageType.Error)
            return None
        root = settings.root if config is not None else scope.root
        project = self.projects.get(root)
        if project is None:
            if config is None:
                settings = resolve(Settings(root=root))
            project = self.projects[root] = Project(root, settings, _stamp(config))
        self.folders[path.parent] = root
        return project

    def forget_projects(self) -> None:
        """A configuration or the code that decides the scope changed: start again."""
        self.projects.clear()
        self.folders.clear()
        self.scopes.clear()
        self.reported_config.clear()

    # -- checking ----------------------------------------------------------------------

    def check(self, uri: str) -> Checked | None:
        """Check one open document and publish its diagnostics; never raises."""
        # No collection in the middle of a check: libcst's nodes would set off several,
        # each scanning the young objects, for garbage that reference counting frees
        # (it keeps the 95th percentile near the median). Cycles are collected after.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._check(uri)
        except Exception as error:  # one document's failure must not stop the server
            if self.checked.pop(uri, None) is not None:  # its findings are of an older text
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
                )
            self.log(
                f"stk-lint: internal error while checking {uri}: {type(error).__name__}: "
                f"{error}\n{traceback.format_exc()}",
                types.MessageType.Error,
            )
            return None
        finally:
            if collecting:
                gc.enable()

    def _check(self, uri: str) -> Checked | None:
        document = self.workspace.get_text_document(uri)
        previous = self.checked.get(uri)
        fs_path = to_fs_path(uri)
        path = Path(fs_path) if fs_path else None
        language = language_of(path) if path is not None else None
        scope = self.scope_of(path) if path is not None and language is not None else None
        project = None
        if path is not None and scope is not None and scope.stk:
            project = self.project_of(path, scope)
        if path is None or language is None or project is None:
            self.checked.pop(uri, None)
            if previous is not None:  # it was in an stk project: clear what it showed
                self.publish(uri, document.version, [], "")
            return None
        text = document.source
        index = project.ensure_index()
        project.ensure_app_index()
        if index is not None and language == PYTHON:
            project.register(path, text)
        request = CheckRequest(path, project.display(path), project.settings, index, text)
        findings = check_request(request)
        if not self.collecting_rarely:
            # As a run does: what is imported and indexed by now lives as long as the
            # server; collections that scan it all again after each check cost more than
            # the check's own work (libcst's trees are freed by reference counting).
            from stk_lint.runner import _tune_gc

            _tune_gc()
            self.collecting_rarely = True
        # In an stk project every check is published, an empty list included.
        self.publish(uri, document.version, findings, text)
        result = Checked(
            document.version, text, path, language, project, findings, project.generation
        )
        self.checked[uri] = result
        return result

    def current(self, uri: str) -> Checked | None:
        """The check of the document's current text (checking it again if it changed)."""
        document = self.workspace.get_text_document(uri)
        known = self.checked.get(uri)
        if known is not None and known.text == document.source:
            return known
        return self.check(uri)

    def publish(self, uri: str, version: int | None, findings: list[Finding], text: str) -> None:
        positions = Positions(text, self.workspace.position_encoding or "utf-16")
        diagnostics = [self.diagnostic(finding, positions) for finding in findings]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    @staticmethod
    def diagnostic(finding: Finding, positions: Positions) -> types.Diagnostic:
        href = rule_href(finding.code, finding.name)
        return types.Diagnostic(
            range=positions.finding_range(finding),
            message=finding.message,
            severity=types.DiagnosticSeverity.Error
            if finding.code in ENGINE_CODES
            else types.DiagnosticSeverity.Warning,
            code=finding.code,
            code_description=types.CodeDescription(href=href) if href else None,
            source=SOURCE,
        )

    def schedule(self, uri: str) -> None:
        """Check soon: changes that arrive together are checked once, for the last text."""
        if uri in self.pending:
            return
        self.pending.add(uri)

        def run() -> None:
            self.pending.discard(uri)
            if uri in self.workspace.text_documents:
                self.check(uri)

        try:
            asyncio.get_running_loop().call_soon(run)
        except RuntimeError:  # no loop (called outside the server): at once
            run()

    def recheck_project(self, project: Project) -> None:
        """Check again the project's open documents checked with older facts."""
        for uri, known in list(self.checked.items()):
            if known.project is project and known.generation != project.generation:
                self.check(uri)

    def files_changed(self, paths: list[Path]) -> None:
        """Files changed on disk: refresh their facts, then check the open documents."""
        if any(path.name in PROJECT_FILES for path in paths):
            self.forget_projects()
            for uri in list(self.workspace.text_documents):
                self.check(uri)
            return
        self.scopes.clear()  # a new import of stk or quart may put a folder in scope
        touched: set[int] = set()
        open_paths = {known.path.resolve(): uri for uri, known in self.checked.items()}
        for path in paths:
            language = language_of(path)
            if language == TEMPLATE:
                for project in self.projects.values():
                    if project.index is not None and project.contains(path):
                        project.disk_changed()
                        touched.add(id(project))
            if language != PYTHON:
                continue
            for project in self.projects.values():
                if project.index is None or not project.contains(path):
                    continue
                project.disk_changed()  # routes and template folders are read from disk
                touched.add(id(project))
                uri = open_paths.get(path.resolve())
                if uri is not None and uri in self.workspace.text_documents:
                    # Open: its buffer is what the editor shows; the next check uses it.
                    changed = project.register(path, self.workspace.get_text_document(uri).source)
                else:
                    changed = project.refresh(path)
                if changed:
                    touched.add(id(project))
        for project in list(self.projects.values()):
            if id(project) in touched:
                self.recheck_project(project)
        for uri in list(self.workspace.text_documents):
            if uri not in self.checked:  # out of scope until now, perhaps no longer
                self.check(uri)

    # -- code actions ------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        known = self.current(uri)
        if known is None:
            return []
        positions = Positions(known.text, self.workspace.position_encoding or "utf-16")
        only = params.context.only
        actions: list[types.CodeAction] = []
        if _wanted(types.CodeActionKind.QuickFix, only):
            in_range = [
                finding
                for finding in known.findings
                if _overlaps(positions.finding_range(finding), params.range)
            ]
            # A suppression is verified by checking the text with it (a check or two
            # each): offered for the findings of a few lines, not of a whole file.
            for index, finding in enumerate(in_range):
                diagnostic = self.diagnostic(finding, positions)
                fix_action = self.fix_action(uri, known, finding, diagnostic, positions)
                if fix_action is not None:
                    actions.append(fix_action)
                if index >= MAX_SUPPRESSIONS:
                    continue
                suppress = self.suppress_action(uri, known, finding, diagnostic, positions)
                if suppress is not None:
                    actions.append(suppress)
        if _wanted(FIX_ALL, only) and any(applicable(f.fix, False) for f in known.findings):
            fixed = self.fix_all(known)
            if fixed is not None:
                edit = positions.text_edit(minimal_edit(known.text, fixed))
                actions.append(
                    types.CodeAction(
                        title="Fix all stk-lint findings (safe)",
                        kind=FIX_ALL,
                        edit=types.WorkspaceEdit(changes={uri: [edit]}),
                    )
                )
        return actions

    @staticmethod
    def _checker(known: Checked):
        """The document's check as a function of its text (as `--fix` re-checks)."""
        project = known.project
        display = project.display(known.path)

        def check(text: str) -> list[Finding]:
            request = CheckRequest(known.path, display, project.settings, project.index, text)
            return check_request(request)

        return check

    def fix_action(
        self,
        uri: str,
        known: Checked,
        finding: Finding,
        diagnostic: types.Diagnostic,
        positions: Positions,
    ) -> types.CodeAction | None:
        from stk_lint.fixing import apply_edits
        from stk_lint.pipeline import REPARSERS

        fix = finding.fix
        if fix is None or not fix.edits:
            return None
        try:
            fixed = apply_edits(known.text, fix.edits)
        except ValueError:
            return None
        reparse = REPARSERS.get(known.language)
        if reparse is not None and reparse(fixed) is not None:
            return None  # as `--fix`: a fix that would leave the file unparsable is not offered
        unsafe = fix.applicability != "safe"
        title = f"{fix.message} ({finding.code})" + (" [unsafe: review it]" if unsafe else "")
        return types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=not unsafe,
            edit=types.WorkspaceEdit(
                changes={uri: [positions.text_edit(edit) for edit in fix.edits]}
            ),
        )

    def suppress_action(
        self,
        uri: str,
        known: Checked,
        finding: Finding,
        diagnostic: types.Diagnostic,
        positions: Positions,
    ) -> types.CodeAction | None:
        key = ("suppress", finding)
        if key not in known.actions:
            known.actions[key] = self.suppression(known, finding)
        edit = known.actions[key]
        if edit is None:
            return None
        return types.CodeAction(
            title=f"Suppress {finding.code} on this line",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={uri: [positions.text_edit(edit)]}),
        )

    def suppression(self, known: Checked, finding: Finding) -> Edit | None:
        """The first suppression comment that silences the finding and changes nothing
        else, as a re-check of the text with it shows."""
        if finding.code in ENGINE_CODES:
            return None  # a file that cannot be parsed or read is not silenced line by line
        from stk_lint.fixing import apply_edits

        check = self._checker(known)
        others = {_place(f) for f in known.findings if f is not finding}
        for edit in suppression_edits(known.text, finding, known.language):
            text = apply_edits(known.text, [edit])
            after = check(text)
            # Silenced, and nothing else changed (findings below an inserted line move
            # down one line: compare by code and column, and count).
            if _place(finding) in {_place(f) for f in after if f.line == finding.line}:
                continue
            shifted = edit.content.endswith(("\n", "\r"))
            moved = {
                (f.code, f.line - (1 if shifted and f.line > finding.line else 0), f.column)
                for f in after
            }
            if moved == others:
                return edit
        return None

    def fix_all(self, known: Checked) -> str | None:
        """The text after `--fix` (safe fixes, re-checked until stable, must parse)."""
        if "fix-all" not in known.actions:
            project = known.project
            display = project.display(known.path)
            request = CheckRequest(
                known.path, display, project.settings, project.index, known.text, fix=FIX_TEXT
            )
            known.actions["fix-all"] = run_request(request).text
        return known.actions["fix-all"]

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        if uri not in self.checked:
            return None
        known = self.current(uri)  # a change not checked yet is checked first
        if known is None:
            return None
        positions = Positions(known.text, self.workspace.position_encoding or "utf-16")
        point = types.Range(params.position, params.position)
        parts = []
        for finding in known.findings:
            if _overlaps(positions.finding_range(finding), point):
                text = rule_hover(finding.code)
                if text and text not in parts:
                    parts.append(text)
        if not parts:
            return None
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)
            )
        )


def _place(finding: Finding) -> tuple[str, int, int]:
    return finding.code, finding.line, finding.column


def _key(position: types.Position) -> tuple[int, int]:
    return position.line, position.character


def _overlaps(a: types.Range, b: types.Range) -> bool:
    """Whether two ranges touch (a cursor at either end of a finding counts)."""
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    if not only:
        return True
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def _path_of(uri: str) -> Path | None:
    path = to_fs_path(uri)
    return Path(path) if path else None


def create_server() -> StkLanguageServer:
    server = StkLanguageServer()

    @server.feature(types.INITIALIZED)
    def initialized(ls: StkLanguageServer, params: types.InitializedParams) -> None:
        capabilities = ls.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if watched is not None and watched.dynamic_registration:
            watchers = [
                types.FileSystemWatcher(glob_pattern=pattern)
                for pattern in (
                    "**/*.py",
                    "**/*.pyi",
                    "**/*.html",
                    "**/*.jinja",
                    "**/*.jinja2",
                    "**/*.j2",
                    "**/pyproject.toml",
                    "**/.gitignore",
                )
            ]
            ls.client_register_capability(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="stk-lint-watched-files",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                watchers=watchers
                            ),
                        )
                    ]
                )
            )

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: StkLanguageServer, params: None) -> None:
        ls.shut_down = True

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: StkLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: StkLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: StkLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = _path_of(uri)
        if path is not None and path.suffix in (".py", ".pyi"):
            ls.scopes.clear()  # a new `import stk` may put its folder in an stk project
        known = ls.check(uri)
        if path is None:
            return
        if path.name in PROJECT_FILES or known is None:
            ls.files_changed([path])
        elif known.language in (PYTHON, TEMPLATE):
            # Its facts are the buffer's already (the app index's are read from disk
            # again); the other open documents see them now.
            known.project.disk_changed()
            ls.recheck_project(known.project)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: StkLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        known = ls.checked.pop(uri, None)
        ls.pending.discard(uri)
        if known is None:
            return
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )
        # Unsaved changes are dropped with the buffer: the file's facts are the disk's.
        if known.language == PYTHON and known.project.refresh(known.path):
            ls.recheck_project(known.project)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: StkLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [path for change in params.changes if (path := _path_of(change.uri))]
        try:
            ls.files_changed(paths)
        except Exception as error:
            ls.log(
                f"stk-lint: internal error: {type(error).__name__}: {error}",
                types.MessageType.Error,
            )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL],
            resolve_provider=False,
        ),
    )
    def code_action(
        ls: StkLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        try:
            return ls.code_actions(params)
        except Exception as error:
            ls.log(
                f"stk-lint: internal error in code actions: {type(error).__name__}: {error}\n"
                f"{traceback.format_exc()}",
                types.MessageType.Error,
            )
            return []

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: StkLanguageServer, params: types.HoverParams) -> types.Hover | None:
        try:
            return ls.hover(params)
        except Exception as error:
            ls.log(f"stk-lint: internal error in hover: {error}", types.MessageType.Error)
            return None

    return server


def main() -> None:
    server = create_server()
    server.start_io()
    # The protocol's exit code: 0 after a shutdown request, 1 when the client exited
    # without one (or went away).
    sys.exit(0 if server.shut_down else 1)
