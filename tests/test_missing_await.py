"""STK202 missing-await on single modules: every legal pattern is clean, every illegal one
gives exactly one finding at the right line, and the `await` fix produces valid code."""

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from stk_lint.coroutines import DEFAULT_CONSUMERS
from stk_lint.libraries import LibraryIndex
from stk_lint.project import ProjectIndex
from stk_lint.testing import lint

FIXTURE = Path(__file__).parent / "fixtures" / "await_project"
# Stands in for a module of the fixture project: its imports resolve against the project.
VIEWS = str(FIXTURE / "stk" / "things" / "snippet.py")

HEADER = """\
import asyncio
import json

import stk.extensions as ext
from quart import Blueprint, g, request, websocket
from quart import render_template, flash, make_response, session
from quart_security import current_user
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stk.tasks import run_in_background, run_with_session
from stk.user.models import Activity
from .models import Thing

bp = Blueprint("snippet", __name__)


async def notify(user_id):
    pass


"""
HEADER_LINES = HEADER.count("\n")


def _index():
    # Libraries as installed in this environment (quart/sqlalchemy may be absent:
    # the built-in table then answers), project modules from the fixture.
    return ProjectIndex()


def findings(body, options=None, project="fixture"):
    index = _index() if project == "fixture" else project
    source = HEADER + textwrap.dedent(body)
    return lint(source, VIEWS, select=["STK202"], options=options, project=index)


def lines(body, **kwargs):
    return [f.line - HEADER_LINES for f in findings(body, **kwargs)]


