"""Hostile input: one bad file, folder, name or cache entry never ends the run, and
`--fix` never writes what it should not. Each test tries the variants of its class."""

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stk_lint.cli import main
from stk_lint.testing import codes, lint

FLASK = "from flask import g\n"
MODES = ([], ["--no-cache"], ["--fix"], ["--diff"])


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.py").write_text(FLASK)
    return tmp_path


def check(*args):
    result = CliRunner().invoke(main, ["check", "--no-color", *args])
    assert "Traceback" not in result.output
    assert "internal error" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def assert_ok_reported(result, args):
    if "--diff" in args:
        assert "+from quart import g" in result.output
    elif "--fix" in args:
        assert Path("ok.py").read_text() == "from quart import g\n"
        Path("ok.py").write_text(FLASK)
    else:
        assert "ok.py:1:6: STK101" in result.output


# ---- 4: folders that cannot be walked ----


def test_a_folder_that_cannot_be_listed_is_named_and_the_run_goes_on(project, monkeypatch):
    from stk_lint import files

    (project / "locked").mkdir()
    (project / "locked" / "x.py").write_text(FLASK)
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(files.os, "scandir", scandir)
    for args in MODES:
        result = check(*args, ".")
        assert "warning: locked: cannot list the folder (Permission denied); skipped" in (
            result.output
        )
        assert_ok_reported(result, args)


@pytest.mark.parametrize("probe", ["pyvenv.cfg", ".gitignore", ".git"])
def test_permission_errors_from_stat_calls_are_contained(project, monkeypatch, probe):
    """pathlib lets EACCES through `is_file()`/`exists()` (a folder in /proc does it)."""
    (project / "sub").mkdir()
    (project / "sub" / "x.py").write_text("x = 1\n")
    real_stat = Path.stat

    def stat(self, *args, **kwargs):
        if self.name == probe:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    for args in MODES:
        assert_ok_reported(check(*args, "."), args)


def test_a_symlink_into_proc_is_walked_without_ending_the_run(project):
    target = "/proc/1/fdinfo"
    try:
        os.listdir(target)
        pytest.skip("this system lets us list /proc/1/fdinfo")
    except PermissionError:
        pass
    except OSError:
        pytest.skip("no /proc/1/fdinfo here")
    (project / "proc").symlink_to(target)
    result = check("--no-cache", ".")
    assert "ok.py:1:6: STK101" in result.output and result.exit_code == 1


# ---- 5: .gitignore lines git skips ----


@pytest.mark.parametrize("line", ["[z-a]", "[", "a[", "\\", "build\\", "[b-a]*.py", "!"])
def test_a_gitignore_line_git_skips_is_skipped(project, line):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text(f"{line}\ngen_*.py\n")
    (project / "gen_x.py").write_text(FLASK)
    for args in MODES:
        result = check(*args, ".")
        assert "gen_x.py" not in result.output  # the other lines still apply
        assert_ok_reported(result, args)


# ---- 6: coding cookies naming codecs that are not text encodings ----


@pytest.mark.parametrize("codec", ["rot13", "rot_13", "hex", "base64", "zlib", "bz2", "uu"])
def test_a_cookie_naming_a_binary_codec_is_stk003(project, codec):
    (project / "odd.py").write_bytes(f"# coding: {codec}\nfrom flask import g\n".encode())
    finding = only(lint((project / "odd.py").read_bytes()))
    assert finding.code == "STK003" and "bad encoding declaration" in finding.message
    for args in MODES:
        result = check(*args, ".")
        assert_ok_reported(result, args)
        if "--diff" not in args:
            assert "odd.py:1:1: STK003 bad encoding declaration" in result.output
    assert (project / "odd.py").read_bytes().startswith(f"# coding: {codec}".encode())


def only(findings):
    (finding,) = findings
    return finding


# ---- 15 and 20: read as CPython reads ----


@pytest.mark.parametrize("newline", [b"\r", b"\n", b"\r\n"])
@pytest.mark.parametrize("cookie", [b"# coding: latin-1", b"# -*- coding: cp1252 -*-"])
def test_a_cookie_on_any_line_ending_is_honoured(project, newline, cookie):
    source = newline.join([cookie, b"from flask import g", b"name = 'Jos\xe9'", b""])
    compile(source, "x.py", "exec")  # CPython reads it
    assert codes(lint(source, select=["STK101", "STK003"])) == ["STK101"]
    (project / "old.py").write_bytes(source)
    check("--fix", "old.py")
    assert (project / "old.py").read_bytes() == source.replace(b"flask", b"quart")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_stk003_counts_lines_as_python_does(newline):
    data = newline.join(["x = 1", "y = 2", "", "z = '\xe9'", ""]).encode("latin-1")
    assert "(line 4," in only(lint(data)).message


