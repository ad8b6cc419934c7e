"""STK202's pre-parse screen (stk_lint.rules.missing_await_screen): a module with no way to
a coroutine is not parsed by libcst, and every way the rule has to find one keeps the
file. None of the modules below says `async`, `await`, `quart` or `session`: the text
skips alone would let them all through unparsed."""

import ast
from pathlib import Path

import pytest

from stk_lint import pipeline as engine
from stk_lint.config import Settings
from stk_lint.rules.missing_await_screen import could_make_coroutine
from stk_lint.runner import run
from stk_lint.summary_store import SUMMARIES

SERVICES = """\
from contextlib import contextmanager
from typing import Awaitable, Callable, Iterator


class Repo:
    async def save(self):
        pass


class Plain:
    def save(self):
        pass


class Child(Repo):
    pass


async def notify(item):
    pass


def compute(item):
    return item


def make_repo() -> "Repo":
    return Repo()


class Opener:
    def __enter__(self) -> Repo:
        return Repo()


def wrap(function) -> Callable[..., Awaitable[None]]:
    return function


Handler = Callable[[int], Awaitable[None]]


class Settings:
    @property
    def repository(self) -> Repo:
        return Repo()


@contextmanager
def opened() -> Iterator[Repo]:
    yield Repo()
repository = Repo()
"""

JOBS = """\
from stk.tasks import run_with_session

from .plain_job import refresh


async def start():
    await run_with_session(refresh)
"""

# Sync code reaching a coroutine without any text the text skips look for.
REACHES_A_COROUTINE = {
    "imported_function": "from .services import notify\n\n\ndef f():\n    notify(1)\n",
    "module_attribute": "from . import services\n\n\ndef f():\n    services.notify(1)\n",
    "absolute_module": "import app.services\n\n\ndef f():\n    app.services.notify(1)\n",
    "aliased_import": "from .services import notify as tell\n\n\ndef f():\n    tell(1)\n",
    "new_instance": "from .services import Repo\n\n\ndef f():\n    Repo().save()\n",
    "inherited_method": "from .services import Child\n\n\ndef f():\n    Child().save()\n",
    "instance_variable": (
        "from .services import Repo\n\n\ndef f():\n    repo = Repo()\n    repo.save()\n"
    ),
    "local_subclass": (
        "from .services import Repo\n\n\nclass Mine(Repo):\n"
        "    def go(self):\n        self.save()\n"
    ),
    "import_in_function": "def f():\n    from .services import notify\n\n    notify(1)\n",
    "quoted_annotation": (
        "from . import services\n\n\ndef f(repo: 'services.Repo'):\n    repo.save()\n"
    ),
    "star_import": "from .services import *\n\n\ndef f():\n    notify(1)\n",
    "library_class": ("from fakelib2 import Client\n\n\ndef f():\n    Client().get('key')\n"),
    # Values whose type an annotation or a module-level binding tells.
    "returned_instance": (
        "from .services import make_repo\n\n\ndef f():\n    repo = make_repo()\n    repo.save()\n"
    ),
    "returned_chain": "from .services import make_repo\n\n\ndef f():\n    make_repo().save()\n",
    "self_attribute": (
        "from .services import Repo\n\n\nclass Service:\n    def __init__(self):\n"
        "        self.repo = Repo()\n\n    def go(self):\n        self.repo.save()\n"
    ),
    "module_binding": ("from .services import repository\n\n\ndef f():\n    repository.save()\n"),
    "with_target": (
        "from .services import Opener\n\n\ndef f():\n    with Opener() as repo:\n"
        "        repo.save()\n"
    ),
    "callable_alias": (
        "from .services import Handler\n\n\ndef f(handler: Handler):\n    handler(1)\n"
    ),
    "property_chain": (
        "from .services import Settings\n\n\ndef f(settings: Settings):\n"
        "    settings.repository.save()\n"
    ),
    "context_manager": (
        "from .services import opened\n\n\ndef f():\n    with opened() as repo:\n"
        "        repo.save()\n"
    ),
    "returned_callable": "from .services import wrap\n\n\ndef f(g):\n    wrap(g)(1)\n",
    "builtin_table": (
        "from stk.user.models import Activity\n\n\ndef f(user):\n"
        "    Activity.register(user, 'logged in')\n"
    ),
}

