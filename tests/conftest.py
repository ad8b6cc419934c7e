import inspect
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from stk_lint.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


class Run:
    def __init__(self, result):
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr


@pytest.fixture
def stk_lint(monkeypatch):
    """Invoke the CLI in-process: `stk_lint("check", "x.py")` -> exit code, stdout, stderr."""

    def invoke(*args, cwd=None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return Run(CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False))

    return invoke


@pytest.fixture
def project(tmp_path):
    """Write a small project: project({"app/views.py": "...", "pyproject.toml": "..."})."""

    def write(files):
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text)
        return tmp_path

    return write


_CODE = re.compile(r"\bSTK\d{3}\b")


def pytest_collection_modifyitems(items):
    """Tests for a rule are found under its code: `pytest -k STK202` selects every test
    of a module named for the rule (`test_missing_await*.py`) and every test whose
    source or parameters name the code (the registry's example tests are parametrized
    with ids that start with it)."""
    from stk_lint.registry import ALL_RULES

    by_module = {"test_" + rule.name.replace("-", "_"): rule.code for rule in ALL_RULES}
    named: dict[object, set[str]] = {}
    for item in items:
        function = getattr(item, "function", None)
        if function is None:
            continue
        if function not in named:
            try:
                named[function] = set(_CODE.findall(inspect.getsource(function)))
            except (OSError, TypeError):
                named[function] = set()
        codes = set(named[function])
        stem = Path(str(item.fspath)).stem
        codes.update(code for prefix, code in by_module.items() if stem.startswith(prefix))
        item.extra_keyword_matches.update(codes)
