"""STK202 across a project: the per-file summaries, installed libraries read without
importing them, the engine's one read per file, and the stk-style fixture project."""

import json
import os
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

import stk_lint.libraries as libraries_module
import stk_lint.summary_store as store_module
from stk_lint.config import Settings
from stk_lint.libraries import LibraryIndex
from stk_lint.project import ProjectIndex, module_name_for
from stk_lint.runner import run
from stk_lint.summaries import summarise
from stk_lint.summary_store import SUMMARIES, SummaryStore
from stk_lint.testing import lint

FIXTURE = Path(__file__).parent / "fixtures" / "await_project"


def stk202(paths):
    return run([Path(p) for p in paths], Settings(select=["STK202"])).findings


def write_project(folder: Path, files: dict[str, str]) -> Path:
    """Write a project (relative path -> text) into `folder`."""
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


# -- summaries ----------------------------------------------------------------------------


def test_summary_lists_async_defs_by_qualified_name():
    source = textwrap.dedent(
        '''\
        """Module docstring with an example:

            async def not_real():
                pass
        """
        import asyncio, stk.extensions as ext
        from quart import (
            g,
            render_template as render,  # a comment
        )
        from .models import Thing
        from ..tasks import *


        async def top(a,
                      b):
            async def inner():
                pass
            x = "async def in_string(): pass"
            return inner


        class Thing2(Base, mixins.Audit):
            @staticmethod
            async def build():
                pass

            @classmethod
            async def register(cls):
                pass

            def to_dict(self):
                return {}

            class Meta:
                async def nested(self):
                    pass


        def after():
            pass
        '''
    )
    summary = summarise(source, "stk.things.views")
    assert summary["functions"] == {
        "top": [15, True],
        "top.<locals>.inner": [17, True],
        "Thing2.build": [25, True],
        "Thing2.register": [29, True],
        "Thing2.to_dict": [32, False],
        "Thing2.Meta.nested": [36, True],
        "after": [40, False],
    }
    assert summary["classes"] == {"Thing2": ["Base", "mixins.Audit"], "Thing2.Meta": []}
    assert summary["imports"] == {
        "asyncio": "asyncio",
        "ext": "stk.extensions",
        "g": "quart.g",
        "render": "quart.render_template",
        "Thing": "stk.things.models.Thing",
    }
    assert summary["star"] == ["stk.tasks"]
    assert json.loads(json.dumps(summary)) == summary  # cacheable as JSON


def test_async_generators_are_not_coroutine_functions():
    source = textwrap.dedent(
        """\
        async def chunks(items):
            for item in items:
                yield item

        async def outer():
            async def gen():
                x = yield
            return [c async for c in chunks([])]

        async def not_a_generator():
            text = "yield"  # yield in a comment

        async def one_line(): yield b"x"

        async def holds_one():
            async def gen(): yield 1
            return 1
        """
    )
    functions = summarise(source, "m")["functions"]
    assert functions == {
        "chunks": [1, False],
        "outer": [5, True],
        "outer.<locals>.gen": [6, False],
        "not_a_generator": [10, True],
        "one_line": [13, False],
        "holds_one": [15, True],
        "holds_one.<locals>.gen": [16, False],
    }


def test_summary_keeps_subscripted_bases_without_their_subscript():
    source = textwrap.dedent(
        """\
        class ThingRepository(BaseRepository["Thing"], mixins.Audit[int, str], metaclass=M):
            pass

        class Pair(Generic[K, V]):
            pass
        """
    )
    assert summarise(source, "m")["classes"] == {
        "ThingRepository": ["BaseRepository", "mixins.Audit"],
        "Pair": ["Generic"],
    }


def test_comments_inside_a_multi_line_import_keep_the_names_after_them():
    source = textwrap.dedent(
        """\
        from .service import (  # public API
            place_order,
            cancel_order,  # async
        )
        from .service import refund_order  # noqa: F401
        from .labels import (LABEL_HASH as label, PREFIX)  # "#" is not a comment in here
        """
    )
    assert summarise(source, "shop.orders", is_package=True)["imports"] == {
        "place_order": "shop.orders.service.place_order",
        "cancel_order": "shop.orders.service.cancel_order",
        "refund_order": "shop.orders.service.refund_order",
        "label": "shop.orders.labels.LABEL_HASH",
        "PREFIX": "shop.orders.labels.PREFIX",
    }


def test_summary_reads_pep_695_generic_classes():
    source = textwrap.dedent(
        """\
        class Repository[T]:
            async def get(self, ident):
                return None


        class Cache[K: (int, str), V = dict[str, int]](Base[K], Generic):
            def get(self, key):
                return None


        def get(x):
            return x
        """
    )
    summary = summarise(source, "m")
    assert summary["functions"] == {
        "Repository.get": [2, True],
        "Cache.get": [7, False],
        "get": [11, False],
    }
    assert summary["classes"] == {"Repository": [], "Cache": ["Base", "Generic"]}


def test_summary_of_a_package_resolves_relative_imports_from_itself():
    summary = summarise("from .models import Activity\n", "stk.user", is_package=True)
    assert summary["imports"] == {"Activity": "stk.user.models.Activity"}


def test_module_names_walk_up_init_files():
    name, is_package, root = module_name_for(FIXTURE / "stk" / "user" / "models.py")
    assert (name, is_package, root) == ("stk.user.models", False, FIXTURE.resolve())
    assert module_name_for(FIXTURE / "stk" / "user" / "__init__.py")[:2] == ("stk.user", True)