# Sync code whose calls resolve to plain functions, unknown receivers, methods of
# classes without coroutines, and a class with them that is only handed on (no instance
# made here): nothing for STK202, so no libcst parse.
PLAIN = """\
import re

from .services import Plain, Repo, compute


def f(data, rows):
    data.get("label")
    Plain().save()
    for row in rows:
        row.get("x")
    compute(Repo)
    return re.sub("a", "b", compute(data))
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "services.py").write_text(SERVICES)
    (app / "jobs.py").write_text(JOBS)
    (app / "plain_job.py").write_text("def refresh(db):\n    db.commit()\n")
    (app / "plain.py").write_text(PLAIN)
    for name, source in REACHES_A_COROUTINE.items():
        (app / f"{name}.py").write_text(source)
    library = tmp_path / "site" / "fakelib2"
    library.mkdir(parents=True)
    (library / "__init__.py").write_text("from .client import Client\n")
    (library / "client.py").write_text(
        "class Base:\n    async def get(self, key):\n        pass\n\n\nclass Client(Base):\n"
        "    def close(self):\n        pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.chdir(tmp_path)
    SUMMARIES.clear()
    yield app
    SUMMARIES.clear()


def _parsed_while(monkeypatch, paths: list[Path]) -> tuple[list, set[str]]:
    parsed: list[str] = []
    real = engine.parse_unvalidated
    monkeypatch.setattr(engine, "parse_unvalidated", lambda s: parsed.append(s) or real(s))
    findings = run(paths, Settings(select=["STK202"]), jobs=1, use_cache=False).findings
    return findings, set(parsed)


def test_every_way_to_a_coroutine_keeps_the_file(project, monkeypatch):
    findings, parsed = _parsed_while(monkeypatch, [project])
    flagged = {Path(f.path).stem for f in findings}
    assert flagged == {*REACHES_A_COROUTINE, "plain_job"}
    # The job handed to run_with_session in another module gets a session parameter.
    assert (project / "plain_job.py").read_text() in parsed
    assert PLAIN not in parsed
    assert SERVICES in parsed  # its own `async def`s


def test_skips_on_and_off_agree(project):
    settings = Settings(select=["STK202"])
    with_skips = run([project], settings, jobs=1, use_cache=False, skips=True).findings
    without = run([project], settings, jobs=1, use_cache=False, skips=False).findings
    assert with_skips == without and with_skips


def test_a_plain_module_checked_alone_is_not_parsed(project, monkeypatch):
    findings, parsed = _parsed_while(monkeypatch, [project / "plain.py"])
    assert findings == [] and parsed == set()


@pytest.mark.parametrize(
    ("source", "options"),
    [
        ("def f(s):\n    s.db_session.commit()\n", {}),
        ("def f(db):\n    db.commit()\n", {"session-names": ["db"]}),
        ("from quart import request\n\n\ndef f():\n    return request.get_json()\n", {}),
        ("def f(thing):\n    return thing.awaitable_attrs.lines\n", {}),
    ],
)
def test_texts_that_need_no_import_keep_the_file(source, options):
    def no_tree():
        raise AssertionError("decided by the text alone")

    assert could_make_coroutine(source, no_tree, "case.py", options, None)


def test_a_file_without_them_is_decided_on_the_tree():
    source = "def f(db):\n    db.commit()\n"
    tree = ast.parse(source)
    assert not could_make_coroutine(source, lambda: tree, "case.py", {}, None)
    assert could_make_coroutine(source, lambda: None, "case.py", {}, None)  # CPython refused


def test_a_syntax_error_still_reaches_libcst(project):
    path = project / "broken.py"
    path.write_text("def f(:\n    pass\n")
    findings = run([path], Settings(), jobs=1, use_cache=False).findings
    assert [f.code for f in findings] == ["STK001"]
