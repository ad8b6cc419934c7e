"""Parallel checking, the cache, pre-parse skips and lazy imports give the same findings."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stk_lint import pipeline as engine
from stk_lint import runner, summaries, summary_store
from stk_lint.cache import CACHE_DIR_NAME
from stk_lint.config import Settings
from stk_lint.testing import codes, lint

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import make_corpus  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    make_corpus.generate(out, scale=1)
    # Pathological files: deep nesting, a huge literal, bytes that are not text.
    (out / "app" / "deep.py").write_text("x = " + "(" * 3000 + "1" + ")" * 3000 + "\n")
    (out / "app" / "huge.py").write_text("BLOB = " + repr("stk " * 200_000) + "\n")
    (out / "app" / "binary.py").write_bytes(b"x = 1\x00\n")
    return out


def _settings(root: Path) -> Settings:
    return Settings(root=root)


def _json(findings) -> list[dict]:
    return [f.to_json() for f in findings]


def test_corpus_is_deterministic(tmp_path):
    make_corpus.generate(tmp_path / "a", scale=2)
    make_corpus.generate(tmp_path / "b", scale=2)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*"))
    assert files_a == files_b
    for relative in files_a:
        if (tmp_path / "a" / relative).is_file():
            assert (tmp_path / "a" / relative).read_bytes() == (
                tmp_path / "b" / relative
            ).read_bytes()


def test_corpus_has_findings_of_every_python_rule(corpus):
    found = {f.code for f in runner.run([corpus], _settings(corpus)).findings}
    assert {"STK001", "STK003", "STK101", "STK102", "STK201", "STK301", "STK302", "STK303"} <= found


def test_parallel_gives_the_same_findings_in_the_same_order(corpus, monkeypatch):
    serial = runner.run([corpus], _settings(corpus), jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    calls = []
    real = runner._check_parallel
    monkeypatch.setattr(runner, "_check_parallel", lambda *a, **k: calls.append(1) or real(*a, **k))
    parallel = runner.run([corpus], _settings(corpus), jobs=2)
    assert calls, "the parallel path was not taken"
    assert _json(parallel.findings) == _json(serial.findings)
    assert parallel.files == serial.files


def test_a_run_leaves_the_garbage_collector_as_it_found_it(corpus):
    """Collections are rare during a check; a process that runs stk-lint as a library
    gets its own settings back, and nothing stays frozen."""
    import gc

    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    seen = []
    real = runner._check_task
    runner._check_task = lambda *a: seen.append(gc.get_threshold()) or real(*a)
    try:
        runner.run([corpus / "app"], _settings(corpus), jobs=1)
    finally:
        runner._check_task = real
    assert seen and all(threshold[0] > before[0] for threshold in seen)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_skips_lose_no_findings(corpus):
    with_skips = runner.run([corpus], _settings(corpus), skips=True)
    without = runner.run([corpus], _settings(corpus), skips=False)
    # Whether the skips apply is the run's, in each file's request: no module state.
    assert not hasattr(engine, "PRE_PARSE_SKIPS")
    assert _json(with_skips.findings) == _json(without.findings)


def test_skips_parse_nothing_when_no_rule_could_fire(monkeypatch):
    parsed = []
    real = engine.cst.parse_module
    monkeypatch.setattr(engine.cst, "parse_module", lambda s: parsed.append(s) or real(s))
    helper = "def add(a, b):\n    return a + b\n"
    # STK202's own screen (tests/test_missing_await_screen.py) rules this module out too.
    assert lint(helper) == []
    assert parsed == []
    # A syntax error still reaches libcst, whose finding is the one a full check gives.
    assert codes(lint("def broken(:\n    pass\n")) == ["STK001"]
    assert len(parsed) == 1
    # A rule that could fire gets the file.
    assert codes(lint("import flask\n")) == ["STK101"]


def test_the_unvalidated_parse_builds_the_same_tree_and_restores_validation(corpus):
    """libcst's per-node validation is off while the checker parses (a tree built from
    source is valid by construction) and on again afterwards, for the nodes fixes build."""
    import libcst as cst

    sources = [p.read_text() for p in sorted(corpus.rglob("*.py")) if p.name != "deep.py"]
    compared = 0
    for source in sources:
        try:
            expected = cst.parse_module(source)
        except cst.ParserSyntaxError:
            with pytest.raises(cst.ParserSyntaxError):
                engine.parse_unvalidated(source)
            continue
        parsed = engine.parse_unvalidated(source)
        assert parsed.deep_equals(expected)
        assert parsed.code == source
        compared += 1
    assert compared > 50
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")  # validation is back
    with pytest.raises(cst.ParserSyntaxError):
        engine.parse_unvalidated("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("1x")  # and back after a failed parse


def test_pathological_files_are_findings_not_crashes(corpus):
    findings = runner.run([corpus / "app"], _settings(corpus)).findings
    by_path = {
        f.path.rsplit("/", 1)[-1]: f.code
        for f in findings
        if f.path.endswith(("deep.py", "binary.py"))
    }
    assert by_path == {"deep.py": "STK001", "binary.py": "STK003"}


# --- the cache -------------------------------------------------------------------------


def _cli(*args: str, cwd: Path, probe: bool = False) -> subprocess.CompletedProcess:
    """Run `stk-lint` in a fresh process; with `probe`, also print the imported packages."""
    code = (
        "import sys\n"
        "from stk_lint.cli import main\n"
        f"sys.argv = ['stk-lint', *{list(args)!r}]\n"
        "try:\n    main()\n"
        "finally:\n"
        + (
            "    print('MODULES', sorted(sys.modules), file=sys.stderr)\n"
            if probe
            else "    pass\n"
        )
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _modules(process: subprocess.CompletedProcess, packages: bool = True) -> set[str]:
    """The modules the process imported: top-level packages, or every module's full name."""
    line = next(x for x in process.stderr.splitlines() if x.startswith("MODULES"))
    names = set(ast.literal_eval(line.split(" ", 1)[1]))
    return {name.split(".")[0] for name in names} if packages else names


