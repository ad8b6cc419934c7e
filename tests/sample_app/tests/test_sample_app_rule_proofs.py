"""Runtime proofs: what each rule prevents, shown failing for real against the sample app.

Every broken piece of code lives here, in the test, never in the app. Lines that
break a rule on purpose carry an `stk-lint: ignore[...]` comment naming it, so
`stk-lint check tests/sample_app` stays clean while the proof keeps its bug.
"""

import asyncio
import gc
import traceback
import warnings
from contextlib import contextmanager

import jinja2
import pytest
import stk.extensions as ext
from quart import Blueprint, g, redirect, render_template, render_template_string, request, url_for
from quart.signals import got_request_exception
from sample_app_support import ADMIN, login
from sqlalchemy import Column, ForeignKey, Integer, String, func, select
from sqlalchemy.exc import MissingGreenlet, StatementError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, backref, relationship
from stk.tasks import run_in_background, run_with_session, wait_for_background_tasks
from stk.things.models import Thing
from stk.user.models import Role, User


@pytest.fixture
def request_errors(app):
    """Exceptions raised by handlers, while the user gets a plain 500 response."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    # A logged record would keep the traceback, and the frames in it, alive.
    app.logger.disabled = True
    raised = []
    got_request_exception.connect(
        lambda sender, exception: raised.append(exception), app, weak=False
    )
    yield raised
    app.logger.disabled = False


async def thing_count():
    async with ext.async_session_factory() as session:
        return await session.scalar(select(func.count()).select_from(Thing))


# --- STK301 non-selectin-relationship ------------------------------------------------


class ProofBase(DeclarativeBase):
    pass


class Shelf(ProofBase):
    __tablename__ = "shelf"

    id = Column(Integer, primary_key=True)
    books_selectin = relationship("Book", lazy="selectin", viewonly=True)
    books_default = relationship("Book")  # stk-lint: ignore[STK301]


class Book(ProofBase):
    __tablename__ = "book"

    id = Column(Integer, primary_key=True)
    title = Column(String(80))
    shelf_id = Column(Integer, ForeignKey("shelf.id"))


class Tag(ProofBase):
    __tablename__ = "tag"

    id = Column(Integer, primary_key=True)
    # The reverse side of a plain-string backref loads lazily, whatever `lazy` says here.
    book_id = Column(Integer, ForeignKey("book.id"))
    book = relationship("Book", backref="tags", lazy="selectin")  # stk-lint: ignore[STK301]
    book_fixed = relationship(
        "Book", backref=backref("tags_selectin", lazy="selectin"), lazy="selectin", viewonly=True
    )


@contextmanager
def raises_missing_greenlet():
    """SQLAlchemy raises MissingGreenlet, wrapped in a StatementError once a query is built."""
    with warnings.catch_warnings():
        # the DB-API coroutine SQLAlchemy had started and could not await
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises((MissingGreenlet, StatementError)) as raised:
            yield
        gc.collect()
    error = raised.value
    assert isinstance(getattr(error, "orig", error), MissingGreenlet)
    assert "greenlet_spawn has not been called" in str(error)


async def test_stk301_default_lazy_relationship_raises_missing_greenlet(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shelf.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(ProofBase.metadata.create_all)
    factory = async_sessionmaker(engine, expire_on_commit=False)
    async with factory() as session:
        session.add(Shelf(id=1, books_default=[Book(title="Dune")]))
        session.add(Tag(id=1, book_id=None))
        await session.commit()
    await session.close()

    async with factory() as session:
        shelf = await session.get(Shelf, 1)
        assert [book.title for book in shelf.books_selectin] == ["Dune"]  # loaded with the shelf
        with raises_missing_greenlet():
            shelf.books_default  # noqa: B018 - the attribute access itself is the IO

        book = await session.get(Book, 1)
        assert book.tags_selectin == []
        with raises_missing_greenlet():
            book.tags  # noqa: B018
    await engine.dispose()


async def test_stk301_the_apps_selectin_relationships_work_under_async_session(serve):
    async with serve(), ext.async_session_factory() as session:
        admin = await session.scalar(select(User).where(User.email == ADMIN[0]))
        assert sorted(role.name for role in admin.roles) == ["admin", "user"]
        role = await session.scalar(select(Role).where(Role.name == "admin"))
        assert [user.email for user in role.users] == [ADMIN[0]]


# --- STK202 missing-await ------------------------------------------------------------

proof_bp = Blueprint("proofs", __name__)


@proof_bp.post("/proof/commit-awaited")
async def commit_awaited():
    g.db_session.add(await Thing().from_dict({"name": "Saved"}))
    await g.db_session.commit()
    return {"message": "ok"}


@proof_bp.post("/proof/commit-not-awaited")
async def commit_not_awaited():
    g.db_session.add(await Thing().from_dict({"name": "Lost"}))
    g.db_session.commit()  # stk-lint: ignore[STK202]
    return {"message": "ok"}


@proof_bp.post("/proof/json-not-awaited")
async def json_not_awaited():
    json_data = request.get_json()  # stk-lint: ignore[STK202]
    thing_data = json_data.get("item", {})
    return {"name": thing_data.get("name")}


@proof_bp.post("/proof/json-awaited")
async def json_awaited():
    json_data = await request.get_json()
    thing_data = json_data.get("item", {})
    return {"name": thing_data.get("name")}


async def test_stk202_unawaited_commit_saves_nothing_and_warns(app, serve):
    app.register_blueprint(proof_bp)
    async with serve(things=0) as client:
        assert (await client.post("/proof/commit-awaited")).status_code == 200
        assert await thing_count() == 1

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            response = await client.post("/proof/commit-not-awaited")
            gc.collect()
        # The handler "succeeds": nothing raised, the client is told ok ...
        assert response.status_code == 200
        # ... but the row was never committed, and Python only warns.
        assert await thing_count() == 1
        messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
        assert any(
            "coroutine 'AsyncSession.commit' was never awaited" in message for message in messages
        ), messages


async def test_stk202_unawaited_get_json_breaks_the_handler(app, serve, request_errors):
    app.register_blueprint(proof_bp)
    raised = request_errors
    payload = {"item": {"name": "Lamp"}}
    async with serve(things=0) as client:
        good = await client.post("/proof/json-awaited", json=payload)
        assert await good.get_json() == {"name": "Lamp"}

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            response = await client.post("/proof/json-not-awaited", json=payload)
            error = raised.pop()
            message = f"{type(error).__name__}: {error}"
            # Drop the handler's locals now, so the dropped coroutine is finalized (and
            # warns) here rather than whenever the traceback happens to be collected.
            traceback.clear_frames(error.__traceback__)
            del error
            gc.collect()
        assert response.status_code == 500
        assert message == "AttributeError: 'coroutine' object has no attribute 'get'"
        assert any(
            "coroutine 'Request.get_json' was never awaited" in str(w.message) for w in caught
        )


# --- STK401 jinja-in-vue -------------------------------------------------------------

SNACKBAR = """<v-snackbar v-model="snackBar">[{{ snackMessage }}]</v-snackbar>"""
SLOT = """<template v-slot:item.actions="{ item }">[{{ item.name }}]</template>"""
VUE_SLOT = """<template v-slot:item.actions="{ item }">[${ item.name }]</template>"""


async def test_stk401_jinja_delimiters_on_vue_state_with_default_undefined(app):
    # The sample app keeps Quart's default: jinja2.Undefined.
    assert app.jinja_env.undefined is jinja2.Undefined
    async with app.app_context():
        # A bare Vue name renders as an empty string: the snackbar is silently blank.
        assert (
            await render_template_string(SNACKBAR)
            == '<v-snackbar v-model="snackBar">[]</v-snackbar>'
        )
        # An attribute of a Vue slot prop fails the whole page.
        with pytest.raises(jinja2.UndefinedError, match="'item' is undefined"):
            await render_template_string(SLOT)
        # Vue's own delimiters reach the browser intact.
        assert await render_template_string(VUE_SLOT) == VUE_SLOT


async def test_stk401_jinja_delimiters_on_vue_state_with_strict_undefined(app):
    app.jinja_env.undefined = jinja2.StrictUndefined
    async with app.app_context():
        with pytest.raises(jinja2.UndefinedError, match="'snackMessage' is undefined"):
            await render_template_string(SNACKBAR)
        with pytest.raises(jinja2.UndefinedError, match="'item' is undefined"):
            await render_template_string(SLOT)
        assert await render_template_string(VUE_SLOT) == VUE_SLOT


BROKEN_PAGE = """{% extends "layout.html" %}
{% block content %}
<v-data-table-server :items="items" :items-length="itemsLength">
  <template v-slot:item.name="{ item }">{{ item.name }}</template>
