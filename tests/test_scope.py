"""stk_lint.scope: which projects the integrations that run by themselves speak to."""

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stk_lint import scope
from stk_lint.cli import main
from stk_lint.config import ConfigError, load_settings
from stk_lint.scope import project_root, project_scope

SAMPLE_APP = Path(__file__).resolve().parent / "sample_app"


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


QUART_APP = "from quart import Quart\n\napp = Quart(__name__)\n"
ASYNC_DB = "from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine\n"
FLASK_APP = "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n"


@pytest.mark.parametrize(
    ("files", "stk"),
    [
        ({"app/views.py": "from stk.extensions import Base\n"}, True),
        ({"app/views.py": "import stk.extensions as ext\n"}, True),
        ({"app/views.py": "    from stk import tasks  # inside a function\n"}, True),
        ({"app/__init__.py": QUART_APP, "app/db.py": ASYNC_DB}, True),
        ({"app/__init__.py": QUART_APP, "app/db.py": "from sqlalchemy.ext import asyncio\n"}, True),
        ({"app/__init__.py": "import quart_security\n", "app/db.py": ASYNC_DB}, True),
        # Not stk: Flask (with or without Flask-SQLAlchemy), Quart without async
        # SQLAlchemy, async SQLAlchemy without Quart (a FastAPI app), look-alike names.
        ({"app.py": FLASK_APP}, False),
        ({"app.py": QUART_APP, "db.py": "from sqlalchemy import create_engine\n"}, False),
        ({"main.py": "from fastapi import FastAPI\n", "db.py": ASYNC_DB}, False),
        ({"tool.py": "import stk_lint\nfrom stkx import y\nimport quartz\n"}, False),
        ({"doc.py": '"""Use `from quart import Quart` and sqlalchemy.ext.asyncio."""\n'}, False),
        ({}, False),
    ],
)
def test_stk_projects_are_recognised_from_their_imports(tmp_path, files, stk):
    _project(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", **files})
    edited = tmp_path / "templates" / "page.html"
    edited.parent.mkdir()
    edited.write_text("<p></p>\n")
    verdict = project_scope(edited)
    assert verdict.stk is stk, verdict.reason
    assert verdict.root == tmp_path


def test_a_table_asks_for_stk_lint_and_can_say_no(tmp_path):
    flask = _project(
        tmp_path / "flask", {"pyproject.toml": "[tool.stk-lint]\n", "app.py": FLASK_APP}
    )
    assert project_scope(flask / "app.py").stk
    stk = _project(
        tmp_path / "stk",
        {"pyproject.toml": "[tool.stk-lint]\nstk-project = false\n", "app.py": "import stk\n"},
    )
    verdict = project_scope(stk / "app.py")
    assert not verdict.stk
    assert "stk-project = false" in verdict.reason
    on = _project(tmp_path / "on", {"pyproject.toml": "[tool.stk-lint]\nstk-project = true\n"})
    assert project_scope(on).stk


def test_a_pyproject_without_the_table_decides_nothing(tmp_path):
    _project(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n', "app.py": FLASK_APP})
    assert not project_scope(tmp_path / "app.py").stk
    (tmp_path / "app.py").write_text("from stk.extensions import Base\n")
    assert project_scope(tmp_path / "app.py").stk


def test_an_unreadable_pyproject_leaves_the_decision_to_the_code(tmp_path):
    _project(tmp_path, {"pyproject.toml": "[tool.stk-lint\n", "app.py": "import stk\n"})
    assert project_scope(tmp_path / "app.py").stk


def test_the_switch_must_be_a_boolean(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.stk-lint]\nstk-project = "no"\n')
    with pytest.raises(ConfigError, match="`stk-project` must be true or false"):
        load_settings(tmp_path / "pyproject.toml")


def test_a_check_by_hand_is_not_scoped(tmp_path, monkeypatch):
    """`stk-lint check` checks what it is named, stk project or not."""
    _project(tmp_path, {"pyproject.toml": "[tool.stk-lint]\nstk-project = false\n"})
    _project(tmp_path, {"app.py": FLASK_APP})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--no-cache", "app.py"])
    assert result.exit_code == 1
    assert "app.py:1:6: STK101" in result.output


def test_virtual_environments_and_hidden_folders_are_not_the_project(tmp_path):
    """A Flask project whose .venv holds Quart and SQLAlchemy is still a Flask project."""
    _project(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            ".git/HEAD": "",
            "app.py": FLASK_APP,
            ".venv/lib/site-packages/quart/app.py": QUART_APP,
            ".venv/lib/site-packages/sqlalchemy/ext/asyncio/db.py": ASYNC_DB,
            "node_modules/x/y.py": "import stk\n",
            ".tox/z.py": "import stk\n",
        },
    )
    assert not project_scope(tmp_path / "app.py").stk


def test_the_root_is_the_nearest_project_marker(tmp_path):
    _project(tmp_path, {".git/HEAD": "", "backend/pyproject.toml": "", "backend/app/x.py": ""})
    assert project_root(tmp_path / "backend" / "app") == tmp_path / "backend"
    assert project_root(tmp_path) == tmp_path


def test_without_a_marker_the_root_is_above_the_outermost_package(tmp_path):
    _project(tmp_path, {"proj/stk/__init__.py": "", "proj/stk/things/__init__.py": ""})
    assert project_root(tmp_path / "proj" / "stk" / "things") == tmp_path / "proj"


def test_a_template_folder_inside_a_package_belongs_to_the_package_s_project(tmp_path):
    """A package's `templates/` and `static/` folders hold no `__init__.py`; without a
    project marker their root is still the one above the package, so an edited template
    of an stk app is in scope."""
    _project(
        tmp_path,
        {
            "proj/stk/__init__.py": "from stk.extensions import Base\n",
            "proj/stk/templates/things/index.html": "",
            "proj/stk/static/js/app.js": "",
        },
    )
    template = tmp_path / "proj" / "stk" / "templates" / "things" / "index.html"
    assert project_root(template.parent) == tmp_path / "proj"
    assert project_scope(template).stk
    assert project_scope(tmp_path / "proj" / "stk" / "static" / "js" / "app.js").stk
    # a folder under no package at all stays its own root
    _project(tmp_path, {"loose/templates/page.html": ""})
    assert project_root(tmp_path / "loose" / "templates") == tmp_path / "loose" / "templates"


def test_the_search_starts_next_to_the_edited_file(tmp_path, monkeypatch):
    """Far more files than the bound, but the proof sits beside the edited file."""
    monkeypatch.setattr(scope, "MAX_FILES", 5)
    files = {f"aaa/module_{i}.py": "import os\n" for i in range(20)}
    files["zzz/app/db.py"] = "from stk.extensions import Base\n"
    _project(tmp_path, {".git/HEAD": "", **files})
    page = tmp_path / "zzz" / "app" / "templates" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("")
    assert project_scope(page).stk
    # Beyond the bound, what was not read proves nothing: a table says what the code cannot.
    assert not project_scope(tmp_path / "aaa" / "module_0.py").stk


def test_the_sample_app_is_an_stk_project():
    for name in ("stk/things/views.py", "stk/templates/things/index.html", "stk/static/js"):
        assert project_scope(SAMPLE_APP / name).stk, name


def test_scope_needs_only_the_standard_library():
    """The Claude Code plugin runs it with the system Python, before stk-lint's
    dependencies are installed anywhere."""
    probe = (
        "import sys; sys.path[:0] = [sys.argv[1]]\n"
        "from pathlib import Path\n"
        "from stk_lint.scope import project_scope\n"
        "import stk_lint.plugin\n"
        "print(project_scope(Path(sys.argv[2])).stk)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('libcst', 'click', 'yaml', 'jinja2', 'pathspec', 'tree_sitter')))\n"
    )
    source = str(Path(scope.__file__).resolve().parent.parent)
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe, source, str(SAMPLE_APP / "stk" / "app.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "[]"]


def test_a_named_pipe_among_the_modules_is_not_read(tmp_path):
    """The scan reads regular files only: a pipe named like a module would block the
    hook (and so the edit) until its timeout."""
    import os

    _project(tmp_path, {"pyproject.toml": "", "app/views.py": "x = 1\n"})
    os.mkfifo(tmp_path / "app" / "a_pipe.py")
    _project(tmp_path, {"app/z_db.py": "from stk.extensions import Base\n"})
    assert project_scope(tmp_path / "app" / "views.py").stk