LEGAL = {
    "synchronous sessions in a seed script or a data migration": """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session, sessionmaker

        engine = create_engine("sqlite:///app.db")
        SessionLocal = sessionmaker(engine)

        def seed():
            with SessionLocal() as s:
                s.add(Thing())
                s.commit()
            with Session(engine) as db_session:
                db_session.commit()
            db_session = Session(engine)
            db_session.flush()
    """,
    "an alias of a synchronous session": """
        from sqlalchemy.orm import Session

        def seed(engine):
            with Session(engine) as s:
                db_session = s
                db_session.add(Thing())
                db_session.commit()
    """,
    "run_sync callbacks get a synchronous Session": """
        from sqlalchemy.orm import Session

        def _rename_all(db_session: Session, name):
            for thing in db_session.scalars(select(Thing)):
                thing.name = name
            db_session.flush()

        def _count(db_session):
            return db_session.scalar(select(Thing))

        async def h():
            await g.db_session.run_sync(_rename_all, "x")
            return {"n": await g.db_session.run_sync(_count)}
    """,
    "optional and quoted synchronous Session annotations": """
        from typing import Optional

        from sqlalchemy.orm import Session

        def seed(db_session: Optional[Session] = None):
            db_session.commit()

        def backfill(db_session: "Session | None" = None):
            db_session.commit()
    """,
    "a db_session local bound to something else": """
        from app.db import SessionLocal

        def backfill():
            db_session = SessionLocal()
            db_session.execute(select(Thing))
            db_session.commit()
    """,
    "a class holding a synchronous Session": """
        from sqlalchemy.orm import Session

        class LegacyExporter:
            db_session: Session

            def save(self):
                self.db_session.commit()

        class CsvExporter:
            def __init__(self, db_session: Session):
                self.db_session = db_session

            def save(self):
                self.db_session.commit()
    """,
    "a synchronous sessionmaker named session_factory": """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        engine = create_engine("sqlite:///app.db")
        session_factory = sessionmaker(bind=engine)

        def backfill():
            with session_factory() as session:
                session.execute(select(Thing))
                session.commit()
            with session_factory.begin() as session:
                session.add(Thing())
    """,
    "AsyncAttrs awaitable attributes awaited or gathered": """
        async def h(thing_id):
            thing = await g.db_session.get(Thing, thing_id)
            user = await thing.awaitable_attrs.user
            users, owners = await asyncio.gather(
                thing.awaitable_attrs.users, thing.awaitable_attrs.owners
            )
            return {"user": user.id, "n": len(users) + len(owners)}
    """,
    "awaited": """
        @bp.get("/")
        async def h():
            data = await request.get_json()
            await g.db_session.commit()
            return await render_template("x.html", data=data)
    """,
    "awaited later via its name": """
        async def h(user_id):
            pending = notify(user_id)
            await asyncio.sleep(0)
            await pending
    """,
    "passed to consumers": """
        async def h(users):
            await run_in_background(notify(users[0]))
            await asyncio.gather(*[notify(u) for u in users])
            await asyncio.gather(*(notify(u) for u in users))
            task = asyncio.create_task(notify(1))
            await task
            await asyncio.wait_for(notify(2), timeout=3)
            await asyncio.shield(notify(3))
            asyncio.ensure_future(notify(4))
            async with asyncio.TaskGroup() as tg:
                tg.create_task(notify(5))
    """,
    "loop.run_until_complete and asyncio.run from sync code": """
        def main():
            asyncio.run(notify(1))
            loop = asyncio.new_event_loop()
            loop.run_until_complete(notify(2))
    """,
    "plain def wrapper returns the coroutine": """
        def later(user_id):
            return notify(user_id)

        def page():
            return render_template("x.html")
    """,
    "lambda bodies": """
        handlers = {"home": lambda: render_template("home.html")}
        callback = lambda uid: notify(uid)
    """,
    "async with and async for": """
        async def h():
            async with ext.async_session_factory() as s:
                async with s.begin():
                    s.add(Thing())
                async for row in await s.stream(select(Thing)):
                    pass
                async for row in s.stream(select(Thing)):
                    pass
    """,
    "streamed results awaited": """
        async def h():
            result = await g.db_session.stream(select(Thing))
            rows = await result.all()
            things = await g.db_session.stream_scalars(select(Thing))
            async for part in things.partitions(10):
                pass
            first = await things.first()
            plain = await g.db_session.execute(select(Thing))
            return {"rows": len(rows), "all": len(plain.all()), "first": first.id}
    """,
    "sync AsyncSession methods": """
        async def h(thing):
            g.db_session.add(thing)
            g.db_session.add_all([thing])
            g.db_session.expunge(thing)
            g.db_session.expire(thing)
            g.db_session.expire_all()
            if g.db_session.is_modified(thing) or g.db_session.in_transaction():
                pass
            nested = g.db_session.begin_nested()
            await nested
    """,
    "request awaitables handed to coroutine consumers": """
        @bp.post("/upload")
        async def upload():
            data, form = await asyncio.gather(request.get_json(), request.form)
            message = await asyncio.wait_for(websocket.receive(), timeout=5)
            return {"data": data, "form": dict(form), "message": message}
    """,
    "sync request attributes": """
        @bp.get("/")
        async def h():
            page = request.args.get("page", 1, type=int)
            token = request.headers.get("X-Token")
            if request.method == "POST":
                pass
            return {"page": page, "token": token, "path": request.path}
    """,
    "request and websocket names bound locally are not Quart's": """
        def parse_payload(request):
            # a helper given an httpx response
            return request.json().get("item")

        async def forward(client):
            for request in client.pending:
                request.data.decode()
            websocket = client.ws
            websocket.send("x")
    """,
    "a class attribute does not hide quart's cookie session": """
        class UnitOfWork:
            session: AsyncSession

            def __init__(self, session):
                self.session = session

        async def whoami():
            return {"user": session.get("uid")}
    """,
    "quart cookie session is a dict": """
        async def h():
            uid = session.get("user_id")
            return {"user": uid}
    """,
    "websocket awaited": """
        @bp.websocket("/ws")
        async def ws():
            while True:
                message = await websocket.receive()
                await websocket.send(message)
    """,
    "methods awaited via class and instance": """
        @bp.post("/x")
        async def h(id):
            thing = await g.db_session.get(Thing, id)
            await thing.from_dict({"name": "x"})
            other = Thing()
            await other.from_dict({})
            await Activity.register(current_user.id, "Update", thing.to_dict())
            return {"count": await Thing.count_active(g.db_session)}
    """,
    "run_with_session parameter used right": """
        async def work(session):
            await session.flush()
            session.add(Thing())

        async def start():
            await run_with_session(work)
    """,
    "passed to an unknown function (assumed handled there)": """
        tasks = []

        async def h(scheduler):
            scheduler.submit(notify(1))
            tasks.append(notify(2))
    """,
    "stored in a container": """
        async def h():
            jobs = [notify(1), notify(2)]
            await asyncio.gather(*jobs)
    """,
    "rebound to its own awaited value": """
        async def h():
            data = request.get_json()
            data = await data
            return data
    """,
    "bound in if/else branches, gathered after": """
        async def h(a, b):
            if a:
                first = notify(1)
            else:
                first = notify(2)
            second, third = notify(3), notify(4)
            first, second, _ = await asyncio.gather(first, second, third)
            return first
    """,
    "captured by a nested function": """
        async def h():
            coro = notify(1)

            async def runner():
                await coro

            await runner()
    """,
    "shadowed by a local or parameter": """
        async def h(notify):
            notify(1)
            flash = print
            flash("not quart's")
    """,
    "async generators are iterated, not awaited": """
        async def rows(query):
            async with ext.async_session_factory() as s:
                async for row in await s.stream(query):
                    yield row

        async def h():
            async for row in rows(select(Thing)):
                pass
            stream = rows(select(Thing))
            return stream
    """,
    "optional coroutine tested for None or truth, then awaited": """
        async def h(user_id, send):
            coro = None
            if send:
                coro = notify(user_id)
            if coro is not None:
                await coro
            task = None
            if send:
                task = notify(user_id)
            if task and not g.get("dry_run"):
                await task
    """,
    "websocket receive re-armed at the bottom of the loop that awaits it": """
        @bp.websocket("/ws")
        async def relay():
            pending = websocket.receive()
            while True:
                message = await pending
                if message == "bye":
                    break
                pending = websocket.receive()
    """,
    "previous job awaited at the top of the next iteration": """
        async def h(users):
            previous = None
            for user in users:
                if previous is not None:
                    await asyncio.wait_for(previous, timeout=5)
                previous = notify(user)
            if previous:
                await previous
    """,
    "a one-line async generator streamed as the response": """
        @bp.get("/stream")
        async def stream():
            async def generate(): yield b"data: x\\n\\n"
            return generate(), 200, {"Content-Type": "text/event-stream"}
    """,
    "super() methods awaited, sync ones called": """
        class Repo:
            def __init__(self, session):
                self.session = session

            async def save(self, thing):
                self.session.add(thing)
                await self.session.flush()

        class ThingRepo(Repo):
            def __init__(self, session):
                super().__init__(session)

            async def save(self, thing):
                thing.touched = True
                await super().save(thing)
    """,
    "same name, sync function in another class": """
        class Cache:
            def register(self, key):
                return key

        def use(cache: Cache):
            cache.register("k")
    """,
    "coroutines passed to parameters that may take one": """
        from collections.abc import Awaitable
        from typing import Any, Protocol, TypeVar

        T = TypeVar("T")

        class Runner(Protocol):
            def close(self) -> None: ...

        def run_later(job: Awaitable[None], runner: Runner | None = None) -> None:
            asyncio.ensure_future(job)

        def keep(value: T, extra: Any = None, *rest: str) -> T:
            return value

        def untyped(job):
            return job

        def cached(job: str) -> str:
            return job

        class Scheduler:
            def add(self, job: Awaitable[None], name: str) -> None:
                pass

            @staticmethod
            def build(name: str) -> str:
                return name

            async def plan(self, thing_id):
                first = notify(thing_id)
                self.add(first, "notify")
                second = notify(thing_id)
                run_later(second)
                third = notify(thing_id)
                keep(third)
                fourth = notify(thing_id)
                keep(None, fourth)
                fifth = notify(thing_id)
                untyped(fifth)
                sixth = notify(thing_id)
                keep(None, None, "a", sixth)
                seventh = notify(thing_id)
                run_later(runner=None, job=seventh)
    """,
    "usage evidence: the same callee awaited, then handed on, gathered, made a task": """
        class Store:
            def __init__(self, datastore):
                self.datastore = datastore

            async def save(self, user):
                await self.datastore.put(user)
                pending = self.datastore.put(user)
                await asyncio.gather(self.datastore.put(user), pending)
                task = asyncio.create_task(self.datastore.put(user))
                jobs = [self.datastore.put(u) for u in (user,)]
                await asyncio.gather(*jobs)
                await task

            async def later(self, user):
                return self.datastore.put(user)
    """,
    "usage evidence: awaited in one arm of an `if` that chooses by the callee": """
        async def run(callback, is_sync, effect, deferred):
            if is_sync:
                result = callback()
            else:
                result = await callback()
            if asyncio.iscoroutinefunction(effect):
                await effect()
            elif deferred:
                pass
            else:
                effect()
            return result
    """,
    "usage evidence: an `if` that chooses by the callee, its awaiting arm leaving early": """
        async def dispatch(handler, event):
            if asyncio.iscoroutinefunction(handler):
                await handler(event)
                return
            handler(event)

        class Bus:
            def __init__(self):
                self.callbacks = []

            async def emit(self, event):
                for callback in self.callbacks:
                    if not asyncio.iscoroutinefunction(callback):
                        callback(event)
                        continue
                    await callback(event)
    """,
    "usage evidence: same name, another function's parameter, or another class": """
        async def one(send):
            await send({"type": "start"})

        async def two(send):
            send({"type": "start"})

        class A:
            async def a(self):
                await self.hook()

        class B:
            async def b(self):
                self.hook()
    """,
    "a project's own `anext`, and `anext` handed on": """
        def anext(items):
            return items[0]

        async def h(gen, items):
            first = anext(items)
            await asyncio.wait_for(__builtins__.anext(gen), 1)
            return first.id
    """,
    "a plain `def` driving an async generator by hand": """
        def drive(gen):
            step = gen.__anext__()
            try:
                step.send(None)
            except StopIteration as stop:
                return stop.value
    """,
    "usage evidence: another binding of the name (a `with` target, a nested `def`)": """
        import socket

        async def listen(trio_socket):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
            with trio_socket.socket() as s:
                await s.bind(("127.0.0.1", 0))

        async def relay(make_sender):
            def send(message):
                return message

            send("a")
            send = make_sender()
            await send("b")
    """,
    "usage evidence: awaits and calls a test expects to raise": """
        import pytest

        async def test_channel(r):
            assert r.receive_nowait() == 2
            with pytest.raises(EndOfChannel):
                r.receive_nowait()
            with pytest.raises(ClosedResourceError):
                await r.receive_nowait()
    """,
    "usage evidence: a scheduler's handle may be left to run": """
        async def h(loop, job):
            await loop.run_in_executor(None, job)
            loop.run_in_executor(None, job)
    """,
    "results unpacked after `await`, a tuple of coroutines unpacked": """
        async def h(tasks):
            done, pending = await asyncio.wait(tasks)
            first, second = notify(1), notify(2)
            await asyncio.gather(first, second)
            return done
    """,
    "a name rebound to a coroutine of its own value, then awaited": """
        async def load(user):
            return user

        async def handler(user):
            user = load(user)
            return await user
        """,
    "a tuple of names given a tuple with a coroutine, awaited later": """
        async def handler(user_id):
            job, count = notify(user_id), 0
            await job
            return count
        """,
    "swapping names (a tuple given a tuple of names)": """
        async def handler(a, b):
            a, b = b, a
            return a
        """,
    "a tuple target given one call (unpacking its awaited result)": """
        async def handler(user_id):
            done, pending = await asyncio.wait([notify(user_id)])
            return done
        """,
}


