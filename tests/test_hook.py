"""`stk-lint hook claude`: Claude Code's PostToolUse hook."""

import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from stk_lint.cli import main
from stk_lint.hook import run_hook

FLASK_VIEW = "from flask import Blueprint\n\nbp = Blueprint('x', __name__)\n"
CLEAN_VIEW = "from quart import Blueprint\n\nbp = Blueprint('x', __name__)\n"


@pytest.fixture
def stk_project(tmp_path):
    """A project that asked for stk-lint: the hook acts only in stk projects."""
    (tmp_path / "pyproject.toml").write_text("[tool.stk-lint]\n")
    return tmp_path


def _hook(payload):
    stdin = io.StringIO(payload if isinstance(payload, str) else json.dumps(payload))
    stderr = io.StringIO()
    code = run_hook(stdin, stderr)
    return code, stderr.getvalue()


def _edit(path, tool="Edit", **extra):
    return {
        "session_id": "s",
        "hook_event_name": "PostToolUse",
        "tool_name": tool,
        "tool_input": {"file_path": str(path), "old_string": "a", "new_string": "b"},
        "tool_response": {"filePath": str(path), "success": True},
        **extra,
    }


def test_findings_go_to_stderr_with_exit_2(stk_project):
    tmp_path = stk_project
    view = tmp_path / "views.py"
    view.write_text(FLASK_VIEW)
    code, err = _hook(_edit(view, cwd=str(tmp_path)))
    assert code == 2
    assert err.splitlines()[0] == "stk-lint: 1 problem in views.py; fix before moving on:"
    assert "  1:6 STK101 `flask` is Flask" in err
    assert "stk-lint rule STK101" in err


def test_calls_into_sibling_modules_resolve(stk_project):
    tmp_path = stk_project
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(
        "class Activity:\n    @classmethod\n    async def register(cls, user_id, action):\n"
        "        pass\n"
    )
    view = package / "views.py"
    view.write_text(
        "from .models import Activity\n\n\nasync def create(user):\n"
        "    Activity.register(user.id, 'Create')\n"
    )
    code, err = _hook(_edit(view, cwd=str(tmp_path)))
    assert code == 2
    assert "5:5 STK202 `Activity.register` is async (app/models.py:3)" in err


def test_a_clean_file_exits_0_silently(tmp_path):
    view = tmp_path / "views.py"
    view.write_text(CLEAN_VIEW)
    assert _hook(_edit(view, tool="Write")) == (0, "")


@pytest.mark.parametrize("name", ["notes.md", "data.json", "app.min.js", "Makefile"])
def test_files_stk_lint_does_not_handle_are_ignored(tmp_path, name):
    path = tmp_path / name
    path.write_text("from flask import Flask\n")
    assert _hook(_edit(path)) == (0, "")


def test_a_relative_path_is_taken_from_cwd(stk_project):
    tmp_path = stk_project
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(FLASK_VIEW)
    payload = _edit("app/views.py", cwd=str(tmp_path))
    code, err = _hook(payload)
    assert code == 2
    assert "in app/views.py" in err


def test_a_missing_file_is_not_an_error(tmp_path):
    assert _hook(_edit(tmp_path / "gone.py")) == (0, "")


@pytest.mark.parametrize(
    ("payload", "note"),
    [
        ("not json", "not JSON"),
        ("", "not a JSON object"),
        ("[1, 2]", "not a JSON object"),
        ('{"tool_input": "x"}', "`tool_input` is not an object"),
        ('{"tool_input": {"file_path": 3}}', "`tool_input.file_path` is not a path"),
    ],
)
def test_malformed_input_never_blocks(payload, note):
    code, err = _hook(payload)
    assert code == 0
    assert note in err


@pytest.mark.parametrize(
    "payload",
    [
        '{"tool_name": "Bash", "tool_input": {"command": "ls"}}',
        '{"tool_name": "NotebookEdit", "tool_input": {"notebook_path": "/x/a.ipynb"}}',
        '{"hook_event_name": "Stop"}',
    ],
)
def test_input_without_a_file_is_silent(payload):
    assert _hook(payload) == (0, "")


def test_the_project_configuration_applies(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.stk-lint]\nignore = ["STK101"]\n')
    view = tmp_path / "views.py"
    view.write_text(FLASK_VIEW)
    assert _hook(_edit(view)) == (0, "")


def test_excluded_files_are_not_checked(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.stk-lint]\nexclude = ["legacy/"]\n')
    (tmp_path / "legacy").mkdir()
    view = tmp_path / "legacy" / "views.py"
    view.write_text(FLASK_VIEW)
    assert _hook(_edit(view)) == (0, "")