def test_template_messages_name_utf8_not_its_codec_name():
    finding = only(lint(b"<p>caf\xe9</p>\n", "app/templates/x.html"))
    assert "not valid utf-8 " in finding.message and "utf-8-sig" not in finding.message


# ---- the class: no single file ends the run ----

COOKIES = [
    b"",
    b"# coding: latin-1\n",
    b"# coding: rot13\n",
    b"# coding: utf-16\n",
    b"\xef\xbb\xbf",
]


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(COOKIES),
    st.binary(max_size=200),
    st.sampled_from(["odd.py", "templates/odd.html", "static/odd.js"]),
)
def test_no_single_file_makes_an_internal_error(tmp_path_factory, cookie, body, name):
    root = tmp_path_factory.mktemp("p")
    (root / "ok.py").write_text(FLASK)
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(cookie + body)
    old = os.getcwd()
    os.chdir(root)
    try:
        for args in MODES:
            result = check(*args, ".")
            assert result.exit_code in (0, 1)
            assert_ok_reported(result, args)
    finally:
        os.chdir(old)


# ---- 7: file names that are not valid UTF-8 ----

BAD_NAME = b"bad\xff.py"


def run_process(*args):
    """The real command, its stdout strict UTF-8 as on a UTF-8 terminal."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "stk_lint", "check", "--no-color", *args]
    result = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr, (
        result.stderr
    )
    return result


def test_a_name_that_is_not_utf8_in_text_cold_and_cached(project):
    Path(os.fsdecode(BAD_NAME)).write_text(FLASK)
    for _ in range(2):  # the second run is answered from the cache
        result = run_process(".")
        assert result.returncode == 1
        assert BAD_NAME + b":1:6: STK101" in result.stdout
    assert (project / ".stk_lint_cache").is_dir()


@pytest.mark.parametrize("output_format", ["json", "sarif", "github", "concise"])
def test_a_name_that_is_not_utf8_in_every_output_format(project, output_format):
    Path(os.fsdecode(BAD_NAME)).write_text(FLASK)
    result = run_process("--output-format", output_format, ".")
    assert result.returncode == 1
    text = result.stdout.decode("utf-8") if output_format != "concise" else ""
    if output_format == "json":
        paths = [finding["path"] for finding in json.loads(text)]
        assert os.fsencode(paths[0]) == BAD_NAME  # the very name, read back
    elif output_format == "sarif":
        (run,) = json.loads(text)["runs"]
        uris = [
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
        ]
        assert "bad%FF.py" in uris
    elif output_format == "github":
        assert "file=bad\\xff.py,line=1" in text
    else:
        assert BAD_NAME + b":1:6: STK101" in result.stdout


def test_a_name_that_is_not_utf8_with_fix_and_diff(project):
    Path(os.fsdecode(BAD_NAME)).write_text(FLASK)
    result = run_process("--diff", ".")
    assert result.returncode == 1 and b"+++ b/" + BAD_NAME in result.stdout
    assert run_process("--fix", ".").returncode == 0
    assert Path(os.fsdecode(BAD_NAME)).read_text() == "from quart import g\n"


# ---- 8 and 9: what is read back from the cache is checked; only regular files are read ----

CACHED_PROJECT = {
    "pyproject.toml": "[tool.stk-lint]\n",
    "app/__init__.py": "",
    "app/helpers.py": "async def notify(user):\n    return user\n",
    "app/views.py": (
        "from flask import g\nfrom hypercorn.asyncio import serve\n\nfrom app.helpers import notify\n"
        "\n\nasync def view():\n    notify(g.user)\n    serve(g.app, g.config)\n"
    ),
}


def _write_project(root):
    for name, text in CACHED_PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _run(root, use_cache=True):
    from stk_lint import runner
    from stk_lint.config import find_config, load_settings
    from stk_lint.summary_store import SUMMARIES

    SUMMARIES.clear()
    settings = load_settings(find_config(root))
    return runner.run([root], settings, use_cache=use_cache)


def _cache_files(root):
    return sorted((root / ".stk_lint_cache").rglob("*.json"))


def _nodes(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, (*path, index))


DAMAGE = [None, "x", 7, -1, 2.5, True, [], {}, [1, 2], {"line": "x"}, "[" * 50]


# No example database: the draws index into a cache file whose shape changes with
# stk-lint's own code, so an example saved by an earlier version replays as "inconsistent
# data generation" instead of testing anything.
@settings(
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(st.data())
def test_a_damaged_cache_is_a_miss_never_an_error(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("cached")
    _write_project(root)
    fresh = _run(root, use_cache=False).findings
    _run(root)  # fills the cache
    files = _cache_files(root)
    assert {path.name for path in files} >= {"summaries.json"} and len(files) == 2
    target = data.draw(st.sampled_from(files))
    document = json.loads(target.read_text())
    nodes = list(_nodes(document))[1:]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(nodes))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        # Another type (a value of the right type is indistinguishable from a result).
        # A copy: the same list or dict put in twice (or damaged again inside) would make
        # the document refer to itself, and later examples would see DAMAGE changed.
        damage = copy.deepcopy(data.draw(st.sampled_from(DAMAGE)))
        if type(damage) is type(parent[path[-1]]) and path[-1] != "path":
            continue
        parent[path[-1]] = damage
        nodes = list(_nodes(document))[1:]
        if not nodes:
            break
    target.write_text(json.dumps(document))
    result = _run(root)
    assert result.errors == [] and result.findings == fresh


@pytest.mark.parametrize(
    "content",
    [b"[" * 100_000, b'{"a": ' * 100_000, b"\xff\xfe", b"", b"null", b"[1, 2]"],
    ids=["brackets", "objects", "binary", "empty", "null", "list"],
)
def test_an_unreadable_cache_file_is_a_miss(tmp_path, content):
    _write_project(tmp_path)
    fresh = _run(tmp_path, use_cache=False).findings
    _run(tmp_path)
    for path in _cache_files(tmp_path):
        path.write_bytes(content)
    result = _run(tmp_path)
    assert result.errors == [] and result.findings == fresh and result.cached == 0


@pytest.mark.parametrize("which", ["entries", "summaries.json"])
def test_a_named_pipe_in_the_cache_is_not_read(tmp_path, which):
    _write_project(tmp_path)
    fresh = _run(tmp_path, use_cache=False).findings
    _run(tmp_path)
    summaries = which == "summaries.json"
    (path,) = [p for p in _cache_files(tmp_path) if (p.name == "summaries.json") == summaries]
    path.unlink()
    os.mkfifo(path)
    result = _run(tmp_path)  # would block forever reading the pipe
    assert result.findings == fresh


# ---- 11: a file over the size limit is never read whole ----


def test_the_size_default_is_stk003s():
    from stk_lint.files import DEFAULT_MAX_FILE_SIZE_KB
    from stk_lint.rules.builtin import UnreadableFile

    assert UnreadableFile.options["max-file-size-kb"].default == DEFAULT_MAX_FILE_SIZE_KB


@pytest.mark.parametrize("args", [[], ["--no-cache"], ["--fix"], ["--diff"]])
def test_a_huge_sparse_file_is_reported_without_reading_it(project, args):
    import resource

    with open("huge.py", "wb") as handle:
        handle.truncate(3 * 1024**3)  # 3 GB of holes: costs no disk
    limit = 1536 * 1024**2  # less address space than the file: reading it would fail

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    command = [sys.executable, "-m", "stk_lint", "check", "--no-color", *args, "."]
    result = subprocess.run(command, capture_output=True, text=True, preexec_fn=cap_memory)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if "--diff" not in args:
        assert "huge.py:1:1: STK003 too large to check (3072.0 MB" in result.stdout
    assert result.returncode == 1


# ---- 12: the Claude Code hook with input nested too deeply ----

DEEP_INPUTS = [
    "[" * 100_000,
    "[" * 100_000 + "]" * 100_000,
    '{"a": ' * 100_000 + "1" + "}" * 100_000,
    '{"tool_input": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"tool_input": {"file_path": "a.py", "x": ' + "[" * 50_000 + "]" * 50_000 + "}}",
]


@pytest.mark.parametrize("payload", DEEP_INPUTS, ids=range(len(DEEP_INPUTS)))
def test_the_hook_never_blocks_on_deeply_nested_input(payload):
    import io

    from stk_lint.hook import run_hook

    stderr = io.StringIO()
    assert run_hook(io.StringIO(payload), stderr) == 0
    assert len(stderr.getvalue().splitlines()) <= 1 and "Traceback" not in stderr.getvalue()


def test_the_hook_command_never_blocks_on_deeply_nested_input():
    done = subprocess.run(
        [sys.executable, "-m", "stk_lint", "hook", "claude"],
        input="[" * 100_000,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stderr.splitlines() == ["stk-lint hook: ignoring input nested too deeply to read"]


# ---- 13: every input a finding depends on is in the cache key ----

ICON_PAGE = '<i class="ti ti-custom-thing"></i>\n'
STYLESHEET = '.ti-pencil:before{content:"a"}.ti-custom-thing:before{content:"b"}'


@pytest.mark.parametrize(
    "change",
    ["add", "edit", "remove", "add-a-weight-subset"],
)
def test_the_projects_tabler_stylesheet_is_in_the_cache_key(project, change):
    (project / "pyproject.toml").write_text("[tool.stk-lint]\n")
    (project / "app" / "templates").mkdir(parents=True)
    (project / "app" / "templates" / "page.html").write_text(ICON_PAGE)
    (project / "app" / "static" / "js").mkdir(parents=True)
    (project / "app" / "static" / "js" / "icons.js").write_text("const a = 'ti ti-custom-thing';\n")
    (project / "app" / "icons.py").write_text('ICON = "ti ti-custom-thing"\n')
    icons = project / "app" / "static" / "icons"
    icons.mkdir()
    sheet = icons / "tabler-icons.min.css"
    if change in ("edit", "remove"):
        sheet.write_text(STYLESHEET)

    def outputs():
        warm = run_process("--output-format", "json", ".")
        fresh = run_process("--output-format", "json", "--no-cache", ".")
        return json.loads(warm.stdout), json.loads(fresh.stdout)

    before, _ = outputs()  # fills the cache
    if change == "add":
        sheet.write_text(STYLESHEET)
    elif change == "edit":
        sheet.write_text(STYLESHEET.replace("custom-thing", "other-thing"))
    elif change == "remove":
        sheet.unlink()
    else:
        (icons / "tabler-icons-filled.css").write_text(STYLESHEET)
    warm, fresh = outputs()
    assert warm == fresh
    assert warm != before  # the change did change the findings


# ---- 14: --diff applies with git and patch for every encoding --fix keeps ----

# (text before the source, codec, bytes before the text)
ENCODINGS = {
    "utf-8": ("", "utf-8", b""),
    "bom": ("", "utf-8", b"\xef\xbb\xbf"),
    "latin-1": ("# -*- coding: latin-1 -*-\n", "latin-1", b""),
    "cp1252": ("# coding: cp1252\n", "cp1252", b""),
}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("first_line", [False, True], ids=["later-line", "first-line"])
@pytest.mark.parametrize("tool", ["git", "patch"])
def test_the_diff_applies_to_the_files_own_bytes(project, newline, encoding, first_line, tool):
    head, codec, prefix = ENCODINGS[encoding]
    accented = "Jos\xe9" if codec == "latin-1" else "Jos\xe9 \u20ac"
    body = f"from flask import g\nname = '{accented}'\nx = 1\n"
    # The fix on the first line: the line that holds the BOM.
    text = head + body if first_line else head + "import os\n" + body
    data = prefix + text.replace("\n", newline).encode(codec)
    path = project / "views.py"
    path.write_bytes(data)
    expected = data.replace(b"flask", b"quart")
    result = CliRunner().invoke(main, ["check", "--select", "STK101", "--diff", "views.py"])
    assert result.exit_code == 1, result.output
    assert path.read_bytes() == data  # --diff writes nothing
    (project / "fix.patch").write_bytes(result.stdout_bytes)
    if tool == "git":
        subprocess.run(["git", "init", "-q"], check=True)
        command = ["git", "apply", "fix.patch"]
    else:
        if shutil.which("patch") is None:
            pytest.skip("no patch here")
        command = ["patch", "-p1", "--binary", "-i", "fix.patch"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout
    assert path.read_bytes() == expected


# ---- 16: STK001 follows the running CPython ----

NEEDS_TREE = "import flask\n"  # STK101 needs libcst's tree: the file is parsed by both


def cpython_rejects(source: str) -> bool:
    """Whether CPython's parser refuses the file holding `source` (as UTF-8 bytes, the
    way lint() writes it: a leading U+FEFF is then a BOM)."""
    import ast
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(source.encode("utf-8"))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return True
    return False


@pytest.mark.parametrize(
    "source",
    [
        "\ufeffx = 1\n",  # a second BOM (the first is taken off when decoding)
        "x = 1\ny = \ufeff2\n",
        'x = {"a": 1}\nf"{x["a"]}"\n',  # nested same-quote f-string: 3.12+ only
        "x = 1\nf'{x!r:>{10}}'\n",
        "def first[T](items: list[T]) -> T:\n    return items[0]\n",  # 3.12+ only
        "type Items = list[int]\n",  # 3.12+ only
        "f() = 1\n",
        "del f()\n",
        "f(**a, *b)\n",
        "x = 1\n",
    ],
)
def test_stk001_is_what_cpython_says(source):
    for text in (NEEDS_TREE + source, source):
        found = [f for f in lint(text) if f.code == "STK001"]
        assert bool(found) == cpython_rejects(text), (text, found)


def test_a_double_bom_file_is_stk001():
    data = b"\xef\xbb\xbf\xef\xbb\xbfimport flask\n"
    finding = only(lint(data))
    assert finding.code == "STK001" and "U+FEFF" in finding.message


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from("()[]{}:=,.'\"#\\\nfrx1 \ufeff{}*"), max_size=60))
def test_stk001_iff_cpython_rejects(text):
    from stk_lint.pipeline import LIBCST_ONLY

    source = NEEDS_TREE + text
    found = [f for f in lint(source) if f.code == "STK001"]
    if found and found[0].message.startswith(LIBCST_ONLY):
        assert not cpython_rejects(source)  # libcst's own limit, said so
    else:
        assert bool(found) == cpython_rejects(source)


# ---- 18: configuration that cannot mean what it says is refused, naming the key ----


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("select = []", "`select` is empty, which would enable no rule"),
        ('select = [""]', "`select`: an empty rule code"),
        ('select = ["STK1", " "]', "`select`: an empty rule code"),
        ('ignore = [""]', "`ignore`: an empty rule code"),
        ('extend-select = [""]', "`extend-select`: an empty rule code"),
        ('per-file-ignores = { "[" = ["STK101"] }', "`per-file-ignores`: invalid pattern `[`"),
        ('per-file-ignores = { "a/*" = [""] }', "`per-file-ignores` `a/*`: an empty rule code"),
        ('extend-exclude = ["[z-a]"]', "`extend-exclude`: invalid pattern `[z-a]`"),
        ('exclude = ["build", "[b-a]*"]', "`exclude`: invalid pattern `[b-a]*`"),
        ('extend-exclude = ["["]', "`extend-exclude`: invalid pattern `[`"),
    ],
)
@pytest.mark.parametrize("args", [[], ["--no-cache"], ["--fix"]])
def test_configuration_that_means_nothing_is_refused(project, table, message, args):
    (project / "pyproject.toml").write_text(f"[tool.stk-lint]\n{table}\n")
    check(*args, ".")  # a warm cache must not hide it either
    result = check(*args, ".")
    assert result.exit_code == 2, result.output
    assert "stk-lint: error:" in result.output and message in result.output, result.output


def test_an_empty_select_on_the_command_line_is_refused(project):
    for value in ("", ",", " "):
        result = check("--select", value, ".")
        assert result.exit_code == 2 and "--select: no rule code given" in result.output


def test_all_means_every_rule_everywhere(project):
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text("import flask\nimport celery\n")
    (project / "pyproject.toml").write_text(
        '[tool.stk-lint]\nselect = ["ALL"]\nper-file-ignores = { "legacy/*" = ["ALL"] }\n'
    )
    result = check("--output-format", "concise", ".")
    assert result.output.splitlines() == [
        "ok.py:1:6: STK101 `flask` is Flask; stk uses `quart` "
        "(same API, async: `from quart import Blueprint, g, request, render_template`)"
    ]
    # The same as the default selection; an opt-in rule still needs its own code.
    assert check("--select", "ALL", "--output-format", "concise", "ok.py").output == result.output
    assert check("--ignore", "ALL", "ok.py").exit_code == 0


# ---- 19: `skill install --project` writes in the project only ----


@pytest.mark.parametrize("linked", [".claude", ".claude/skills"])
@pytest.mark.parametrize("relative", [False, True])
def test_skill_install_never_writes_outside_the_project_through_a_link(
    tmp_path, monkeypatch, linked, relative
):
    project = tmp_path / "proj"
    outside = tmp_path / "elsewhere"
    project.mkdir()
    outside.mkdir()
    link = project / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(project if relative else tmp_path)
    where = "." if relative else str(project)
    result = CliRunner().invoke(main, ["skill", "install", "--project", where, "--force"])
    assert result.exit_code == 2, result.output
    assert "leads outside the project" in result.output
    assert list(outside.iterdir()) == []


def test_skill_install_follows_links_inside_the_project(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / ".claude").symlink_to(tmp_path / "shared", target_is_directory=True)
    result = CliRunner().invoke(main, ["skill", "install", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shared" / "skills" / "stk-dev" / "SKILL.md").is_file()


# ---- 20: STK401 quotes the output as written ----


@pytest.mark.parametrize(
    "output",
    [
        "{{- item.name -}}",
        "{{ item.name }}",
        "{{item.name}}",
        "{{+ item.name }}",
        "{{ item.name -}}",
    ],
)
def test_stk401_quotes_the_output_as_written(output):
    page = (
        f'<div id="app"><p v-for="item in items">{output}</p></div>\n<script>\n'
        "const {createApp} = Vue;\n"
        "window.app = createApp({delimiters: config.delimiters, data() { return {items: []}; }});\n"
        "</script>\n"
    )
    finding = only(lint(page, "app/templates/x.html", select=["STK401"]))
    assert finding.message.startswith(f"`{output}` is rendered by Jinja")


def test_stk401_quotes_a_multiline_output_on_one_line():
    page = (
        '<div id="app"><p v-for="item in items">{{\n  item.name\n}}</p></div>\n<script>\n'
        "window.app = Vue.createApp({delimiters: config.delimiters, data() { return {items: []}; }});\n"
        "</script>\n"
    )
    finding = only(lint(page, "app/templates/x.html", select=["STK401"]))
    assert finding.message.startswith("`{{ item.name }}` is rendered by Jinja")


def test_a_named_pipe_for_a_stylesheet_is_not_read(project):
    (project / "pyproject.toml").write_text("[tool.stk-lint]\n")
    (project / "app" / "templates").mkdir(parents=True)
    (project / "app" / "templates" / "page.html").write_text(ICON_PAGE)
    (project / "app" / "static" / "icons").mkdir(parents=True)
    os.mkfifo(project / "app" / "static" / "icons" / "tabler-icons.css")
    result = run_process("--no-cache", ".")  # would block forever reading the pipe
    assert b"STK502" in result.stdout


APP_PROJECT = {
    "pyproject.toml": "[tool.stk-lint]\n",
    "stk/__init__.py": "",
    "stk/app.py": (
        "from quart import Quart\n\nfrom stk.things.views import bp\n\n\n"
        "def create_app():\n    app = Quart(__name__)\n    app.register_blueprint(bp)\n"
        "    return app\n"
    ),
    "stk/things/__init__.py": "",
    "stk/things/views.py": (
        "from quart import Blueprint, render_template, url_for\n\n"
        'bp = Blueprint("things", __name__)\n\n\n'
        '@bp.get("/")\nasync def index():\n'
        '    return await render_template("things/index.html", back=url_for("things.index"))\n'
        '\n\n@bp.get("/gone")\nasync def gone():\n'
        '    return await render_template("things/gone.html")\n'
    ),
    "stk/templates/layout.html": "{% block content %}{% endblock %}\n",
    "stk/templates/things/index.html": (
        '{% extends "layout.html" %}{% block content %}'
        "<a href=\"{{ url_for('things.nowhere') }}\">x</a>{% endblock %}"
        "{% block scripts %}{% endblock %}\n"
    ),
}


@pytest.mark.parametrize("damage", [None, 7, "x", [], {}])
def test_damaged_app_facts_in_the_cache_are_a_miss(tmp_path, damage):
    """The app index's facts (STK601-603) are too deeply shaped to check field by field:
    they are sealed with a digest, so any change to them, of any type, is a miss."""
    for name, text in APP_PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    fresh = _run(tmp_path, use_cache=False).findings
    assert {f.code for f in fresh} == {"STK601", "STK602", "STK603"}
    _run(tmp_path)
    (entries,) = [p for p in _cache_files(tmp_path) if p.name != "summaries.json"]
    pristine = entries.read_text()
    document = json.loads(pristine)
    places = [
        (name, kind, path)
        for name, entry in document.items()
        for kind, stored in entry.items()
        if kind.startswith("facts:app")
        for path in list(_nodes(stored[1]))[1:]
    ]
    assert len(places) > 20
    for name, kind, path in places[:: max(1, len(places) // 25)]:
        document = json.loads(pristine)
        parent = document[name][kind][1]
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = damage
        entries.write_text(json.dumps(document))
        result = _run(tmp_path)
        assert result.errors == [] and result.findings == fresh, (name, kind, path)