@pytest.mark.parametrize("body", LEGAL.values(), ids=LEGAL.keys())
def test_legal_patterns_are_clean(body):
    assert [(f.line, f.message) for f in findings(body)] == []


# (body, line of the single finding relative to the body, words the message must contain)
ILLEGAL = {
    "a sessionmaker of AsyncSession (the SQLAlchemy 1.4 spelling)": (
        """
        from sqlalchemy.orm import sessionmaker

        AsyncLocal = sessionmaker(engine, class_=AsyncSession)

        async def h():
            async with AsyncLocal() as s:
                s.commit()
        """,
        8,
        ["`s.commit`", "AsyncSession method"],
    ),
    "AsyncAttrs awaitable attribute used as the value": (
        """
        async def h(thing_id):
            thing = await g.db_session.get(Thing, thing_id)
            lines = thing.awaitable_attrs.lines
            return {"n": len(lines)}
        """,
        4,
        ["`thing.awaitable_attrs.lines`", "AsyncAttrs", "`lines` holds its coroutine"],
    ),
    "websocket message decoded without await": (
        """
        @bp.websocket("/ws")
        async def feed():
            while True:
                data = websocket.receive()
                message = json.loads(data)
        """,
        5,
        ["`websocket.receive`", "`data` holds its coroutine"],
    ),
    "bare statement": (
        """
        async def h():
            g.db_session.commit()
        """,
        3,
        ["`g.db_session.commit`", "AsyncSession method", "never runs"],
    ),
    ".get on request.json": (
        """
        async def h():
            item = request.json.get("item")
        """,
        3,
        ["`request.json`", "awaitable property"],
    ),
    "subscript": (
        """
        async def h():
            return {"item": request.form["item"]}
        """,
        3,
        ["`request.form`"],
    ),
    "iteration": (
        """
        async def h():
            for row in g.db_session.scalars(select(Thing)):
                pass
        """,
        3,
        ["`g.db_session.scalars`"],
    ),
    "comparison": (
        """
        async def h():
            if g.db_session.get(Thing, 1) is None:
                return 404
        """,
        3,
        ["`g.db_session.get`"],
    ),
    "truth test": (
        """
        async def h():
            if not request.files:
                return 400
        """,
        3,
        ["`request.files`"],
    ),
    "f-string": (
        """
        async def h():
            return {"msg": f"{request.data}"}
        """,
        3,
        ["`request.data`"],
    ),
    "passed to len/list/dict": (
        """
        async def h():
            return {"n": len(g.db_session.scalars(select(Thing)))}

        async def i():
            rows = list(g.db_session.scalars(select(Thing)))
            form = dict(request.form)
            return {"rows": rows, "form": form}
        """,
        [3, 6, 7],
        ["`g.db_session.scalars`"],
    ),
    "returned from an async handler": (
        """
        @bp.get("/")
        async def page():
            return render_template("x.html")
        """,
        4,
        ["`render_template`", "returned without `await`", "async def page"],
    ),
    "bound, then used as a value": (
        """
        async def h():
            json_data = request.get_json()
            return json_data.get("item", {})
        """,
        3,
        ["`request.get_json`", "`json_data`", "used without `await`"],
    ),
    "request body bound, then handed to a function": (
        """
        @bp.post("/api/thing/")
        async def create_thing():
            data = request.get_json()
            thing = await Thing.from_dict(g.db_session, data)
            return thing.to_dict()
        """,
        4,
        ["`request.get_json`", "`data` holds its coroutine", "passed to a function"],
    ),
    "request property passed to a validator": (
        """
        @bp.post("/api/thing/")
        async def create_thing():
            payload = ThingIn.model_validate(request.json)
            return payload.model_dump()
        """,
        4,
        ["`request.json`", "used as a value"],
    ),
    "bound and never awaited": (
        """
        async def h():
            result = flash("Saved")
            return {}
        """,
        3,
        ["`flash`", "never awaited"],
    ),
    "rebound before it was awaited": (
        """
        async def h():
            data = request.get_json()
            data = {}
            return data
        """,
        3,
        ["`request.get_json`", "never awaited"],
    ),
    "tested for None, never awaited": (
        """
        async def h(user_id):
            coro = notify(user_id)
            if coro is None:
                return {}
            return {"ok": True}
        """,
        3,
        ["`notify`", "`coro` holds its coroutine", "never awaited"],
    ),
    "bound in a loop that never awaits it": (
        """
        async def h(users):
            for user in users:
                job = notify(user)
                if job:
                    pass
        """,
        4,
        ["`notify`", "`job` holds its coroutine", "never awaited"],
    ),
    "rebound by a for loop": (
        """
        async def h(items):
            job = notify(1)
            for job in items:
                pass
        """,
        3,
        ["`notify`", "never awaited"],
    ),
    "branches bound, then used as a value": (
        """
        async def h(raw):
            if raw:
                data = request.get_data()
            else:
                data = request.get_data()
            return {"n": len(data)}
        """,
        [4, 6],
        ["`request.get_data`", "used without `await`"],
    ),
    "called from a plain def": (
        """
        def signup(user_id):
            notify(user_id)
        """,
        3,
        ["`notify`", "plain `def`", "make it `async def`"],
    ),
    "class method via class": (
        """
        async def h():
            Activity.register(current_user.id, "Create", {})
        """,
        3,
        ["`Activity.register`", "stk/user/models.py:36"],
    ),
    "method via instance": (
        """
        async def h():
            thing = Thing()
            thing.from_dict({})
        """,
        4,
        ["`thing.from_dict`", "stk/things/models.py:24"],
    ),
    "method via session.get instance": (
        """
        async def h(id):
            thing = await g.db_session.get(Thing, id)
            thing.from_dict({})
        """,
        4,
        ["`thing.from_dict`"],
    ),
    "an alias of g.db_session": (
        """
        async def h(thing):
            session = g.db_session
            session.add(thing)
            session.commit()
        """,
        5,
        ["`session.commit`", "AsyncSession method"],
    ),
    "self.db_session of a class holding an AsyncSession, from a plain def": (
        """
        class Exporter:
            def __init__(self, db_session: AsyncSession):
                self.db_session = db_session

            def save(self):
                self.db_session.commit()
        """,
        7,
        ["`self.db_session.commit`", "plain `def`"],
    ),
    "an async def named like a class attribute": (
        """
        class Notification(Base):
            send = mapped_column(default=False)

        async def send(notification):
            pass

        async def h(notification):
            send(notification)
        """,
        9,
        ["`send`", "is async"],
    ),
    "an async def holding a one-line async generator": (
        """
        async def warm_up():
            async def ticks(): yield 1
            await asyncio.sleep(0)

        async def h():
            warm_up()
        """,
        7,
        ["`warm_up`", "is async"],
    ),
    "AsyncResult of session.stream": (
        """
        async def h():
            result = await g.db_session.stream(select(Thing))
            rows = result.all()
            return {"n": len(rows)}
        """,
        4,
        ["`result.all`", "is async", "`rows` holds its coroutine"],
    ),
    "AsyncScalarResult of session.stream_scalars": (
        """
        async def h():
            things = await g.db_session.stream_scalars(select(Thing))
            things.first()
        """,
        4,
        ["`things.first`", "is async"],
    ),
    "session from the factory": (
        """
        async def h():
            async with ext.async_session_factory() as s:
                s.flush()
        """,
        4,
        ["`s.flush`"],
    ),
    "AsyncSession(...) binding": (
        """
        async def h(engine):
            s = AsyncSession(engine)
            s.commit()
        """,
        4,
        ["`s.commit`"],
    ),
    "session from a local async_sessionmaker": (
        """
        Session = async_sessionmaker(engine)

        async def h():
            async with Session() as s:
                s.execute(select(Thing))
        """,
        6,
        ["`s.execute`"],
    ),
    "session from factory.begin()": (
        """
        async def h():
            async with ext.async_session_factory.begin() as s:
                s.refresh(Thing())
        """,
        4,
        ["`s.refresh`"],
    ),
    "parameter annotated AsyncSession": (
        """
        async def h(db: AsyncSession):
            db.execute(select(Thing))
        """,
        3,
        ["`db.execute`"],
    ),
    "optional, union and quoted AsyncSession annotations": (
        """
        async def a(db: AsyncSession | None = None):
            db.commit()

        async def b(db: "Optional[AsyncSession]" = None):
            db.commit()

        async def c(db: "AsyncSession"):
            db.commit()

        async def d(db: typing.Union[None, "sqlalchemy.ext.asyncio.AsyncSession"]):
            db.flush()

        async def e(other: Thing | None):
            other.from_dict({})
        """,
        [3, 6, 9, 12, 15],
        ["`db.commit`", "AsyncSession method"],
    ),
    "parameter of a run_with_session function": (
        """
        async def work(sess):
            sess.delete(Thing())

        async def start():
            await run_with_session(work)
        """,
        3,
        ["`sess.delete`"],
    ),
    "websocket send": (
        """
        async def ws():
            websocket.send("x")
        """,
        3,
        ["`websocket.send`"],
    ),
    "self.method inside the class": (
        """
        class Importer:
            async def load(self):
                pass

            async def run(self):
                self.load()
        """,
        7,
        ["`self.load`"],
    ),
    "method inherited from a subscripted generic base": (
        """
        from typing import Generic, TypeVar

        T = TypeVar("T")

        class BaseRepository(Generic[T]):
            async def delete(self, obj):
                await g.db_session.delete(obj)

        class ThingRepository(BaseRepository["Thing"], metaclass=type):
            async def archive(self, thing):
                self.delete(thing)
        """,
        12,
        ["`self.delete`", "is async"],
    ),
    "super() method without await": (
        """
        class Repo:
            async def save(self, thing):
                await g.db_session.flush()

        class ThingRepo(Repo):
            async def save(self, thing):
                thing.touched = True
                super().save(thing)
        """,
        9,
        ["`super().save`", "is async"],
    ),
    "method of a PEP 695 generic class": (
        """
        class Repository[T]:
            async def get(self, ident: int) -> T | None:
                return await g.db_session.get(Thing, ident)

        def get(x):
            return x

        async def h(ident):
            get(ident)
            repository = Repository()
            repository.get(ident)
        """,
        12,
        ["`repository.get`", "is async"],
    ),
    "a coroutine passed to a parameter annotated with a plain class": (
        """
        class ThingView:
            async def load(self, thing_id: int) -> Thing:
                return await g.db_session.get(Thing, thing_id)

            def serialise(self, thing: Thing | None, *, fields: list[str]) -> dict:
                return {"id": thing.id}

            async def get(self, thing_id):
                thing = self.load(thing_id)
                return self.serialise(thing, fields=["id"])
        """,
        10,
        ["`thing` holds its coroutine", "passed to `self.serialise`", "`Thing | None`"],
    ),
    "a coroutine passed by keyword to a function of the module": (
        """
        def page_title(name: str, *, suffix: str = "") -> str:
            return name + suffix

        async def title_of(thing_id):
            return "thing"

        async def show(thing_id):
            title = title_of(thing_id)
            return page_title("Thing", suffix=title)
        """,
        9,
        ["passed to `page_title`", "`suffix`", "`str`"],
    ),
    "a coroutine unpacked into names": (
        """
        async def h(tasks):
            done, pending = asyncio.wait(tasks)
            [first, *rest] = asyncio.wait(tasks)
            return done
        """,
        [3, 4],
        ["`asyncio.wait`", "used as a value"],
    ),
    "nested async def": (
        """
        async def outer():
            async def inner():
                pass

            inner()
        """,
        6,
        ["`inner`"],
    ),
    "consumer result not awaited": (
        """
        async def h():
            run_in_background(notify(1))
        """,
        3,
        ["`run_in_background`", "stk/tasks.py"],
    ),
    "usage evidence: an unannotated attribute's method awaited elsewhere in the class": (
        """
        class State:
            def __init__(self, datastore):
                self.datastore = datastore

            async def put(self, token):
                await self.datastore.commit()

            async def pop(self, token):
                self.datastore.commit()
        """,
        10,
        ["`self.datastore.commit(...)` is awaited on line"],
    ),
    "usage evidence: an unannotated callable parameter awaited in the same function": (
        """
        async def handle(scope, receive, send):
            if scope["type"] == "http":
                await send({"type": "http.response.start"})
                send({"type": "http.response.body"})
        """,
        5,
        ["`send(...)` is awaited on line", "never runs"],
    ),
    "usage evidence: awaited in an arm that does not leave, then called bare after it": (
        """
        async def handle(scope, receive, send):
            if scope["type"] == "http":
                await send({"type": "http.response.start"})
            send({"type": "http.response.start"})
            if scope["type"] == "lifespan":
                await send({"type": "lifespan.startup.complete"})
                return
            send({"type": "http.response.body"})
        """,
        [5, 9],
        ["`send(...)` is awaited on line", "never runs"],
    ),
    "usage evidence: a bound result used as a value": (
        """
        class Datastore:
            def __init__(self, session):
                self.session = session

            async def find(self, stmt):
                result = await self.session.execute(stmt)
                return result.scalar_one_or_none()

            async def find_all(self, stmt):
                result = self.session.execute(stmt)
                return result.scalars().all()
        """,
        11,
        ["is awaited on line", "`result` holds it", "used without `await` on line"],
    ),
    "an async protocol method called bare (`__aexit__`, `aclose`)": (
        """
        async def close(stack, gen):
            await gen.aclose()
            stack.__aexit__(None, None, None)
        """,
        4,
        ["`stack.__aexit__`", "async protocols"],
    ),
    "the built-in `anext` bound and used as a value": (
        """
        async def first(gen):
            value = anext(gen)
            return value.id
        """,
        3,
        ["`anext`", "`value` holds"],
    ),
    "module-level call": (
        """
        notify(1)
        """,
        2,
        ["module-level code cannot await"],
    ),
    "`self` outside a class (a function attached to one later)": (
        """
        async def attached(self):
            self.db_session.execute(select(Thing))
        """,
        3,
        ["`self.db_session.execute`"],
    ),
    "a name rebound to a coroutine of its own value (`user = load(user)`), then used": (
        """
        async def load(user):
            return user

        async def handler(user):
            user = load(user)
            return user.name
        """,
        6,
        ["`load`", "`user` holds", "used without `await` on line"],
    ),
    "a coroutine in a tuple given to a tuple of names, then used": (
        """
        async def load(user_id):
            return user_id

        async def handler(user_id):
            user, count = load(user_id), 0
            if not user:
                return count
            return user.name
        """,
        6,
        ["`load`", "`user` holds"],
    ),
}


