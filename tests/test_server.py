"""`stk-lint server` end to end: a real LSP client (pytest-lsp) over stdio."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from stk_lint.decoding import line_starts

HERE = Path(__file__).parent
pytestmark = pytest.mark.asyncio(loop_scope="module")

VIEWS = """\
from quart import Blueprint, g

from app.helpers import notify

bp = Blueprint("things", __name__)


@bp.get("/things/<int:thing_id>")
async def show(thing_id):
    label = "🎉 café"; g.db_session.commit()
    notify(thing_id)
    return {"label": label, "icon": "mdi-pencil"}


@bp.get("/legacy")
def legacy():
    return "old"
"""
HELPERS = "def notify(thing_id):\n    return thing_id\n"
TEMPLATE = (
    '{% extends "layout.html" %}\n{% block content %}\n'
    '<p>🎉 déjà <i class="mdi mdi-pencil"></i></p>\n{% endblock %}\n'
)
SCRIPT = 'const label = "🎉 déjà"; const icon = "mdi-pencil";\n'


def make_project(root: Path, config: bool = True) -> Path:
    files = {
        "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n'
        + ("\n[tool.stk-lint]\n" if config else ""),
        "app/__init__.py": "",
        "app/helpers.py": HELPERS,
        "app/views.py": VIEWS,
        "app/templates/things/index.html": TEMPLATE,
        "app/static/js/things.js": SCRIPT,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, str(HERE / "lsp_server.py")]),
)
async def client(lsp_client: LanguageClient):
    capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            )
        ),
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=list(types.CodeActionKind)
                    )
                )
            ),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                code_description_support=True, version_support=True
            ),
        ),
    )
    registered = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registered.extend(params.registrations)

    await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    await until(lambda: registered)  # the server asks to hear of files changed on disk
    assert registered[0].method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    yield
    await lsp_client.shutdown_session()


# --- helpers ------------------------------------------------------------------------------


async def until(condition, timeout: float = 20.0):
    for _ in range(int(timeout / 0.02)):
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


LANGUAGE_IDS = {".py": "python", ".html": "jinja-html", ".js": "javascript"}


async def open_document(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = uri_of(path)
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(
                uri, LANGUAGE_IDS[path.suffix], 1, path.read_text("utf-8") if text is None else text
            )
        )
    )
    await settled(client)
    return uri


async def settled(client: LanguageClient) -> None:
    """Every notification sent before has been handled: the server answers in order."""
    await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier("file:///nowhere.txt"), types.Position(0, 0))
    )
    await asyncio.sleep(0.05)  # a check scheduled by didChange runs on the next turn


async def change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await settled(client)


def close(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )


def cli_json(root: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "stk_lint", "check", "--no-cache", "--output-format", "json", "."],
        cwd=root,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def utf16_range(text: str, finding: dict) -> tuple[tuple[int, int], tuple[int, int]]:
    """The LSP range of a CLI finding, computed independently of the server."""
    starts = line_starts(text)
    lines = [
        text[a:b].rstrip("\r\n") for a, b in zip(starts, [*starts[1:], len(text)], strict=True)
    ]

    def units(line: int, column: int) -> tuple[int, int]:
        prefix = lines[line - 1][: column - 1]
        return line - 1, len(prefix.encode("utf-16-le")) // 2

    return units(finding["line"], finding["column"]), units(
        finding["end_line"], finding["end_column"]
    )


def lsp_range(diagnostic: types.Diagnostic) -> tuple[tuple[int, int], tuple[int, int]]:
    r = diagnostic.range
    return (r.start.line, r.start.character), (r.end.line, r.end.character)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions, all relative to the original text)."""
    starts = line_starts(text)

    def offset(position: types.Position) -> int:
        line_start = starts[position.line]
        units = 0
        index = line_start
        while units < position.character:
            units += 2 if ord(text[index]) > 0xFFFF else 1
            index += 1
        return index

    spans = sorted((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits)
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


async def actions(client, uri, diagnostic=None, only=None, line=None):
    if diagnostic is not None:
        target = diagnostic.range
    else:
        target = types.Range(types.Position(line or 0, 0), types.Position(line or 0, 0))
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            target,
            types.CodeActionContext(diagnostics=[diagnostic] if diagnostic else [], only=only),
        )
    )


# --- the tests ----------------------------------------------------------------------------