def test_a_broken_configuration_does_not_block(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.stk-lint]\nselect = ["NOPE1"]\n')
    view = tmp_path / "views.py"
    view.write_text(FLASK_VIEW)
    code, err = _hook(_edit(view))
    assert code == 0
    assert err.startswith("stk-lint hook: not checked:")


def test_many_findings_are_summarised(stk_project):
    tmp_path = stk_project
    view = tmp_path / "views.py"
    view.write_text("".join(f"import flask_mod{i}\n" for i in range(25)))
    code, err = _hook(_edit(view))
    assert code == 2
    assert "... and 5 more" in err
    assert len(err.splitlines()) == 1 + 20 + 1 + 1


def test_the_cli_command(stk_project):
    tmp_path = stk_project
    view = tmp_path / "views.py"
    view.write_text(FLASK_VIEW)
    result = CliRunner().invoke(main, ["hook", "claude"], input=json.dumps(_edit(view)))
    assert result.exit_code == 2
    assert "STK101" in result.output  # CliRunner mixes stderr into output


def test_the_installed_entry_point(stk_project):
    tmp_path = stk_project
    view = tmp_path / "views.py"
    view.write_text(FLASK_VIEW)
    done = subprocess.run(
        [sys.executable, "-m", "stk_lint", "hook", "claude"],
        input=json.dumps(_edit(view)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "STK101" in done.stderr


def test_the_hook_knows_every_suffix_stk_lint_checks():
    from stk_lint.files import LANGUAGE_BY_SUFFIX
    from stk_lint.hook import CHECKED_SUFFIXES

    assert set(LANGUAGE_BY_SUFFIX) == CHECKED_SUFFIXES


@pytest.mark.parametrize(("name", "heavy"), [("notes.md", False), ("views.py", True)])
def test_the_console_script_starts_the_hook_without_the_engine_unless_needed(
    stk_project, name, heavy
):
    """Files stk-lint does not check cost no libcst import: the hook runs after every edit."""
    tmp_path = stk_project
    (tmp_path / name).write_text(CLEAN_VIEW)
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('libcst' in sys.modules))\n"
        "sys.argv = ['stk-lint', 'hook', 'claude']\n"
        "from stk_lint.entry import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        input=json.dumps(_edit(tmp_path / name)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(heavy)


def test_the_console_script_runs_the_other_commands(tmp_path):
    probe = (
        "import sys\n"
        "sys.argv = ['stk-lint', 'rule', 'STK101']\n"
        "from stk_lint.entry import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# STK101 flask-import")


def test_a_test_file_resolves_the_package_beside_tests(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.stk-lint]\nselect = ["STK202"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "services.py").write_text("async def notify(user_id):\n    pass\n")
    (tmp_path / "tests").mkdir()
    test_file = tmp_path / "tests" / "test_services.py"
    test_file.write_text(
        "from app.services import notify\n\n\nasync def test_notify():\n    notify(1)\n"
    )
    code, err = _hook(_edit(test_file, cwd=str(tmp_path)))
    assert code == 2
    assert "5:5 STK202 `notify` is async (app/services.py:1)" in err


FLASK_APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def test_a_flask_project_is_left_alone(tmp_path):
    """The hook runs after every edit in every project: a Flask app is not told to
    become Quart (it was: `STK101 flask is Flask; stk uses quart`, exit 2)."""
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / ".git").mkdir()
    app = tmp_path / "app.py"
    app.write_text(FLASK_APP)
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "index.html"
    page.write_text('<i class="mdi mdi-home"></i>\n')
    assert _hook(_edit(app, cwd=str(tmp_path))) == (0, "")
    assert _hook(_edit(page, cwd=str(tmp_path))) == (0, "")


@pytest.mark.parametrize(
    ("files", "checked"),
    [
        # A Flask project that asked for stk-lint.
        ({"pyproject.toml": '[project]\nname = "legacy"\n\n[tool.stk-lint]\n'}, True),
        # No configuration: Quart with SQLAlchemy's async API makes an stk project.
        (
            {
                ".git/HEAD": "",
                "__init__.py": "from quart import Quart\n",
                "db.py": "from sqlalchemy.ext.asyncio import AsyncSession\n",
            },
            True,
        ),
        # An stk project that switched the hook off.
        (
            {
                "pyproject.toml": "[tool.stk-lint]\nstk-project = false\n",
                "app.py": "from stk.extensions import Base\n",
            },
            False,
        ),
    ],
    ids=["asked", "quart-and-async-sqlalchemy", "switched-off"],
)
def test_the_hook_acts_in_stk_projects(tmp_path, files, checked):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    view = tmp_path / "views.py"
    view.write_text(FLASK_VIEW)
    code, err = _hook(_edit(view, cwd=str(tmp_path)))
    assert (code, "STK101" in err) == ((2, True) if checked else (0, False))
