"""The skill's Python and template examples, run for real: a Quart app on SQLite.

The examples are written out as the modules they stand for, next to a small stand-in for
stk (tests/runtime/stk), and tests/runtime/drive.py calls every endpoint and checks the
answers. Needs Quart, quart-security, SQLAlchemy with asyncio, aiosqlite and orjson;
skipped when they are not installed.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stk_lint.skill import code_blocks

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = Path(__file__).resolve().parent / "runtime"
NEEDED = ("quart", "quart_security", "sqlalchemy", "greenlet", "aiosqlite", "orjson")

# Which example becomes which module: (Markdown file, a line only that block has, module).
MODULES = (
    ("SKILL.md", "async def load_things(", "app/things/db.py"),
    ("SKILL.md", "async def count_inactive(", "app/things/script.py"),
    ("SKILL.md", 'Blueprint("account"', "app/things/account.py"),
    ("SKILL.md", "class Thing(Base):", "app/things/models.py"),
    ("SKILL.md", "async def create_thing(", "app/things/views.py"),
    ("SKILL.md", "async def after_save(", "app/things/background.py"),
    ("SKILL.md", "from quart import Blueprint, g\n", "app/things/plain.py"),
    ("SKILL.md", '{% extends "layout.html" %}', "app/templates/things/index.html"),
    ("references/patterns.md", "class Project(Base):", "app/projects/models.py"),
    ("references/patterns.md", "async def create_project(", "app/projects/views.py"),
    ("references/patterns.md", "def projects_of_owner(", "app/projects/filters.py"),
    ("references/patterns.md", "async def upload_attachment(", "app/projects/attachments.py"),
    ("references/patterns.md", "async def projects_by_owner(", "app/projects/reports.py"),
    ("references/patterns.md", "async def project_detail(", "app/projects/pages.py"),
    ("references/patterns.md", "async def reindex_project(", "app/projects/tasks_views.py"),
    ("references/patterns.md", "async def archive(", "app/projects/archive.py"),
    ("references/patterns.md", "async def project_events(", "app/projects/events.py"),
    ("references/patterns.md", "{% block js %}", "app/templates/projects/index.html"),
)
STUBS = {
    "app/__init__.py": "",
    "app/things/__init__.py": "",
    "app/projects/__init__.py": "",
    "app/things/notify.py": "async def send_notification(user_id):\n    pass\n",
    "app/templates/layout.html": (
        '<div id="app">{% block content %}{% endblock %}</div><!-- end #app -->'
        "{% block js %}{% endblock %}\n"
    ),
    "app/templates/projects/detail.html": "<h1>${ project.name }</h1>\n",
    "app/templates/errors/404.html": "not found page",
    "app/templates/errors/500.html": "error page",
}


def _block(markdown: str, marker: str) -> str:
    text = (ROOT / markdown).read_text(encoding="utf-8")
    found = [b.code for b in code_blocks(text, Path(markdown)) if marker in b.code]
    assert len(found) == 1, f"{markdown}: {len(found)} blocks contain {marker!r}"
    return found[0]


@pytest.mark.skipif(
    any(importlib.util.find_spec(name) is None for name in NEEDED),
    reason=f"running the examples needs {', '.join(NEEDED)}",
)
def test_the_examples_run(tmp_path):
    for relative, text in STUBS.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    for markdown, marker, relative in MODULES:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(_block(markdown, marker), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(RUNTIME)]),
        "STK_TEST_DB": str(tmp_path / "test.db"),
    }
    done = subprocess.run(
        [sys.executable, str(RUNTIME / "drive.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all examples ran" in done.stdout


def test_every_module_marker_names_one_block():
    for markdown, marker, _ in MODULES:
        _block(markdown, marker)