@pytest.mark.parametrize(("body", "line", "words"), ILLEGAL.values(), ids=ILLEGAL.keys())
def test_illegal_patterns_give_one_finding(body, line, words):
    found = findings(body)
    expected = line if isinstance(line, list) else [line]
    assert [f.line - HEADER_LINES for f in found] == expected, [f.message for f in found]
    for word in words:
        assert word in found[0].message


def test_without_a_project_same_module_and_builtin_table_still_work():
    source = textwrap.dedent(
        """\
        from quart import g, render_template

        async def notify(u):
            pass

        async def h():
            notify(1)
            g.db_session.commit()
            return render_template("x.html")
        """
    )
    found = lint(source, "app/views.py", select=["STK202"])
    assert [f.line for f in found] == [7, 8, 9]
    assert "built-in table" in found[2].message


def test_streamed_results_without_sqlalchemy_use_the_builtin_table(tmp_path):
    source = textwrap.dedent(
        """\
        from quart import g

        async def h(query):
            result = await g.db_session.stream(query)
            result.fetchmany(10)
            things = await g.db_session.stream_scalars(query)
            return {"first": things.one_or_none()}
        """
    )
    path = str(tmp_path / "app" / "views.py")  # away from this repository's .venv
    found = lint(source, path, select=["STK202"], project=ProjectIndex(LibraryIndex([])))
    assert [f.line for f in found] == [5, 7]
    assert all("built-in table" in f.message for f in found)


