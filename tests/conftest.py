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