@pytest.fixture
def project_dir(tmp_path) -> Path:
    make_corpus.generate(tmp_path, scale=1)
    (tmp_path / "pyproject.toml").write_text('[tool.stk-lint]\nignore = ["STK303"]\n')
    return tmp_path


def test_warm_run_gives_the_same_output_without_importing_libcst(project_dir):
    cold = _cli("check", ".", "--output-format", "json", cwd=project_dir)
    warm = _cli("check", ".", "--output-format", "json", cwd=project_dir, probe=True)
    uncached = _cli("check", ".", "--output-format", "json", "--no-cache", cwd=project_dir)
    assert cold.returncode == warm.returncode == uncached.returncode == 1
    assert json.loads(cold.stdout) == json.loads(warm.stdout) == json.loads(uncached.stdout)
    assert "STK303" not in cold.stdout
    assert {"libcst", "jinja2", "yaml", "multiprocessing"}.isdisjoint(_modules(warm))
    cache = project_dir / CACHE_DIR_NAME
    assert (
        (cache / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"


def test_hook_run_imports_only_what_it_needs(project_dir):
    one = _cli("check", "app/things/views.py", "--no-cache", cwd=project_dir, probe=True)
    assert one.returncode == 0, one.stdout + one.stderr
    assert {"jinja2", "yaml", "pathspec"}.isdisjoint(_modules(one))
    # Nor stk-lint's own template and JavaScript machinery: a Python file needs none of it.
    template_modules = {
        "stk_lint.templates.context",
        "stk_lint.templates.html",
        "stk_lint.templates.jinja",
        "stk_lint.templates.js",
        "stk_lint.templates.vue",
    }
    assert template_modules.isdisjoint(_modules(one, packages=False))


def test_changed_file_is_rechecked_and_corrupt_entries_ignored(project_dir):
    settings = Settings(root=project_dir)
    first = runner.run([project_dir], settings, use_cache=True)
    assert first.cached == 0
    views = project_dir / "app" / "things" / "views.py"
    views.write_text(views.read_text() + "\nimport flask\n")
    (kept,) = _entries_files(project_dir)
    entries = json.loads(kept.read_text())
    names = sorted(entries)
    for name in names[::3]:
        entries[name] = "truncated"
    for name in names[1::3]:
        if "findings" in entries[name]:  # not the app index's own entries (facts only)
            entries[name]["findings"] = [entries[name]["findings"][0], [{"bogus": 1}]]
    kept.write_text(json.dumps(entries))
    second = runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    fresh = runner.run([project_dir], Settings(root=project_dir), use_cache=False)
    assert _json(second.findings) == _json(fresh.findings)
    assert any(f.path.endswith("things/views.py") and f.code == "STK101" for f in second.findings)
    assert 0 < second.cached < second.files
    third = runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    assert third.cached == third.files

    kept.write_bytes(b'{"app/things/views.py\x00": [trunc')  # a file cut short: all misses
    fourth = runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    assert fourth.cached == 0 and _json(fourth.findings) == _json(fresh.findings)


def _entries_files(project_dir):
    """The cache's entry files (one per configuration), not the kept module summaries."""
    return [
        path
        for path in (project_dir / CACHE_DIR_NAME).rglob("*.json")
        if path.name != "summaries.json"
    ]


def test_a_warm_run_opens_one_cache_file(project_dir, monkeypatch):
    runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    opened = []

    def recording(real_open):
        def recording_open(file, *args, **kwargs):
            if CACHE_DIR_NAME in str(file):
                opened.append(Path(file).name)
            return real_open(file, *args, **kwargs)

        return recording_open

    monkeypatch.setattr("builtins.open", recording(open))
    monkeypatch.setattr("os.open", recording(os.open))
    again = runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    assert again.cached == again.files > 5
    assert len(opened) == 1, opened  # the entries; the module summaries are not needed


def test_entries_of_deleted_files_are_dropped(project_dir):
    runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    (project_dir / "app" / "things" / "views.py").unlink()
    runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    (kept,) = _entries_files(project_dir)
    assert not any("things/views.py" in name for name in json.loads(kept.read_text()))


def test_configuration_is_part_of_the_key(project_dir):
    runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    narrowed = Settings(root=project_dir, select=["STK101"])
    result = runner.run([project_dir], narrowed, use_cache=True)
    assert result.cached == 0
    # The corpus's syntax error is reported whatever the selection.
    assert {f.code for f in result.findings} == {"STK001", "STK101"}


def test_invalid_configuration_fails_even_with_a_warm_cache(project_dir):
    assert _cli("check", ".", cwd=project_dir).returncode == 1
    bad = _cli("check", ".", "--select", "STK999", cwd=project_dir)
    assert bad.returncode == 2
    assert "unknown rule code" in bad.stderr
    (project_dir / "pyproject.toml").write_text('[tool.stk-lint]\nignore = ["NOPE1"]\n')
    assert _cli("check", ".", cwd=project_dir).returncode == 2


def test_no_cache_writes_nothing(project_dir):
    assert _cli("check", ".", "--no-cache", cwd=project_dir).returncode == 1
    assert not (project_dir / CACHE_DIR_NAME).exists()


def test_project_facts_a_file_depends_on_are_part_of_its_key(project_dir, monkeypatch):
    """STK202's index: summaries are cached per file, and a Python file is re-checked when
    the async facts of the project change, and only then."""
    summarized = []
    real_summarise = summaries.summarise

    def counting_summarise(source, module, is_package=False):
        summarized.append(module)
        return real_summarise(source, module, is_package)

    monkeypatch.setattr(summaries, "summarise", counting_summarise)
    monkeypatch.setattr(summary_store, "summarise", counting_summarise)
    python_files = len(list(project_dir.rglob("*.py")))
    first = runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    assert first.cached == 0 and len(summarized) == python_files
    summarized.clear()
    again = runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    assert again.cached == again.files and summarized == []
    assert again.findings == first.findings
    # An edit that changes no async fact: only that file is checked again.
    tasks = sorted(project_dir.rglob("tasks.py"))
    tasks[0].write_text(tasks[0].read_text() + "\n# a comment\n")
    edited = runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    assert edited.files - edited.cached == 1 and len(summarized) == 1
    # Making the task helpers synchronous changes what every Python file may depend on.
    for path in tasks:
        path.write_text(path.read_text().replace("async def notify_", "def notify_"))
    changed = runner.run([project_dir], Settings(root=project_dir), use_cache=True)
    assert changed.files - changed.cached == python_files


def test_a_sub_folder_run_notices_changes_to_modules_outside_it(tmp_path):
    package = tmp_path / "app"
    (package / "views").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "views" / "__init__.py").write_text("")
    models = package / "models.py"
    models.write_text("class Activity:\n    async def register(self):\n        pass\n")
    view = package / "views" / "things.py"
    view.write_text(
        "from app.models import Activity\n\n\nasync def create():\n    Activity().register()\n"
    )
    settings = Settings(root=tmp_path)
    first = runner.run([package / "views"], settings, use_cache=True)
    assert [f.code for f in first.findings] == ["STK202"]
    models.write_text("class Activity:\n    def register(self):\n        pass\n")
    second = runner.run([package / "views"], Settings(root=tmp_path), use_cache=True)
    assert second.cached == 0 and second.findings == []


def test_project_rules_are_named_for_the_runner():
    from stk_lint.registry import ALL_RULES

    assert tuple(r.code for r in ALL_RULES if r.needs_project) == runner.PROJECT_RULES


def test_benchmark_runs_on_a_tiny_corpus(tmp_path):
    process = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench.py"),
            "--corpus",
            "synthetic",
            "--scales",
            "1",
            "--repeat",
            "1",
            "--quick-rounds",
            "1",
            "--work",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    for ratio in ("b/a", "c/a", "d/b", "e/f", "peak RSS", "identical with and without skips"):
        assert ratio in process.stdout


# --- positions -------------------------------------------------------------------------

TRICKY_SOURCES = (
    "x = 1",  # no trailing newline
    "def f(a,\r\n      b):\r\n    return a  # crlf\r\n",
    "if x:\n\ty = (1 +\n\t     2)\n",
    "@decorator\n@other(1)\nasync def handler():\n    '''doc'''\n    await thing()\n",
    "# comment only\n\n\n",
    'x = ("a"\n     "b"  # joined\n     "c")\nclass A(B, metaclass=M):\n    pass\n',
    "with (open(a) as f,\n      open(b) as g):\n    pass\nmatch x:\n    case [1, *rest]:\n        pass\n",
    "lambda: (yield)\nprint(f'{x!r:>{width}}')\n",
    "a = 1; b = 2\nc = 3\n",
    "x = 1 + \\\n    2\ny = 3\n",
    "# c\n\n@dec  # why\n\n# more\n@ dec2\nclass A: pass\n",
    "if x: pass\nelse: y()\n",
    "x = 1\n\n\n# tail comment\n",
    # Placed by generating the module whole: a byte order mark, a form feed, an `@`
    # alone on its line, `type` (before Python 3.12).
    "\ufeffimport x\nx.y()\n",
    "\x0cimport x\n\x0c\ndef f():\n    pass\n",
    "@\\\ndec\ndef f(): pass\n",
    "type X = int\nx: X = 1\n",
    # Statements inside functions and classes, generated alone.
    'class A(Base):\n    """Doc."""\n\n    x: int = 1  # c\n\n    @property\n'
    "    def p(self):\n        # lead\n        return self.x\n# dedented comment\n"
    "    def q(self, a,\n          b):\n        if a:\n            return b  # t\n"
    "        def inner():\n            yield 1\n\n        return inner\n    # trailing\n"
    "\n\ndef f():\n    pass\n",
    "class T:\n\tdef m(self):\n\t\treturn 1\n\tdef n(self):\n\t\tif x:\n\t\t\tpass\n",
    "class C:\r\n    def m(self):\r\n        return g(1,\r\n   2)\r\n",
    "class D:\n    def m(self): return 1\n    x = 2; y = 3\n    class E: pass\n",
    "class E:\n  def m(self):\n        return (1,\n  2)\n  async def n(self):\n"
    "        await a; await \\\n  b\n",
    "async def outer():\n    @dec  # c\n\n    # between\n    @dec2\n"
    "    async def inner():\n        await x()\n    return inner\n",
    "def f():\n    x = 1\n    \x0c\n    return x\n",
)


def test_positions_print_no_warning_about_the_checked_code():
    """CPython's parser warns about some valid code (`"\\d"`, a SyntaxWarning since
    Python 3.12); placing statements must neither print it nor give up because of it."""
    import warnings

    import libcst as cst

    from stk_lint.positions import Positions

    source = 'import re\n\nPATTERN = re.compile("\\d+")\nvalue = 1\n'
    module = cst.parse_module(source)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        positions = Positions(module, source)
        assert positions[module.body[2]].start.line == 4
    assert not positions.whole_module


def test_positions_generate_only_the_innermost_statement():
    """A node in a method is placed by generating the method's statement, not the class."""
    import libcst as cst

    from stk_lint.positions import Positions

    source = (
        "class Things:\n"
        "    def a(self):\n        return 1\n\n"
        "    async def b(self):\n        # why\n        await self.save()\n"
        "        self.commit()\n"
    )
    module = cst.parse_module(source)
    method = module.body[0].body.body[1]
    commit = method.body.body[1]
    positions = Positions(module, source)
    assert positions[commit].start.line == 8
    assert positions[commit].start.column == 8
    assert not positions.whole_module
    assert module.body[0] not in positions._spans
    assert method not in positions._spans
    assert positions[method].start.line == 5  # the whole method, when asked


def test_positions_are_libcst_positions(corpus):
    """The lean position pass agrees with libcst's PositionProvider and
    WhitespaceInclusivePositionProvider on every node."""
    import libcst as cst
    from libcst.metadata import (
        MetadataWrapper,
        PositionProvider,
        WhitespaceInclusivePositionProvider,
    )

    from stk_lint.positions import Positions
    from stk_lint.tree import descendants

    sources = list(TRICKY_SOURCES)
    # Not deep.py: too deep for libcst's native parser (the engine never hands it over).
    sources += [p.read_text() for p in sorted(corpus.rglob("*.py")) if p.name != "deep.py"]
    compared = whole = 0
    for source in sources:
        try:
            module = cst.parse_module(source)
        except (cst.ParserSyntaxError, UnicodeDecodeError):
            continue
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        expected = wrapper.resolve(PositionProvider)
        inclusive = wrapper.resolve(WhitespaceInclusivePositionProvider)
        ours = Positions(module)
        # Given the source, statement by statement; each node asked in a fresh instance
        # for a few, so the first lookup in a statement is tested too.
        lazy = Positions(module, source)
        in_statements = {node for part in module.body for node in descendants(part)}
        for number, (node, where) in enumerate(expected.items()):
            assert ours[node] == where, (source, type(node).__name__)
            assert ours.inclusive(node) == inclusive[node], (source, type(node).__name__)
            if node not in in_statements:
                continue  # the module's lines, layout: asking would generate it whole
            assert lazy[node] == where, (source, type(node).__name__)
            assert lazy.inclusive(node) == inclusive[node], (source, type(node).__name__)
            if number % 7 == 0:
                assert Positions(module, source)[node] == where, (source, type(node).__name__)
            compared += 1
        whole += lazy.whole_module
    assert compared > 10_000
    # Only the sources whose statements cannot be placed are generated whole: the four
    # above and the one without a final newline.
    assert whole <= 5, whole