def test_names_from_star_imports_of_the_checked_file():
    source = textwrap.dedent(
        """\
        from quart import *
        from stk.things.tasks import *
        from .models import *

        bp = Blueprint("things", __name__)


        @bp.post("/things/<int:thing_id>/notify")
        async def notify(thing_id):
            await notify_admins(thing_id)
            schedule_notification(1)
            recount()
            data = request.get_json()
            await Thing().from_dict(await data)
            Thing.count_active(g.db_session)
            return render_template("things/notified.html")
        """
    )
    found = lint(source, VIEWS, select=["STK202"], project=_index())
    assert [f.line for f in found] == [12, 15, 16]
    assert "stk/things/tasks.py:30" in found[0].message
    assert "stk/things/models.py:30" in found[1].message
    assert "`render_template`" in found[2].message


def test_session_names_option():
    body = """
        async def h(db):
            db.commit()
    """
    assert lines(body) == []
    assert lines(body, options={"session-names": ["db"]}) == [3]


def test_session_names_option_names_parameters_not_other_bindings():
    body = """
        async def h(db, thing):
            db.add(thing)
            db.flush()
            db = thing.parent
            db.flush()
    """
    assert lines(body, options={"session-names": ["db"]}) == [4]


def test_coroutine_consumers_option():
    body = """
        async def h(pool):
            job = notify(1)
            len(job)
    """
    assert lines(body) == [3]
    body = """
        async def h():
            print(notify(1))
    """
    assert lines(body) == [3]  # print takes values, not coroutines
    assert lines(body, options={"coroutine-consumers": ["print"]}) == []