async def test_diagnostics_equal_the_cli(client: LanguageClient, tmp_path: Path):
    root = make_project(tmp_path)
    expected = cli_json(root)
    assert {f["code"] for f in expected} == {"STK201", "STK202", "STK501"}
    for name in ("app/views.py", "app/templates/things/index.html", "app/static/js/things.js"):
        path = root / name
        uri = await open_document(client, path)
        diagnostics = await until(lambda uri=uri: client.diagnostics.get(uri))
        text = path.read_text("utf-8")
        want = sorted((f["code"], utf16_range(text, f)) for f in expected if f["path"] == name)
        got = sorted((d.code, lsp_range(d)) for d in diagnostics)
        assert got == want, name
        for diagnostic in diagnostics:
            assert diagnostic.source == "stk-lint"
            href = diagnostic.code_description.href
            assert href.startswith("file://") and f"#{diagnostic.code.lower()}-" in href
        close(client, uri)
    # The emoji counts two UTF-16 units: the STK202 range starts one unit later than its
    # code-point column.
    views = next(f for f in expected if f["code"] == "STK202")
    assert utf16_range(VIEWS, views)[0] == (9, views["column"])


async def test_the_broken_sample_app_equals_the_cli(client: LanguageClient, tmp_path: Path):
    """Every rule's finding in the sample app's broken variant, file by file, at the
    CLI's positions (STK102's and STK202's through the project index)."""
    sys.path.insert(0, str(HERE / "sample_app"))
    try:
        from broken_variant import build
    finally:
        sys.path.pop(0)
    root = build(tmp_path)
    (root / "pyproject.toml").write_text('[tool.stk-lint]\nextend-select = ["STK900"]\n')
    expected = cli_json(root)
    assert len(expected) == 21
    checked = set()
    for name in sorted({f["path"] for f in expected}):
        path = root / name
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue  # STK003: an editor's buffer is text; the file is not one stk-lint reads
        uri = await open_document(client, path)
        diagnostics = await until(lambda uri=uri: uri in client.diagnostics)
        diagnostics = client.diagnostics[uri]
        want = sorted((f["code"], utf16_range(text, f)) for f in expected if f["path"] == name)
        assert sorted((d.code, lsp_range(d)) for d in diagnostics) == want, name
        checked.update(code for code, _ in want)
        close(client, uri)
    assert len(checked) == 19  # every code but STK003


async def test_quick_fix_and_unsafe_label(client: LanguageClient, tmp_path: Path):
    root = make_project(tmp_path)
    path = root / "app/views.py"
    uri = await open_document(client, path)
    diagnostics = await until(lambda: client.diagnostics.get(uri))
    missing_await = next(d for d in diagnostics if d.code == "STK202")
    found = await actions(client, uri, missing_await, only=[types.CodeActionKind.QuickFix])
    fix = next(a for a in found if a.title.endswith("(STK202)"))
    assert fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix
    fixed = apply(VIEWS, fix.edit.changes[uri])
    assert 'label = "🎉 café"; await g.db_session.commit()' in fixed
    await change(client, uri, fixed, 2)
    diagnostics = await until(lambda: client.diagnostics.get(uri))
    assert "STK202" not in {d.code for d in diagnostics if d.range.start.line == 9}
    sync = next(d for d in diagnostics if d.code == "STK201")
    titles = [a.title for a in await actions(client, uri, sync)]
    assert any("[unsafe" in title and "(STK201)" in title for title in titles), titles
    assert "Suppress STK201 on this line" in titles
    close(client, uri)
    assert path.read_text("utf-8") == VIEWS  # the server never writes


async def test_fix_all(client: LanguageClient, tmp_path: Path):
    root = make_project(tmp_path)
    uri = await open_document(client, root / "app/views.py")
    await until(lambda: client.diagnostics.get(uri))
    found = await actions(client, uri, only=["source.fixAll"])
    assert [a.title for a in found] == ["Fix all stk-lint findings (safe)"]
    assert found[0].kind == "source.fixAll.stk-lint"
    fixed = apply(VIEWS, found[0].edit.changes[uri])
    assert "await g.db_session.commit()" in fixed and '"ti ti-pencil"' in fixed
    assert "def legacy" in fixed and "async def legacy" not in fixed  # unsafe: left alone
    await change(client, uri, fixed, 2)
    diagnostics = await until(lambda: client.diagnostics.get(uri))
    assert sorted(d.code for d in diagnostics) == ["STK201"]
    close(client, uri)


