"""The parts of `stk-lint server` that need no client: positions, edits, suppression
comments, verified fixes, the incremental project index. End to end: test_server.py."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from stk_lint.config import Settings
from stk_lint.files import JS, PYTHON, TEMPLATE
from stk_lint.findings import Edit, Finding, Fix
from stk_lint.request import CheckRequest, check_request
from stk_lint.resolve import resolve
from stk_lint.server import (
    Checked,
    Positions,
    Project,
    StkLanguageServer,
    minimal_edit,
    rule_hover,
    rule_href,
    suppression_edits,
)


def _finding(line=1, column=1, end_line=None, end_column=None, code="STK501", fix=None):
    return Finding(
        path="x",
        line=line,
        column=column,
        code=code,
        message="m",
        name="mdi-icon",
        end_line=end_line or line,
        end_column=end_column or column,
        fix=fix,
    )


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        (types.PositionEncodingKind.Utf16, 4),  # the emoji is a surrogate pair
        (types.PositionEncodingKind.Utf8, 7),  # é two bytes, the emoji four
        (types.PositionEncodingKind.Utf32, 3),
    ],
)
def test_columns_are_code_units_of_the_negotiated_encoding(encoding, expected):
    text = "first\r\nxé🎉y = 1\n"
    positions = Positions(text, encoding)
    # `y` is the fourth code point of line 2 (0-based column 3).
    assert positions.position(1, 3) == types.Position(1, expected)
    assert positions.at_offset(text.index("y")) == types.Position(1, expected)


def test_lines_end_as_lsp_ends_them():
    # \r\n, a lone \r and \n end lines; a form feed or U+2028 does not (str.splitlines
    # would split there and shift every later line).
    text = "a\r\nb\rc\x0cd\u2028e\nf = 1"
    positions = Positions(text, types.PositionEncodingKind.Utf16)
    assert positions.at_offset(text.index("f")) == types.Position(3, 0)
    assert positions.at_offset(text.index("e")) == types.Position(2, 4)
    # A position past the end is clamped to the end of the last line.
    assert positions.position(9, 0) == types.Position(3, 5)
    finding = _finding(line=4, column=1, end_line=4, end_column=2)
    assert positions.finding_range(finding) == types.Range(
        types.Position(3, 0), types.Position(3, 1)
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [("abcdef", "abXYef"), ("aaa", "aaaa"), ("", "x"), ("x", ""), ("same", "same"), ("ab", "ba")],
)
def test_minimal_edit(old, new):
    edit = minimal_edit(old, new)
    assert old[: edit.start] + edit.content + old[edit.end :] == new
    assert len(edit.content) <= len(new)


@pytest.mark.parametrize(
    ("language", "line", "first"),
    [
        (PYTHON, "x = 'mdi-home'", "x = 'mdi-home'  # noqa: STK501"),
        (PYTHON, "x = 'mdi-home'  # noqa: STK101", "x = 'mdi-home'  # noqa: STK101, STK501"),
        (
            TEMPLATE,
            '<i class="mdi-home"></i>',
            '<i class="mdi-home"></i>  {# stk-lint: ignore[STK501] #}',
        ),
        (
            TEMPLATE,
            "<i></i> {# stk-lint: ignore[STK401] #}",
            "<i></i> {# stk-lint: ignore[STK401, STK501] #}",
        ),
        (JS, "const i = 'mdi-home';", "const i = 'mdi-home';  // stk-lint: ignore[STK501]"),
    ],
)
def test_suppression_comments(language, line, first):
    text = f"    {line}\r\nnext\r\n"
    edits = suppression_edits(text, _finding(), language)
    apply = [text[: e.start] + e.content + text[e.end :] for e in edits]
    assert apply[0].split("\r\n")[0] == f"    {first}"
    # The last resort: a comment alone on the line above, indented as the line and ended
    # as the file's lines end.
    assert apply[-1].startswith("    ") and apply[-1].split("\r\n")[1] == f"    {line}"


def test_a_fix_that_would_not_parse_is_not_offered(tmp_path):
    """As `--fix`: a fix whose result does not re-parse is not offered."""
    text = "x = 'mdi-home'\n"
    broken = Fix("break it", "safe", (Edit(0, 1, "def ("),))
    sound = Fix("replace", "safe", (Edit(5, 13, "ti ti-home"),))
    path = tmp_path / "app.py"
    project = Project(tmp_path, resolve(Settings(root=tmp_path)))
    server = StkLanguageServer()
    positions = Positions(text, types.PositionEncodingKind.Utf16)
    for fix, offered in ((broken, False), (sound, True)):
        finding = _finding(column=6, end_column=14, fix=fix)
        known = Checked(1, text, path, PYTHON, project, [finding], 0)
        diagnostic = server.diagnostic(finding, positions)
        action = server.fix_action("file:///app.py", known, finding, diagnostic, positions)
        assert (action is not None) == offered


def test_rule_documentation_links_and_hover():
    href = rule_href("STK202", "missing-await")
    assert href.startswith("file://") and href.endswith("/references/rules.md#stk202-missing-await")
    catalogue = Path(href[len("file://") : href.index("#")]).read_text()
    assert "\n## STK202 missing-await\n" in catalogue  # GitHub anchors it so
    hover = rule_hover("STK202")
    assert hover.startswith("**STK202 missing-await**: ")
    assert rule_hover("STK999") is None


def test_the_index_is_refreshed_one_module_at_a_time(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.stk-lint]\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    helpers = package / "helpers.py"
    helpers.write_text("def notify(thing_id):\n    return thing_id\n")
    views = package / "views.py"
    views.write_text(
        "from app.helpers import notify\n\n\nasync def show(thing_id):\n    notify(thing_id)\n"
    )
    settings = resolve(Settings(root=tmp_path, config_path=tmp_path / "pyproject.toml"))
    project = Project(tmp_path, settings)
    index = project.ensure_index()
    assert index.resolve("app.helpers.notify").is_async is False

    def codes():
        request = CheckRequest(views, "app/views.py", settings, index, views.read_text())
        return [f.code for f in check_request(request)]

    assert codes() == []
    # The same text again changes nothing; an edit that keeps the facts neither.
    assert not project.register(helpers, helpers.read_text())
    assert not project.register(helpers, helpers.read_text().replace("thing_id\n", "0\n"))
    helpers.write_text("async def notify(thing_id):\n    return thing_id\n")
    assert project.refresh(helpers)
    assert codes() == ["STK202"]
    helpers.unlink()
    assert project.refresh(helpers)  # deleted: forgotten
    assert index.resolve("app.helpers.notify") is None
    assert codes() == []


def test_exit_follows_the_protocol(tmp_path):
    """exit after shutdown ends the server with 0; exit without shutdown with 1."""
    from pytest_lsp.client import make_test_lsp_client

    async def session(shutdown: bool) -> int:
        client = make_test_lsp_client()
        await client.start_io(sys.executable, "-m", "stk_lint", "server")
        await client.initialize_session(
            types.InitializeParams(capabilities=types.ClientCapabilities())
        )
        if shutdown:
            await client.shutdown_async(None)
        client.exit(None)
        code = await asyncio.wait_for(client._server.wait(), 30)
        await client.stop()
        return code

    assert asyncio.run(session(True)) == 0
    assert asyncio.run(session(False)) == 1


def test_without_the_server_extra_the_command_says_what_to_install():
    import subprocess

    code = (
        "import sys; sys.modules['pygls'] = None; sys.argv = ['stk-lint', 'server']\n"
        "from stk_lint.cli import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert "pip install 'stk-lint[server]'" in done.stderr