def test_coroutine_consumers_option_does_what_its_documentation_says():
    consumers = [*DEFAULT_CONSUMERS, "app.jobs.spawn"]
    # Any function may take a coroutine over: listing one changes nothing there.
    body = """
        from app.jobs import spawn

        async def h(user_id):
            spawn(notify(user_id))
    """
    assert lines(body) == lines(body, options={"coroutine-consumers": consumers}) == []
    # A Quart awaitable passed to a function is a value unless the function is listed.
    body = """
        from app.jobs import spawn

        @bp.websocket("/ws")
        async def relay():
            spawn(websocket.receive())
    """
    assert lines(body) == [6]
    assert lines(body, options={"coroutine-consumers": consumers}) == []
    # A name handed to a consumer counts as awaited: a value use before it gets no fix,
    # since `job = await notify(...)` would hand the consumer a result.
    body = """
        from app.jobs import spawn

        async def h(user_id):
            job = notify(user_id)
            print(job)
            spawn(job)
    """
    for options, fixed in ((None, True), ({"coroutine-consumers": consumers}, False)):
        found = findings(body, options=options)
        assert [f.line - HEADER_LINES for f in found] == [5]
        assert (found[0].fix is not None) is fixed


def test_suppression_comment():
    body = """
        async def h():
            g.db_session.commit()  # noqa: STK202
    """
    assert lines(body) == []