@pytest.mark.parametrize(
    ("name", "comment"),
    [
        ("app/views.py", "# noqa: STK501"),
        ("app/templates/things/index.html", "{# stk-lint: ignore[STK501] #}"),
        ("app/static/js/things.js", "// stk-lint: ignore[STK501]"),
    ],
)
async def test_suppress(client: LanguageClient, tmp_path: Path, name: str, comment: str):
    root = make_project(tmp_path)
    path = root / name
    text = path.read_text("utf-8")
    uri = await open_document(client, path)
    diagnostics = await until(lambda: client.diagnostics.get(uri))
    icon = next(d for d in diagnostics if d.code == "STK501")
    suppress = next(
        a for a in await actions(client, uri, icon) if a.title == "Suppress STK501 on this line"
    )
    suppressed = apply(text, suppress.edit.changes[uri])
    assert comment in suppressed.splitlines()[icon.range.start.line]
    await change(client, uri, suppressed, 2)
    await until(lambda: uri in client.diagnostics)
    assert "STK501" not in {d.code for d in client.diagnostics[uri]}
    assert len(client.diagnostics[uri]) == len(diagnostics) - 1
    close(client, uri)


async def test_async_def_in_another_module_reaches_an_open_caller(
    client: LanguageClient, tmp_path: Path
):
    root = make_project(tmp_path)
    views = await open_document(client, root / "app/views.py")
    before = await until(lambda: client.diagnostics.get(views))
    assert not any("notify" in d.message for d in before)
    helpers_path = root / "app/helpers.py"
    helpers = await open_document(client, helpers_path)
    # Edited, not saved yet: the caller is not told.
    async_helpers = HELPERS.replace("def notify", "async def notify")
    await change(client, helpers, async_helpers, 2)
    assert not any("notify" in d.message for d in client.diagnostics.get(views, before))
    # Saved: the caller gets STK202 at `notify(thing_id)`.
    helpers_path.write_text(async_helpers, encoding="utf-8")
    client.diagnostics.pop(views, None)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(helpers))
    )
    after = await until(lambda: client.diagnostics.get(views))
    notify = [d for d in after if d.code == "STK202" and "notify" in d.message]
    assert [lsp_range(d)[0] for d in notify] == [(10, 4)]
    close(client, helpers)
    # Changed on disk by another program: the watched-files notification refreshes it.
    helpers_path.write_text(HELPERS, encoding="utf-8")
    client.diagnostics.pop(views, None)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(uri_of(helpers_path), types.FileChangeType.Changed)]
        )
    )
    after = await until(lambda: client.diagnostics.get(views))
    assert not any("notify" in d.message for d in after)
    close(client, views)


async def test_the_projects_configuration_applies_and_is_read_again(
    client: LanguageClient, tmp_path: Path
):
    root = make_project(tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        '[tool.stk-lint]\nignore = ["STK201"]\nper-file-ignores = { "app/views.py" = ["STK501"] }\n'
    )
    uri = await open_document(client, root / "app/views.py")
    diagnostics = await until(lambda: uri in client.diagnostics and client.diagnostics[uri])
    assert sorted(d.code for d in diagnostics) == ["STK202"]
    assert [f["code"] for f in cli_json(root) if f["path"] == "app/views.py"] == ["STK202"]
    # Edited on disk: the watched-files notification brings the new settings.
    pyproject.write_text("[tool.stk-lint]\n")
    client.diagnostics.pop(uri, None)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(uri_of(pyproject), types.FileChangeType.Changed)]
        )
    )
    diagnostics = await until(lambda: client.diagnostics.get(uri))
    assert sorted(d.code for d in diagnostics) == ["STK201", "STK202", "STK501"]
    close(client, uri)
    assert not (root / ".stk_lint_cache").exists()  # the server writes nothing