def test_project_resolution_follows_re_exports_and_bases():
    index = ProjectIndex(LibraryIndex([]))
    for path in sorted(FIXTURE.rglob("*.py")):
        index.add(path, path.read_text())
    register = index.resolve("stk.user.Activity.register")  # re-exported by the package
    assert register is not None and register.is_async
    assert register.qualified == "stk.user.models.Activity.register"
    assert register.where.endswith("stk/user/models.py:36")
    assert index.resolve("stk.things.models.Thing.to_dict").is_async is False
    assert index.resolve("stk.things.models.Thing").kind == "class"
    assert index.resolve("stk.nothing.here") is None


# -- installed libraries ------------------------------------------------------------------


@pytest.fixture
def fake_library(tmp_path, monkeypatch):
    """A package on sys.path whose import would fail loudly: it must only be read."""
    package = tmp_path / "site" / "fakelib"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text(
        'raise RuntimeError("stk-lint must not import libraries")\n'
        "from .core import fetch, compute\n"
        "from .sub.client import Client as Client\n"
    )
    (package / "core.py").write_text(
        "import time\n\nasync def fetch(url):\n    pass\n\ndef compute(x):\n    return x\n"
    )
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "client.py").write_text(
        "class Client:\n    async def get(self, key):\n        pass\n\n"
        "    def close(self):\n        pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    SUMMARIES.clear()
    yield package
    SUMMARIES.clear()


def test_installed_library_is_read_not_imported(fake_library):
    source = textwrap.dedent(
        """\
        import fakelib
        from fakelib import Client, compute, fetch
        from fakelib.sub import client as client_module

        async def h():
            fetch("x")
            compute(1)
            fakelib.fetch("y")
            c = Client()
            c.get("k")
            c.close()
            client_module.Client.get(c, "k")
            await fetch("z")
        """
    )
    found = lint(source, "app/views.py", select=["STK202"], project=ProjectIndex())
    assert [f.line for f in found] == [6, 8, 10, 12]
    assert "fakelib/core.py:3, installed" in found[0].message
    assert "fakelib/sub/client.py:2, installed" in found[2].message
    assert "fakelib" not in sys.modules


def test_library_cache_follows_mtime(fake_library):
    assert LibraryIndex().summary("fakelib.core").summary["functions"]["fetch"] == [3, True]
    core = fake_library / "core.py"
    core.write_text("def fetch(url):\n    pass\n")
    stat = core.stat()
    os.utime(core, (stat.st_atime, stat.st_mtime + 10))
    # A new run (a new index) sees the change; within one run the answer stays put.
    assert LibraryIndex().summary("fakelib.core").summary["functions"]["fetch"] == [1, False]


def test_summaries_are_kept_between_runs(fake_library, tmp_path, monkeypatch):
    kept = tmp_path / "cache" / "summaries.json"
    SUMMARIES.load(kept)
    assert LibraryIndex().summary("fakelib.core").summary["functions"]["fetch"] == [3, True]
    SUMMARIES.save()
    assert kept.is_file()

    # The next process starts empty and reads the kept summary instead of the source.
    fresh = SummaryStore()
    monkeypatch.setattr(libraries_module, "SUMMARIES", fresh)
    monkeypatch.setattr(store_module, "summarise", _no_summarising)
    fresh.load(kept)
    assert LibraryIndex().summary("fakelib.core").summary["functions"]["fetch"] == [3, True]

    # An edited file (another size) is read again.
    monkeypatch.setattr(store_module, "summarise", summarise)
    (fake_library / "core.py").write_text("def fetch(url):\n    return None\n")
    fresh = SummaryStore()
    monkeypatch.setattr(libraries_module, "SUMMARIES", fresh)
    fresh.load(kept)
    assert LibraryIndex().summary("fakelib.core").summary["functions"]["fetch"] == [1, False]


def _no_summarising(*args):
    raise AssertionError("summarised a file whose kept summary was still valid")


def test_an_unreadable_summary_file_is_ignored(tmp_path):
    kept = tmp_path / "summaries.json"
    kept.write_text("{not json")
    store = SummaryStore()
    store.load(kept)
    module = tmp_path / "mod.py"
    module.write_text("async def f():\n    pass\n")
    assert store.summary(module, "mod", False)["functions"]["f"] == [1, True]
    store.save()
    assert json.loads(kept.read_text())  # rewritten whole


def test_missing_library_falls_back_to_the_builtin_table(tmp_path):
    # Away from this repository: its own .venv would be found as the project's.
    source = "from quart import render_template\n\nasync def h():\n    render_template('x')\n"
    path = str(tmp_path / "app" / "views.py")
    found = lint(source, path, select=["STK202"], project=ProjectIndex(LibraryIndex([])))
    assert len(found) == 1 and "built-in table" in found[0].message


def test_real_quart_security():
    pytest.importorskip("quart_security")
    source = textwrap.dedent(
        """\
        from quart_security import hash_password, hash_password_async, verify_password_async

        async def h(password, stored):
            hashed = hash_password(password)
            hash_password_async(password)
            if verify_password_async(password, stored):
                return hashed
        """
    )
    found = lint(source, "app/views.py", select=["STK202"], project=ProjectIndex())
    assert [f.line for f in found] == [5, 6]
    assert "quart_security/password.py" in found[0].message


def test_real_sqlalchemy_session_methods():
    pytest.importorskip("sqlalchemy")
    index = ProjectIndex()
    commit = index.resolve("sqlalchemy.ext.asyncio.AsyncSession.commit")
    assert commit is not None and commit.is_async and commit.origin == "library"
    for sync_method in ("add", "add_all", "expunge", "expire", "begin", "in_transaction"):
        found = index.resolve(f"sqlalchemy.ext.asyncio.AsyncSession.{sync_method}")
        assert found is not None and not found.is_async, sync_method


def test_builtin_stream_result_table_agrees_with_sqlalchemy():
    pytest.importorskip("sqlalchemy")
    from stk_lint.coroutines import KNOWN_COROUTINES

    index = ProjectIndex()
    results = [name for name in KNOWN_COROUTINES if name.startswith("sqlalchemy.ext.asyncio.")]
    assert results
    for name in results:
        found = index.resolve(name)
        assert found is not None and found.is_async, name


# -- the fixture project and the engine ---------------------------------------------------


def test_fixture_project_is_clean():
    assert stk202([FIXTURE]) == []


def test_fixture_project_is_clean_on_every_rule():
    assert run([FIXTURE], Settings()).findings == []


def test_each_file_is_read_once(monkeypatch):
    reads: list[Path] = []
    original_read, original_open = Path.read_bytes, os.open

    def counting(self):
        reads.append(self.resolve())
        return original_read(self)

    def counting_open(path, *args, **kwargs):  # how checked files are read
        reads.append(Path(path).resolve())
        return original_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", counting)
    monkeypatch.setattr(os, "open", counting_open)
    result = run([FIXTURE], Settings(select=["STK202"]))
    reads = [path for path in reads if path.is_relative_to(FIXTURE.resolve())]  # not libraries
    assert result.files == len(reads) == len(set(reads))


# Removing one `await` from the fixture: exactly one finding, on that line.
MUTATIONS = [
    ("stk/things/views.py", "    json_data = await request.json\n", "`request.json`"),
    ("stk/things/views.py", "    await thing.from_dict(thing_data)\n", "stk/things/models.py:24"),
    (
        "stk/things/views.py",
        '        await Activity.register(current_user.id, "Thing Create"',
        "stk/user/models.py:36",
    ),
    ("stk/things/views.py", "        await g.db_session.commit()\n", "AsyncSession method"),
    ("stk/things/views.py", "        await notify_admins(thing.id)\n", "stk/things/tasks.py"),
    ("stk/things/views.py", "    await recount()\n", "stk/things/tasks.py"),
    ("stk/things/views.py", "    files = await request.files\n", "`request.files`"),
    (
        "stk/things/views.py",
        '    return await render_template("things/index.html")\n',
        "`render_template`",
    ),
    ("stk/things/tasks.py", "    await run_in_background(send_notification(", "stk/tasks.py"),
    ("stk/things/tasks.py", "    await session.flush()\n", "`session.flush`"),
    ("stk/things/tasks.py", "    await background.run_in_background(", "stk/tasks.py"),
    (
        "stk/things/tasks.py",
        "            total = await Thing.count_active(session)\n",
        "stk/things/models.py",
    ),
    (
        "stk/reports/service.py",
        "        count = await thing_models.Thing.count_active(",
        "stk/things/models.py",
    ),
    ("stk/reports/service.py", "        data = await self.build(session)\n", "`self.build`"),
    ("stk/reports/service.py", "    page = await report.render(session)\n", "`report.render`"),
    ("stk/reports/service.py", '    await Log.register(None, "Report"', "stk/user/models.py"),
    ("stk/reports/service.py", '    await item.from_dict({"name": name})\n', "`item.from_dict`"),
    ("stk/reports/service.py", "    await audit()\n", "`audit`"),
    ("stk/user/views.py", "    recent = await Activity.recent(limit=50)\n", "`Activity.recent`"),
    ("stk/user/views.py", "            await websocket.send_json(message)\n", "websocket"),
    ("stk/user/models.py", "        await broadcast(activity.to_dict())\n", "broadcast.py"),
    ("stk/tasks.py", "                await session.commit()\n", "`session.commit`"),
]


@pytest.fixture
def broken_copy(tmp_path):
    copy = tmp_path / "app"
    shutil.copytree(FIXTURE, copy)
    return copy


@pytest.mark.parametrize("single_file", [False, True], ids=["project", "single-file"])
@pytest.mark.parametrize(("relative", "text", "words"), MUTATIONS)
def test_removing_one_await_gives_one_finding(broken_copy, relative, text, words, single_file):
    path = broken_copy / relative
    source = path.read_text()
    assert text in source
    index = source.index(text)
    line = source[:index].count("\n") + 1
    path.write_text(source[:index] + text.replace("await ", "", 1) + source[index + len(text) :])
    found = stk202([path] if single_file else [broken_copy])
    assert [(Path(f.path).name, f.line) for f in found] == [(path.name, line)], [
        f.message for f in found
    ]
    assert words in found[0].message


def test_summary_is_not_fooled_by_strings_and_brackets():
    source = textwrap.dedent(
        """\
        QUERY = '''
        async def fake():
        '''
        PATTERN = "def also_fake(): ('"
        TABLE = {
            "x": [1, 2,
        3],
        }
        x = f"{TABLE['x']}" + 'it\\'s ( open'


        class A(
            Base,
        ):
            async def real(self):
                return (
        1)

            async def after_dedented_bracket(self):
                pass
        """
    )
    summary = summarise(source, "m")
    assert summary["functions"] == {"A.real": [15, True], "A.after_dedented_bracket": [19, True]}
    assert summary["classes"] == {"A": ["Base"]}


def test_index_survives_pickling_for_parallel_workers():
    import pickle

    index = ProjectIndex(LibraryIndex([]))
    for path in sorted(FIXTURE.rglob("*.py")):
        index.add(path, path.read_text())
    copy = pickle.loads(pickle.dumps(index))
    assert copy.resolve("stk.user.Activity.register") == index.resolve("stk.user.Activity.register")


def test_check_source_with_an_index_resolves_a_file_it_was_not_given():
    # The Claude Code hook checks one edited file: its sibling modules are found on demand.
    path = FIXTURE / "stk" / "things" / "edited.py"
    source = "from .models import Thing\n\nasync def h():\n    await Thing().from_dict({})\n"
    assert lint(source, str(path), select=["STK202"], project=ProjectIndex()) == []
    broken = source.replace("await Thing()", "Thing()")
    found = lint(broken, str(path), select=["STK202"], project=ProjectIndex())
    assert [f.line for f in found] == [4]


def test_libraries_of_the_projects_own_virtualenv(tmp_path):
    # stk-lint installed on its own (pipx, a hook): the project's .venv has the libraries.
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages" / "venvlib"
    site.mkdir(parents=True)
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (site / "__init__.py").write_text("async def connect():\n    pass\n")
    app = tmp_path / "app.py"
    app.write_text("from venvlib import connect\n\nasync def h():\n    connect()\n")
    found = stk202([app])
    assert [f.line for f in found] == [4]
    assert "venvlib/__init__.py:1, installed" in found[0].message


def test_a_file_shown_under_another_name_is_placed_by_its_real_path(tmp_path, monkeypatch):
    # The hook runs in some folder and shows the edited file relative to the session's.
    monkeypatch.chdir(tmp_path)
    path = FIXTURE / "stk" / "things" / "edited.py"
    source = "from .models import Thing\n\nasync def h():\n    Thing().from_dict({})\n"
    index = ProjectIndex()
    index.place(path, "things/edited.py")
    found = lint(source, "things/edited.py", select=["STK202"], project=index)
    assert [f.line for f in found] == [4]
    assert "Thing().from_dict" in found[0].message


def test_relative_imports_in_files_outside_a_package_do_not_crash(tmp_path):
    # Scripts side by side with no __init__.py: `from . import *` names no package.
    (tmp_path / "flat.py").write_text(
        "from . import *\nfrom .. import helpers\nfrom .x import *\n\n\n"
        "async def notify(user_id):\n    pass\n\n\n"
        "async def h():\n    foo()\n    helpers.bar()\n"
    )
    (tmp_path / "other.py").write_text(
        "from flat import foo, notify\nimport flat\n\n\n"
        "async def h(user_id):\n    foo()\n    flat.nothing()\n    notify(user_id)\n"
    )
    found = stk202([tmp_path])
    assert [(Path(f.path).name, f.line) for f in found] == [("other.py", 8)]
    found = stk202([tmp_path / "other.py"])
    assert [(Path(f.path).name, f.line) for f in found] == [("other.py", 8)]


def test_run_with_session_in_another_module_gives_the_parameter_a_session(broken_copy):
    # The job lives in one module, the view that schedules it in another.
    things = broken_copy / "stk" / "things"
    (things / "cleanup.py").write_text(
        textwrap.dedent(
            """\
            from sqlalchemy import delete

            from .models import Thing


            async def purge_things(session, older_than):
                await session.execute(delete(Thing))
                session.commit()


            async def archive_things(session):
                await session.execute(delete(Thing))
                await session.commit()
            """
        )
    )
    (things / "admin.py").write_text(
        textwrap.dedent(
            """\
            from stk.tasks import run_with_session

            from . import cleanup
            from .cleanup import purge_things


            async def purge():
                await run_with_session(purge_things, 30)
                await run_with_session(cleanup.archive_things)
            """
        )
    )
    found = stk202([broken_copy])
    assert [(Path(f.path).name, f.line) for f in found] == [("cleanup.py", 8)]
    assert "`session.commit`" in found[0].message


@pytest.mark.parametrize("layout", ["flat", "src"])
def test_a_test_file_checked_alone_resolves_the_projects_package(tmp_path, layout):
    # tests/ has no __init__.py: its import root is tests/, the package is beside it.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    package = tmp_path / ("src" if layout == "src" else "") / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("async def notify(user_id):\n    pass\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    test_file = tests / "test_services.py"
    test_file.write_text(
        "from app.services import notify\n\n\n"
        "async def test_notify():\n    await notify(1)\n    notify(2)\n"
    )
    for paths in ([test_file], [tests]):
        found = stk202(paths)
        assert [(Path(f.path).name, f.line) for f in found] == [("test_services.py", 6)]
        assert "app/services.py:1" in found[0].message


def test_the_configuration_root_is_searched_too(tmp_path):
    # tests/ has a project file of its own: the nearest one is not the project's root.
    (tmp_path / "pyproject.toml").write_text('[tool.stk-lint]\nselect = ["STK202"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "services.py").write_text("async def notify(user_id):\n    pass\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "setup.cfg").write_text("[tool:pytest]\n")
    test_file = tmp_path / "tests" / "test_services.py"
    test_file.write_text("from app.services import notify\n\n\ndef test_notify():\n    notify(1)\n")
    settings = Settings(root=tmp_path, config_path=tmp_path / "pyproject.toml", select=["STK202"])
    found = run([test_file], settings).findings
    assert [f.line for f in found] == [5]


def test_names_re_exported_by_a_commented_import_resolve(tmp_path):
    orders = tmp_path / "shop" / "orders"
    orders.mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (orders / "service.py").write_text(
        "async def place_order(order):\n    pass\n\n\nasync def cancel_order(order):\n    pass\n"
    )
    (orders / "__init__.py").write_text(
        "from .service import (  # public API\n    place_order,\n    cancel_order,  # async\n)\n"
    )
    (tmp_path / "shop" / "views.py").write_text(
        "from shop.orders import cancel_order, place_order\n\n\n"
        "async def checkout(order):\n    await place_order(order)\n    cancel_order(order)\n"
    )
    found = stk202([tmp_path])
    assert [(Path(f.path).name, f.line) for f in found] == [("views.py", 6)]
    assert "shop/orders/service.py:5" in found[0].message


def test_star_import_cycles_resolve_the_same_in_any_order(tmp_path):
    # Six modules star-importing each other: a name is found through every one of them,
    # whichever was asked about first (a cut-off search must not be remembered).
    package = tmp_path / "pk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    letters = "abcdef"
    for letter in letters:
        stars = "".join(f"from .{other} import *\n" for other in letters if other != letter)
        (package / f"{letter}.py").write_text(f"{stars}\n\nasync def job_{letter}():\n    pass\n")
    imports = "".join(f"from pk.{letter} import job_f as {letter}_job\n" for letter in letters)
    calls = "".join(f"    {letter}_job()\n" for letter in letters)
    (package / "use.py").write_text(f"{imports}\n\nasync def h():\n{calls}")
    found = stk202([package / "use.py"])
    assert [f.line for f in found] == [10, 11, 12, 13, 14, 15]


def test_a_byte_order_mark_does_not_hide_the_first_line_of_a_module_read_on_demand(tmp_path):
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "notifications.py").write_bytes(
        b"\xef\xbb\xbfasync def notify(user_id):\n    pass\n"
    )
    view = package / "views.py"
    view.write_text(
        "from app.notifications import notify\n\n\n"
        "async def h(user_id):\n    await notify(user_id)\n    notify(user_id)\n"
    )
    found = stk202([view])  # notifications.py is not checked: it is read on demand
    assert [f.line for f in found] == [6]
    assert "app/notifications.py:1" in found[0].message


def test_summary_line_numbers_count_only_real_line_breaks():
    # A form feed (a page break some editors keep between sections) is whitespace in
    # Python; str.splitlines() would count it as a line and shift every later one.
    source = "async def notify():\n    pass\n\x0c\nclass A:\n    async def m(self):\n        pass\n"
    assert summarise(source, "m")["functions"] == {"notify": [1, True], "A.m": [5, True]}


def test_standard_library_coroutines_are_labelled_so():
    source = textwrap.dedent(
        """\
        import asyncio

        from quart import render_template


        async def h():
            asyncio.sleep(1)
            return render_template("x.html")
        """
    )
    found = lint(source, "app/views.py", select=["STK202"], project=ProjectIndex())
    assert [f.line for f in found] == [7, 8]
    assert "(asyncio/tasks.py:" in found[0].message
    assert found[0].message.split(")", 1)[0].endswith(", standard library")
    if "built-in table" not in found[1].message:  # quart installed: read from its source
        assert ", installed)" in found[1].message


# -- values whose type annotations and module-level bindings tell (issues 15, 21) -----------

TYPED_PROJECT = {
    "stk/__init__.py": "",
    "stk/db.py": (
        "import asyncio\n\n"
        "from sqlalchemy.ext.asyncio import async_scoped_session, async_sessionmaker\n\n"
        "session = async_scoped_session(async_sessionmaker(), scopefunc=asyncio.current_task)\n"
        "Session = async_sessionmaker()()\n"
    ),
    "stk/repository.py": (
        "from collections.abc import Awaitable, Callable\n\n"
        "from .db import session\n\n\n"
        "Notifier = Callable[[str], Awaitable[None]]\n\n\n"
        "class ThingRepository:\n"
        "    async def save(self, thing):\n        session.add(thing)\n\n"
        "    async def find(self, thing_id):\n        return None\n\n\n"
        "def make_repository() -> ThingRepository:\n    return ThingRepository()\n"
    ),
    "stk/services.py": (
        "import asyncio\n\n"
        "from sqlalchemy import select\n\n"
        "from .db import Session, session\n"
        "from .repository import Notifier, ThingRepository, make_repository\n"
        "from .models import Thing\n\n\n"
        "class ThingService:\n"
        "    audit: ThingRepository\n\n"
        "    def __init__(self, repository: ThingRepository, notify: Notifier):\n"
        "        self.repository = repository\n"
        "        self.notify = notify\n"
        "        self.spare = make_repository()\n\n"
        "    async def create(self, thing):\n"
        "        self.repository.save(thing)\n"
        "        self.notify('created')\n"
        "        self.spare.save(thing)\n"
        "        self.audit.save(thing)\n"
        "        found = await self.repository.find(thing.id)\n"
        "        return found\n\n"
        "    async def legal(self, things):\n"
        "        await asyncio.gather(*[self.repository.save(t) for t in things])\n"
        "        task = asyncio.create_task(self.notify('many'))\n"
        "        pending = [self.spare.save(t) for t in things]\n"
        "        await asyncio.gather(*pending)\n"
        "        await task\n\n"
        "    def later(self, thing):\n"
        "        return self.repository.save(thing)  # handed to an awaiting caller\n\n\n"
        "async def first_thing():\n"
        "    return await session.execute(select(Thing)).scalars().first()\n\n\n"
        "async def count():\n"
        "    result = Session.execute(select(Thing))\n"
        "    return result\n"
    ),
    "stk/models.py": "class Thing:\n    pass\n",
}


@pytest.fixture
def typed_project(tmp_path):
    return write_project(tmp_path, TYPED_PROJECT) / "stk"


def test_types_from_annotations_and_module_bindings(typed_project):
    found = {(Path(f.path).name, f.line) for f in stk202([typed_project])}
    assert found == {
        ("services.py", 19),  # `self.repository`: an annotated `__init__` parameter
        ("services.py", 20),  # `self.notify`: `Notifier`, an alias of Callable[..., Awaitable]
        ("services.py", 21),  # `self.spare`: `make_repository() -> ThingRepository`
        ("services.py", 22),  # `audit: ThingRepository` in the class body
        ("services.py", 38),  # the async_scoped_session of another module
        ("services.py", 42),  # `async_sessionmaker()()` of another module
    }


def test_types_are_followed_with_the_skips_on_and_off(typed_project):
    settings = Settings(select=["STK202"])
    with_skips = run([typed_project], settings, jobs=1, use_cache=False, skips=True).findings
    without = run([typed_project], settings, jobs=1, use_cache=False, skips=False).findings
    assert with_skips == without and with_skips


def test_quart_upload_save_needs_await():
    source = (
        "from quart import Blueprint, request\n\n"
        "bp = Blueprint('photos', __name__)\n\n\n"
        "@bp.post('/api/photo/')\n"
        "async def upload():\n"
        "    files = await request.files\n"
        "    files['photo'].save('/srv/photos/p.jpg')\n"
        "    files.get('thumb').save('/srv/photos/t.jpg')\n"
        "    (await request.files)['cover'].save('/srv/photos/c.jpg')\n"
        "    await files['backup'].save('/srv/backup/p.jpg')\n"
        "    return {'ok': True}\n"
    )
    assert [f.line for f in lint(source, select=["STK202"])] == [9, 10, 11]


def test_aiofiles_file_methods_are_coroutines():
    source = (
        "import aiofiles\n\n\n"
        "async def export(path, rows):\n"
        "    async with aiofiles.open(path, 'w') as out:\n"
        "        out.write('id,name\\n')\n"
        "        await out.writelines(rows)\n"
        "    with open(path) as plain:\n"
        "        plain.write('x')\n"
    )
    assert [f.line for f in lint(source, select=["STK202"])] == [6]


@pytest.fixture
def install(tmp_path, monkeypatch):
    """Install a library (relative path -> text) where stk-lint looks first."""

    def installed(files: dict[str, str]) -> None:
        monkeypatch.syspath_prepend(str(write_project(tmp_path / "site", files)))
        SUMMARIES.clear()

    yield installed
    SUMMARIES.clear()


def test_the_installed_definition_wins_over_the_builtin_table(tmp_path, install):
    install(
        {
            "quart_security/__init__.py": (
                "def hash_password_async(password, app=None):\n    return password\n"
            )
        }
    )
    app = tmp_path / "app.py"
    app.write_text(
        "from quart_security import hash_password_async\n\n\n"
        "async def seed(password):\n    return {'hash': hash_password_async(password)}\n"
    )
    assert stk202([app]) == []


def test_the_installed_quart_decides_what_request_members_are(tmp_path, install):
    """A Quart whose `Request.get_json` is a plain `def` (and whose `get_body` is a
    coroutine) is believed over the built-in table."""
    install(
        {
            "quart/__init__.py": "from .globals import request\n",
            "quart/globals.py": "request = None\n",
            "quart/wrappers/__init__.py": "",
            "quart/wrappers/request.py": (
                "class Request:\n"
                "    def get_json(self):\n        return {}\n\n"
                "    async def get_body(self):\n        return b''\n"
            ),
        }
    )
    app = tmp_path / "app.py"
    app.write_text(
        "from quart import request\n\n\n"
        "async def create():\n"
        "    data = request.get_json()\n"
        "    body = request.get_body()\n"
        "    return {'name': data.get('name'), 'size': len(body)}\n"
    )
    assert [(f.line, f.message.split("`")[1]) for f in stk202([app])] == [(6, "request.get_body")]


def test_library_values_through_context_managers_awaitables_and_properties(tmp_path):
    """`async with` on an `@asynccontextmanager` method (`-> AsyncIterator[X]`), on an
    `async def` a decorator makes a context manager, `await` on an object whose
    `__await__` gives itself, and a property annotated to return a class."""
    app = tmp_path / "app.py"
    app.write_text(
        "import aiosqlite\n"
        "from hypercorn.config import Config\n"
        "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
        "engine = create_async_engine('sqlite+aiosqlite://')\n\n\n"
        "async def create_all(metadata):\n"
        "    async with engine.begin() as connection:\n"
        "        connection.run_sync(metadata.create_all)\n\n\n"
        "async def count(path):\n"
        "    db = await aiosqlite.connect(path)\n"
        "    async with db.execute('select count(*) from things') as cursor:\n"
        "        row = await cursor.fetchone()\n"
        "        cursor.close()\n"
        "    await db.close()\n"
        "    return row\n\n\n"
        "class Server:\n"
        "    def __init__(self, config: Config):\n        self.config = config\n\n"
        "    async def stop(self):\n        self.config.log.warning('stopping')\n"
    )
    assert [f.line for f in stk202([app])] == [10, 17, 27]


def test_a_bound_coroutine_tested_where_it_was_made_stood_for_its_result():
    source = (
        "from quart import abort\n\n\n"
        "class Note:\n"
        "    @classmethod\n    async def read(cls, note_id):\n        return None\n\n\n"
        "async def show(note_id):\n"
        "    note = Note.read(note_id)\n"
        "    if not note:\n        abort(404)\n"
        "    return render(note)\n\n\n"
        "async def maybe(note_id, wanted):\n"
        "    pending = None\n"
        "    if wanted:\n        pending = Note.read(note_id)\n"
        "    if pending is not None:\n        await pending\n\n\n"
        "async def checked(note_id):\n"
        "    pending = Note.read(note_id)\n"
        "    if pending:\n        return await pending\n"
    )
    findings = lint(source, select=["STK202"])
    assert [(f.line, "tested without `await`" in f.message) for f in findings] == [(11, True)]


def test_an_instance_with_an_async_call_method_held_by_an_attribute():
    source = (
        "class App:\n    async def __call__(self, scope, receive, send):\n        pass\n\n\n"
        "class Middleware:\n"
        "    def __init__(self, app: App):\n        self.app = app\n\n"
        "    async def __call__(self, scope, receive, send):\n"
        "        self.app(scope, receive, send)\n\n"
        "    def later(self, scope, receive, send):\n"
        "        return self.app(scope, receive, send)\n"
    )
    assert [f.line for f in lint(source, select=["STK202"])] == [11]


def test_a_coroutine_the_type_checkers_are_told_is_unused_is_not_reported():
    source = (
        "from typing import Protocol\n\n\n"
        "class DriverCursor(Protocol):\n    async def close(self) -> None: ...\n\n\n"
        "class CursorAdapter:\n"
        "    def __init__(self, cursor: DriverCursor):\n        self._cursor = cursor\n\n"
        "    def close(self, awaitable):\n"
        "        if not awaitable:\n"
        "            self._cursor.close()  # type: ignore[unused-coroutine]\n"
        "        else:\n            self._cursor.close()\n"
    )
    assert [f.line for f in lint(source, select=["STK202"])] == [16]


def test_a_session_popped_from_g_and_a_coroutine_added_to_the_session(tmp_path):
    source = (
        "from quart import g\n\nfrom .models import Thing\n\n\n"
        "async def close_db_session(exception):\n"
        "    session = g.pop('db_session', None)\n"
        "    if session is not None:\n        session.close()\n\n\n"
        "async def create(data):\n"
        "    g.db_session.add(Thing().from_dict(data))\n"
        "    g.db_session.add(await Thing().from_dict(data))\n"
        "    cookie = g.pop('theme', None)\n    cookie.close()\n"
    )
    models = "class Thing:\n    async def from_dict(self, data):\n        return self\n"
    files = {"stk/__init__.py": "", "stk/models.py": models, "stk/app.py": source}
    found = stk202([write_project(tmp_path, files)])
    assert [(Path(f.path).name, f.line) for f in found] == [("app.py", 9), ("app.py", 13)]


def test_bound_coroutines_given_to_functions_that_use_values():
    source = (
        "import asyncio\nfrom collections.abc import Awaitable\n\n\n"
        "class Receiver:\n    async def receive(self):\n        return b''\n\n\n"
        "class Stream:\n"
        "    def __init__(self, receiver: Receiver, json_module):\n"
        "        self.receiver = receiver\n        self.json_module = json_module\n\n"
        "    async def message(self):\n"
        "        data = self.receiver.receive()\n"
        "        if isinstance(data, bytes):\n"
        "            return self.json_module.loads(data)\n"
        "        return None\n\n"
        "    async def legal(self):\n"
        "        pending = self.receiver.receive()\n"
        "        if isinstance(pending, (Awaitable, asyncio.Future)):\n"
        "            return await pending\n"
        "        return pending\n"
    )
    assert [f.line for f in lint(source, select=["STK202"])] == [16]


def test_unions_and_attributes_set_by_a_base_class():
    """A method is a coroutine on a union only when every class has it as one; `self.x`
    set in a base class's `__init__` (above, in the same module) is followed."""
    source = (
        "class HttpStream:\n    async def handle(self, event):\n        pass\n\n\n"
        "class WsStream:\n    async def handle(self, event):\n        pass\n\n"
        "    def close(self):\n        pass\n\n\n"
        "class Recorder:\n    def handle(self, event):\n        pass\n\n\n"
        "class Protocol:\n"
        "    def __init__(self, stream: HttpStream | WsStream | None) -> None:\n"
        "        self.stream = stream\n"
        "        self.current: HttpStream | WsStream | None = None\n"
        "        self.listener: HttpStream | Recorder = Recorder()\n\n\n"
        "class H11Protocol(Protocol):\n"
        "    async def handle(self, event, other: HttpStream | WsStream):\n"
        "        self.current.handle(event)\n"
        "        self.listener.handle(event)\n"
        "        other.handle(event)\n"
        "        other.close()\n"
    )
    assert [f.line for f in lint(source, select=["STK202"])] == [28, 30]


def test_elements_of_containers_annotated_with_their_class():
    source = (
        "from collections import deque\n\n\n"
        "class StreamBuffer:\n    async def drain(self):\n        pass\n\n\n"
        "class Connection:\n"
        "    def __init__(self) -> None:\n"
        "        self.buffers: dict[int, StreamBuffer] = {}\n"
        "        self.waiting: deque[StreamBuffer] = deque()\n"
        "        self.labels: dict[int, str] = {}\n\n"
        "    async def flush(self, stream_id, pending: list[StreamBuffer]):\n"
        "        self.buffers[stream_id].drain()\n"
        "        self.waiting[0].drain()\n"
        "        pending[-1].drain()\n"
        "        self.labels[stream_id].upper()\n"
        "        await self.buffers[stream_id].drain()\n"
    )
    assert [f.line for f in lint(source, select=["STK202"])] == [16, 17, 18]


FACTORY_PROJECT = {
    "stk/__init__.py": "",
    "stk/signals.py": (
        "class Signal:\n"
        "    async def set(self) -> None:\n        pass\n\n"
        "    async def wait(self) -> None:\n        pass\n\n"
        "    def is_set(self) -> bool:\n        return False\n\n\n"
        "class Counter:\n"
        "    def add(self, n: int) -> None:\n        pass\n"
    ),
    "stk/context.py": (
        "from typing import Protocol\n\n"
        "from .signals import Counter, Signal\n\n\n"
        "class AppContext(Protocol):\n"
        "    signal_class: type[Signal]\n"
        "    counter_class: type[Counter]\n"
        "    shutdown: Signal\n"
        "    name: str\n"
        "    if True:\n        pass\n"
    ),
    "stk/worker.py": (
        "import asyncio\n\n"
        "from .context import AppContext\n"
        "from .signals import Counter, Signal\n\n\n"
        "class Worker:\n"
        "    def __init__(self, context: AppContext, signal_class: type[Signal]) -> None:\n"
        "        self.context = context\n"
        "        self.ready = signal_class()\n"
        "        self.done = context.signal_class()\n"
        "        self.factory = signal_class\n"
        "        self.counter = context.counter_class()\n\n"
        "    async def run(self, spare: type[Signal] | None = None) -> None:\n"
        "        self.ready.set()\n"  # 16
        "        self.done.wait()\n"  # 17
        "        self.context.shutdown.wait()\n"  # 18
        "        made = self.context.signal_class()\n"
        "        made.set()\n"  # 20
        "        other = spare()\n"
        "        other.wait()\n"  # 22
        "        # legal: awaited, handed to a task, a sync method, building the class\n"
        "        await self.ready.wait()\n"
        "        task = asyncio.create_task(self.done.wait())\n"
        "        self.done.is_set()\n"
        "        self.counter.add(1)\n"
        "        self.context.name.upper()\n"
        "        self.factory()\n"
        "        await task\n"
    ),
    "stk/stopping.py": (
        "from .context import AppContext\n\n\n"
        "def stop(context: AppContext) -> None:\n"
        "    context.shutdown.set()\n"  # 5: a plain def; no text of the skips in the file
    ),
}


def test_classes_made_by_type_annotated_factories_and_class_body_annotations(tmp_path):
    project = write_project(tmp_path, FACTORY_PROJECT) / "stk"
    found = {(Path(f.path).name, f.line) for f in stk202([project])}
    assert found == {
        ("worker.py", 16),  # `signal_class: type[Signal]` called in `__init__`
        ("worker.py", 17),  # `context.signal_class()`: `type[Signal]` in AppContext's body
        ("worker.py", 18),  # `shutdown: Signal` in AppContext's body
        ("worker.py", 20),
        ("worker.py", 22),  # `spare: type[Signal] | None`
        ("stopping.py", 5),
    }
    settings = Settings(select=["STK202"])
    with_skips = run([project], settings, jobs=1, use_cache=False, skips=True).findings
    without = run([project], settings, jobs=1, use_cache=False, skips=False).findings
    assert with_skips == without


def test_summary_keeps_class_body_annotations_only():
    source = (
        "x: Thing = make()\n\n"
        "class Context(Protocol):\n"
        "    event_class: type[Event]\n"
        "    terminated: 'Event' = None\n"
        "    if TYPE_CHECKING:\n        hidden: Event\n"
        "    else: pass\n"
        "    def method(self):\n"
        "        local: Event = make()\n"
    )
    summary = summarise(source, "m")
    assert summary["bindings"] == {
        "x": "type:Thing",
        "Context.event_class": "type:type[Event]",
        "Context.terminated": "type:'Event'",
        "Context.hidden": "type:Event",
    }


ALIAS_PROJECT = {
    "stk/__init__.py": "",
    "stk/pages.py": "class Page:\n    pass\n\n\nclass Redirect:\n    pass\n",
    "stk/types.py": (
        "from typing import TYPE_CHECKING, Any, Optional, Union\n\n"
        "if TYPE_CHECKING:\n    from .pages import Page, Redirect\n\n"
        'PageTypes = Union["Page", "Redirect"]\n'
        "MaybePage = Optional[PageTypes]\n"
        'Loose = Union["Page", Any]\n'
    ),
    "stk/views.py": (
        "from .types import Loose, MaybePage, PageTypes\n\n\n"
        "class PageView:\n"
        "    async def render(self, name: str) -> PageTypes:\n        return None\n\n"
        "    async def finish(self, page: PageTypes) -> None:\n        pass\n\n"
        "    def close(self, page: MaybePage, fallback: Loose = None) -> None:\n"
        "        pass\n\n"
        "    async def show(self, name: str) -> None:\n"
        "        page = self.render(name)\n"  # 15
        "        await self.finish(page)\n"
        "        other = self.render(name)\n"  # 17
        "        self.close(other)\n"
        "        loose = self.render(name)\n"
        "        self.close(None, loose)\n"  # Any in the union: maybe a coroutine
    ),
}


def test_a_coroutine_passed_to_a_parameter_typed_by_an_alias_of_a_union(tmp_path):
    project = write_project(tmp_path, ALIAS_PROJECT) / "stk"
    found = {(Path(f.path).name, f.line) for f in stk202([project])}
    assert found == {("views.py", 15), ("views.py", 17)}


def test_bound_coroutines_given_to_hasattr_and_vars():
    source = (
        "class Users:\n    async def create(self, **fields):\n        return None\n\n\n"
        "async def register(users: Users, fields):\n"
        "    user = users.create(**fields)\n"  # 7
        "    if hasattr(user, 'confirmed_at'):\n        return {}\n"
        "    other = users.create(**fields)\n"  # 10
        "    return vars(other)\n"
    )
    assert [f.line for f in lint(source, select=["STK202"])] == [7, 10]