# -- the fix ----------------------------------------------------------------------------


def apply(source, finding):
    text = source
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text


NO_FIX = "no fix"

FIXES = {
    "statement": ("    g.db_session.commit()\n", "    await g.db_session.commit()\n"),
    "attribute on a property needs parentheses": (
        '    item = request.json.get("item")\n',
        '    item = (await request.json).get("item")\n',
    ),
    "subscript needs parentheses": (
        '    x = request.form["a"]\n',
        '    x = (await request.form)["a"]\n',
    ),
    "returned": (
        '    return render_template("x.html")\n',
        '    return await render_template("x.html")\n',
    ),
    "bound name": ("    data = request.get_json()\n    return data\n", None),
    "comparison": (
        "    if g.db_session.get(Thing, 1) is None:\n        pass\n",
        "    if await g.db_session.get(Thing, 1) is None:\n        pass\n",
    ),
    "multi-line call": (
        "    g.db_session.execute(\n        select(Thing),  # all\n    )\n",
        "    await g.db_session.execute(\n        select(Thing),  # all\n    )\n",
    ),
    "bound name used in a comprehension: the fix is at the call": (
        "    result = g.db_session.execute(select(Thing))\n"
        "    return [t.to_dict() for t in result.scalars()]\n",
        "    result = await g.db_session.execute(select(Thing))\n"
        "    return [t.to_dict() for t in result.scalars()]\n",
    ),
    "awaitable attribute": (
        "    return thing.awaitable_attrs.lines[0]\n",
        "    return (await thing.awaitable_attrs.lines)[0]\n",
    ),
    "dict unpacking": (
        '    payload = {**request.json, "source": "api"}\n    return payload\n',
        '    payload = {**await request.json, "source": "api"}\n    return payload\n',
    ),
    "list unpacking": (
        "    things = [*g.db_session.scalars(select(Thing))]\n    return things\n",
        "    things = [*await g.db_session.scalars(select(Thing))]\n    return things\n",
    ),
    "already parenthesised": (
        '    item = (request.json).get("item")\n',
        '    item = (await request.json).get("item")\n',
    ),
    # The `await` written on the method call was meant for the coroutine under it.
    "await on a plain method of request data moves onto the property": (
        '    item = await request.json.get("item").strip()\n',
        '    item = (await request.json).get("item").strip()\n',
    ),
    "await on a subscript of request data moves onto the property": (
        '    name = await request.form["name"]\n',
        '    name = (await request.form)["name"]\n',
    ),
    "await on a Result method moves onto execute()": (
        "    rows = await g.db_session.execute(select(Thing)).all()\n",
        "    rows = (await g.db_session.execute(select(Thing))).all()\n",
    ),
    # A model's method may itself be async: moving or adding an await could both be wrong.
    "await on a method of a loaded model: no fix": (
        "    data = await g.db_session.get(Thing, 1).to_dict()\n",
        NO_FIX,
    ),
}