</v-data-table-server>
{% endblock %}
"""

proof_pages = Blueprint("proof_pages", __name__)


@proof_pages.get("/proof/broken-page")
async def broken_page():
    return await render_template_string(BROKEN_PAGE)


@proof_pages.get("/proof/fixed-page")
async def fixed_page():
    return await render_template_string(BROKEN_PAGE.replace("{{ item.name }}", "${ item.name }"))


async def test_stk401_a_whole_page_fails_for_one_slot_expression(app, serve, request_errors):
    app.register_blueprint(proof_pages)
    raised = request_errors
    async with serve() as client:
        await login(client, *ADMIN)
        fixed = await client.get("/proof/fixed-page")
        assert fixed.status_code == 200
        assert '<template v-slot:item.name="{ item }">${ item.name }</template>' in (
            await fixed.get_data(as_text=True)
        )
        broken = await client.get("/proof/broken-page")
        assert broken.status_code == 500
        assert [f"{type(e).__name__}: {e}" for e in raised] == [
            "UndefinedError: 'item' is undefined"
        ]


# --- STK303 flask-sqlalchemy-session --------------------------------------------------


async def test_stk303_flask_sqlalchemy_query_apis_do_not_exist(serve):
    async with serve():
        with pytest.raises(AttributeError, match="query"):
            _ = Thing.query  # stk-lint: ignore[STK303]
        async with ext.async_session_factory() as session:
            with pytest.raises(
                AttributeError, match="'AsyncSession' object has no attribute 'query'"
            ):
                session.query(Thing)  # stk-lint: ignore[STK303]


# --- STK101 flask-import ----------------------------------------------------------------

flask_bp = Blueprint("flask_proof", __name__)


@flask_bp.get("/proof/flask-g")
async def uses_flask_g():
    import flask  # stk-lint: ignore[STK101]

    return {"user": flask.g.get("user")}


async def test_stk101_flask_objects_are_not_quarts(app, serve, request_errors):
    app.register_blueprint(flask_bp)
    async with serve() as client:
        response = await client.get("/proof/flask-g")
        assert response.status_code == 500
        assert isinstance(request_errors[0], RuntimeError)
        assert "Working outside of application context" in str(request_errors[0])


# --- STK601 template-not-found, STK602 unknown-endpoint, STK603 undefined-block ------

cross_file = Blueprint("proof_cross_file", __name__)

DROPPED_BLOCK_PAGE = """{% extends "layout.html" %}
{% block content %}<div id="proof"></div>{% endblock %}
{% block BLOCK %}<script>window.proofMounted = true;</script>{% endblock %}
"""


@cross_file.get("/proof/renamed-template")
async def renamed_template():
    return await render_template("things/indx.html")  # stk-lint: ignore[STK601]


@cross_file.get("/proof/renamed-endpoint")
async def renamed_endpoint():
    return redirect(url_for("things.thing_page"))  # stk-lint: ignore[STK602]


@cross_file.get("/proof/block/<name>")
async def page_with_block(name):
    return await render_template_string(DROPPED_BLOCK_PAGE.replace("BLOCK", name))


async def test_stk601_a_renamed_template_fails_only_when_the_page_is_requested(
    app, serve, request_errors
):
    app.register_blueprint(cross_file)  # the app starts: nothing checks the name
    async with serve() as client:
        await login(client, *ADMIN)
        response = await client.get("/proof/renamed-template")
        assert response.status_code == 500
        assert [type(e).__name__ for e in request_errors] == ["TemplateNotFound"]
        assert str(request_errors[0]) == "things/indx.html"


async def test_stk602_an_unknown_endpoint_fails_only_when_the_link_is_built(
    app, serve, request_errors
):
    app.register_blueprint(cross_file)
    async with serve() as client:
        await login(client, *ADMIN)
        response = await client.get("/proof/renamed-endpoint")
        assert response.status_code == 500
        assert [type(e).__name__ for e in request_errors] == ["BuildError"]
        assert "things.thing_page" in str(request_errors[0])


async def test_stk603_a_block_the_layout_lacks_is_dropped_without_an_error(app, serve):
    app.register_blueprint(cross_file)
    async with serve() as client:
        await login(client, *ADMIN)
        kept = await client.get("/proof/block/js")  # the layout's block
        dropped = await client.get("/proof/block/scripts")  # no such block in the layout
        assert kept.status_code == dropped.status_code == 200
        assert "window.proofMounted" in await kept.get_data(as_text=True)
        page = await dropped.get_data(as_text=True)
        assert '<div id="proof"></div>' in page
        assert "window.proofMounted" not in page


# --- STK203 request-state-in-background ----------------------------------------------

background = Blueprint("proof_background", __name__)
outcomes = []


async def count_with_the_requests_session(release):
    await release.wait()  # the request has ended
    try:
        count = await g.db_session.scalar(  # stk-lint: ignore[STK203]
            select(func.count()).select_from(Thing)
        )
        outcomes.append(count)
    except Exception as error:
        outcomes.append(error)


async def count_with_its_own_session(session, release):
    await release.wait()
    outcomes.append(await session.scalar(select(func.count()).select_from(Thing)))


@background.post("/proof/background/<kind>")
async def schedule(kind):
    release = background.release = asyncio.Event()
    if kind == "request-session":
        await run_in_background(count_with_the_requests_session(release))
    else:
        await run_with_session(count_with_its_own_session, release)
    return {"scheduled": kind}


async def test_stk203_background_work_outlives_the_requests_session(app, serve):
    app.register_blueprint(background)
    outcomes.clear()
    async with serve(things=3) as client:
        await login(client, *ADMIN)
        for kind in ("request-session", "own-session"):
            response = await client.post(f"/proof/background/{kind}")
            assert response.status_code == 200
            background.release.set()
            await wait_for_background_tasks()
    broken, fixed = outcomes
    # The teardown hook closed the request's session and took it off `g`.
    assert isinstance(broken, AttributeError) and "db_session" in str(broken)
    assert fixed == 3