async def test_flask_project_gets_nothing(client: LanguageClient, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "0"\n')
    views = tmp_path / "shop" / "views.py"
    views.parent.mkdir()
    (views.parent / "__init__.py").write_text("")
    views.write_text(
        "from flask import Blueprint\n\nbp = Blueprint('shop', __name__)\n\n\n"
        "@bp.get('/')\ndef index():\n    return {'icon': 'mdi-pencil'}\n"
    )
    uri = await open_document(client, views)
    assert uri not in client.diagnostics
    assert not await actions(client, uri, line=6)
    close(client, uri)


async def test_unparsable_documents(client: LanguageClient, tmp_path: Path):
    root = make_project(tmp_path)
    uri = await open_document(client, root / "app/views.py", VIEWS + "def broken(:\n")
    diagnostics = await until(lambda: client.diagnostics.get(uri))
    assert [d.code for d in diagnostics] == ["STK001"]
    assert diagnostics[0].severity == types.DiagnosticSeverity.Error
    close(client, uri)
    template = root / "app/templates/things/index.html"
    uri = await open_document(client, template, TEMPLATE.replace("{% endblock %}", "{% endfor %}"))
    diagnostics = await until(lambda: client.diagnostics.get(uri))
    assert "STK002" in [d.code for d in diagnostics]
    close(client, uri)


async def test_hover_explains_the_rule(client: LanguageClient, tmp_path: Path):
    root = make_project(tmp_path)
    uri = await open_document(client, root / "app/views.py")
    diagnostics = await until(lambda: client.diagnostics.get(uri))
    sync = next(d for d in diagnostics if d.code == "STK201")
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), sync.range.start)
    )
    assert hover.contents.value.startswith("**STK201 sync-handler**: ")
    assert "Quart" in hover.contents.value  # the rule's why
    close(client, uri)


async def test_an_internal_error_is_logged_and_the_server_goes_on(
    client: LanguageClient, tmp_path: Path
):
    root = make_project(tmp_path)
    boom = root / "app" / "boom_fails.py"  # tests/lsp_server.py makes its check raise
    boom.write_text("x = 1\n")
    uri = await open_document(client, boom)
    await until(
        lambda: any(
            "internal error" in m.message and "boom" in m.message for m in client.log_messages
        )
    )
    assert uri not in client.diagnostics
    views = await open_document(client, root / "app/views.py")
    assert await until(lambda: client.diagnostics.get(views))
    close(client, uri)
    close(client, views)


APP_FILES = {
    "pyproject.toml": "[tool.stk-lint]\n",
    "stk/__init__.py": "",
    "stk/app.py": (
        "from quart import Quart\n\nfrom stk.things.views import bp\n\n\n"
        "def create_app():\n    app = Quart(__name__)\n    app.register_blueprint(bp)\n"
        "    return app\n"
    ),
    "stk/things/__init__.py": "",
    "stk/things/views.py": (
        "from quart import Blueprint, render_template\n\n"
        'bp = Blueprint("things", __name__)\n\n\n'
        '@bp.get("/")\nasync def index():\n'
        '    return await render_template("things/index.html")\n'
    ),
    "stk/templates/things/index.html": "<p>things</p>\n",
}


async def test_a_template_renamed_on_disk_reaches_an_open_view(
    client: LanguageClient, tmp_path: Path
):
    """STK601 in the server: the app's templates are read from disk, again after a
    watched-files notification, as `stk-lint check` reads them."""
    for name, text in APP_FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    views_path = tmp_path / "stk/things/views.py"
    views = await open_document(client, views_path)
    assert await until(lambda: views in client.diagnostics) and not client.diagnostics[views]
    template = tmp_path / "stk/templates/things/index.html"
    renamed = template.with_name("list.html")
    template.rename(renamed)
    client.diagnostics.pop(views, None)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [
                types.FileEvent(uri_of(template), types.FileChangeType.Deleted),
                types.FileEvent(uri_of(renamed), types.FileChangeType.Created),
            ]
        )
    )
    after = await until(lambda: client.diagnostics.get(views))
    assert [(d.code, lsp_range(d)[0]) for d in after] == [("STK601", (7, 33))]
    assert "`things/index.html`" in after[0].message
    close(client, views)


async def test_a_named_pipe_changed_on_disk_does_not_block_the_server(
    client: LanguageClient, tmp_path: Path
):
    """Facts are taken from disk as a run reads files: regular files only (reading a
    pipe would block the server forever), so the module is forgotten and serving goes on."""
    root = make_project(tmp_path)
    views = await open_document(client, root / "app/views.py")
    await until(lambda: views in client.diagnostics)
    helpers = root / "app/helpers.py"
    helpers.unlink()
    os.mkfifo(helpers)
    client.diagnostics.pop(views, None)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(uri_of(helpers), types.FileChangeType.Changed)]
        )
    )
    await settled(client)
    # still serving: a change to the open document is checked
    await change(client, views, VIEWS + "\n", 2)
    assert await until(lambda: views in client.diagnostics)
    close(client, views)