@pytest.mark.parametrize(("body", "expected"), FIXES.values(), ids=FIXES.keys())
def test_fix_inserts_await(body, expected):
    source = HEADER + "async def h():\n" + body
    found = lint(source, VIEWS, select=["STK202"], project=_index())
    assert len(found) == 1
    if expected is NO_FIX:
        assert found[0].fix is None
        return
    assert found[0].fix is not None and found[0].fix.applicability == "safe"
    fixed = apply(source, found[0])
    cst.parse_module(fixed)
    if expected is None:
        expected = body.replace("= request.get_json()", "= await request.get_json()")
    assert fixed == HEADER + "async def h():\n" + expected
    assert lint(fixed, VIEWS, select=["STK202"], project=_index()) == []


def test_a_bound_coroutine_names_the_line_of_its_misuse():
    # The finding is on the call (where `await` goes); the mistake is lines below.
    source = HEADER + textwrap.dedent(
        """\
        @bp.post("/things")
        async def create():
            data = request.get_json()
            app_name = "things"
            return {"item": data["item"], "app": app_name}
        """
    )
    found = lint(source, VIEWS, select=["STK202"], project=_index())
    assert [f.line for f in found] == [HEADER_LINES + 3]
    assert found[0].message == (
        "`request.get_json` is async (a Quart request coroutine); `data` holds its "
        f"coroutine but is used without `await` on line {HEADER_LINES + 5}"
    )


def test_no_binding_fix_when_the_name_is_awaited_later():
    # `coro = await notify(...)` would make the later `await coro` raise TypeError.
    source = HEADER + textwrap.dedent(
        """\
        async def h(user_id):
            coro = notify(user_id)
            log.info("sending %s", coro)
            await coro
        """
    )
    found = lint(source, VIEWS, select=["STK202"], project=_index())
    assert [f.line - HEADER_LINES for f in found] == [2]
    assert found[0].fix is None


def test_no_fix_outside_async_def_or_in_comprehensions():
    source = HEADER + textwrap.dedent(
        """\
        def sync():
            notify(1)

        async def h(items):
            return [x for x in items if g.db_session.get(Thing, x) is None]
        """
    )
    found = lint(source, VIEWS, select=["STK202"], project=_index())
    assert len(found) == 2
    assert all(f.fix is None for f in found)


def test_no_fix_in_a_class_body_inside_an_async_def():
    # `await` in a class body does not compile, even inside an `async def`; libcst
    # parses it, so the rule itself must not offer the fix.
    source = HEADER + textwrap.dedent(
        """\
        async def h():
            class Form:
                data = request.form
                g.db_session.commit()
            return Form
        """
    )
    found = lint(source, VIEWS, select=["STK202"], project=_index())
    assert [f.line - HEADER_LINES for f in found] == [3, 4]
    assert all(f.fix is None for f in found)


def test_library_index_without_search_path_does_no_lookups():
    index = ProjectIndex(LibraryIndex([]))
    assert index.resolve("quart.render_template") is None


def test_unusual_syntax_does_not_crash():
    source = textwrap.dedent(
        """\
        import asyncio
        from quart import request

        async def notify(u):
            pass

        async def odd(items, *args, flag=False, **kwargs):
            global counter
            match await request.get_json():
                case {"item": item}:
                    await notify(item)
                case _:
                    pass
            if (data := await request.form) is not None:
                pass
            results = [r async for r in agen()] + [await notify(i) for i in items]
            first, *rest = items
            del first
            try:
                await notify(1)
            except* ValueError:
                pass
            x = y = notify(2)
            await x
            x: int
            lambda *a, **k: notify(3)
            async def agen():
                yield 1
            with open("f") as (a, b):
                pass
            return {**kwargs, "n": len(rest)}

        class Meta(type):
            def __call__(cls, *a):
                return notify(4)
        """
    )
    found = lint(source, "app/views.py", select=["STK202"], project=ProjectIndex())
    assert [f.line for f in found] == []
