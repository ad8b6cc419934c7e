"""Run the skill's examples as a Quart app on SQLite and check what each endpoint does.

Started by tests/test_skill_runtime.py with the examples written to `app/` under the
current folder, and this folder (the stk stand-in) on PYTHONPATH. Exits non-zero on the
first failed check.
"""

import asyncio
import io
import os

from quart import Quart, g, websocket
from quart.datastructures import FileStorage
from quart.testing.connections import WebsocketDisconnectError
from stk.extensions import Base, async_session_factory, engine
from stk.user.models import User


def make_app(*blueprints):
    app = Quart(__name__, root_path=os.getcwd(), template_folder="app/templates")
    app.config["UPLOAD_FOLDER"] = os.path.join(os.getcwd(), "uploads")
    for bp in blueprints:
        app.register_blueprint(bp)

    @app.before_request
    async def open_session():
        g.db_session = async_session_factory()
        g._current_user = await g.db_session.get(User, 1)  # what quart-security reads

    @app.before_websocket
    async def load_user():  # quart-security loads current_user for websockets too
        if not websocket.headers.get("x-anonymous"):
            async with async_session_factory() as session:
                g._current_user = await session.get(User, 1)

    @app.teardown_request
    async def close_session(exc):
        session = g.pop("db_session", None)
        if session is not None:
            await session.close()

    return app


async def check(response, status):
    body = await response.get_json() if response.is_json else await response.get_data()
    assert response.status_code == status, (response.status_code, body)
    return body


def check_identity(*models):
    """eq=False: two rows of a model are different objects, and hashable."""
    for model in models:
        one, two = model(), model()
        assert one != two and one == one and len({one, two}) == 2, model


async def skill_md(app):
    from app.things import background, db, script
    from app.things.models import Thing

    check_identity(Thing)

    client = app.test_client()
    await check(await client.get("/things/"), 200)
    for name in ("one", "two 50%", "three"):
        await check(await client.post("/api/thing/", json={"item": {"name": name}}), 200)
    body = await check(await client.get("/api/things?search=50%25"), 200)
    assert (body["total"], [i["name"] for i in body["items"]]) == (1, ["two 50%"]), body
    body = await check(await client.get("/api/things?page=2&per_page=2"), 200)
    assert (body["total"], [i["id"] for i in body["items"]]) == (3, [3]), body
    await check(await client.post("/api/thing/1", json={"item": {"name": "uno"}}), 200)
    await check(await client.delete("/api/thing/3"), 200)
    await check(await client.delete("/api/thing/3"), 404)
    await check(await client.post("/api/thing/9", json={"item": {}}), 404)
    body = await check(await client.get("/api/profile"), 200)
    assert body == {"email": "admin@example.com"}, body
    body = await check(await client.get("/plain/api/things"), 200)
    assert [i["name"] for i in body["items"]] == ["uno", "two 50%"], body
    assert await script.count_inactive() == 0
    async with app.test_request_context("/"):
        g.db_session = async_session_factory()
        loaded = await db.load_things(1)
        assert (loaded["one"]["name"], loaded["total"]) == ("uno", 2), loaded
        await background.after_save(1, 2)
        await g.db_session.close()
    await asyncio.sleep(0.2)
    assert await script.count_inactive() == 1


async def patterns_md(app):
    from app.projects import archive, events, filters
    from app.projects.models import Attachment, Project

    check_identity(Project, Attachment)
    client = app.test_client()
    page = await check(await client.get("/projects/"), 200)
    # Server data outside #app: Vue empties the mount element before data() reads it.
    inside_app, after_app = page.split(b"<!-- end #app -->")
    assert b'id="statuses-data"' in after_app and b"<script" not in inside_app, page
    for name in ("Alpha", "Beta 50%", "Gamma_x"):
        body = await check(await client.post("/api/project/", json={"item": {"name": name}}), 200)
    assert body["id"] == 3, body
    await check(await client.post("/api/project/", json={"item": {"name": "Alpha"}}), 409)
    await check(await client.post("/api/project/", json={"item": {"name": " "}}), 400)
    body = await check(await client.get("/api/projects?search=50%25&per_page=1"), 200)
    assert (body["total"], body["items"][0]["owner"]) == (1, "admin@example.com"), body
    body = await check(await client.get("/api/projects?search=_"), 200)
    assert body["total"] == 1, body
    body = await check(
        await client.get("/api/projects?sort_by=name&sort_desc=true&per_page=2"), 200
    )
    assert (body["total"], [i["name"] for i in body["items"]]) == (3, ["Gamma_x", "Beta 50%"])
    body = await check(await client.get("/api/projects?sort_by=__class__&page=-3&per_page=x"), 200)
    assert (body["perPage"], len(body["items"])) == (25, 3), body
    await check(await client.post("/api/project/1", json={"item": {"status": "done"}}), 200)
    await check(await client.post("/api/project/1", json={"item": {"status": "weird"}}), 400)
    await check(await client.post("/api/project/99", json={"item": {}}), 404)
    assert (await check(await client.get("/api/projects?status=done"), 200))["total"] == 1

    upload = FileStorage(io.BytesIO(b"a,b\n1,2\n"), filename="../../etc/data.csv")
    body = await check(await client.post("/api/project/1/attachments", files={"file": upload}), 200)
    assert body["id"] == 1, body
    exe = FileStorage(io.BytesIO(b"x"), filename="run.exe")
    await check(await client.post("/api/project/1/attachments", files={"file": exe}), 400)
    response = await client.get("/attachments/1")
    assert await check(response, 200) == b"a,b\n1,2\n"
    assert response.headers["Content-Disposition"] == "attachment; filename=etc_data.csv"

    body = await check(await client.get("/api/projects/by-owner"), 200)
    assert body == {"items": [{"email": "admin@example.com", "projects": 3}]}, body
    body = await check(await client.get("/api/projects/with-attachments"), 200)
    assert [(i["name"], i["attachments"]) for i in body["items"]] == [
        ("Alpha", 1),
        ("Beta 50%", 0),
        ("Gamma_x", 0),
    ]
    await check(await client.get("/projects/1"), 200)
    assert await check(await client.get("/projects/77"), 404) == b"not found page"

    await check(await client.post("/api/project/1/reindex"), 202)
    await asyncio.sleep(0.2)
    async with async_session_factory() as session:
        assert (await session.get(Attachment, 1)).indexed is True

    async with client.websocket("/ws/projects") as socket:
        for _ in range(500):  # the handshake completes before any message is sent
            if socket.accepted:
                break
            await asyncio.sleep(0.01)
        assert socket.accepted, "the handshake waits for the first message"
        await asyncio.sleep(0.05)  # the handler registers its queue right after accepting
        events.broadcast("project.updated", 1)
        assert await socket.receive() == '{"event":"project.updated","id":1}'
    try:
        async with client.websocket("/ws/projects", headers={"x-anonymous": "1"}) as socket:
            await socket.receive()
        raise AssertionError("an anonymous websocket was accepted")
    except WebsocketDisconnectError as refused:
        assert refused.args == (1008,), refused.args

    async with app.test_request_context("/"):
        g.db_session = async_session_factory()
        g._current_user = await g.db_session.get(User, 1)
        await archive.archive(await g.db_session.get(Project, 2))
        await g.db_session.close()
    async with async_session_factory() as session:
        result = await session.execute(filters.projects_of_owner("ADMIN@"))
        assert len(result.scalars().all()) == 3
        assert (await session.get(Project, 2)).active is False

    missing = FileStorage(io.BytesIO(b"x"), filename="x.csv")
    await check(await client.post("/api/project/99/attachments", files={"file": missing}), 404)
    # secure_filename() keeps only ASCII: the suffix comes from the name as sent, and the
    # download name falls back to the stored one.
    cyrillic = FileStorage(io.BytesIO(b"%PDF"), filename="ведомость.pdf")
    body = await check(
        await client.post("/api/project/2/attachments", files={"file": cyrillic}), 200
    )
    async with async_session_factory() as session:
        stored = (await session.get(Attachment, body["id"])).stored_name
    response = await client.get(f"/attachments/{body['id']}")
    assert await check(response, 200) == b"%PDF"
    assert response.headers["Content-Disposition"] == f"attachment; filename={stored}"
    assert stored.endswith(".pdf") and os.path.exists(os.path.join("uploads", stored))

    await check(await client.delete("/api/project/2"), 200)
    assert not os.path.exists(os.path.join("uploads", stored)), "the file outlived its project"
    assert (await check(await client.get("/api/projects"), 200))["total"] == 2


async def main():
    from app.projects import attachments, events, pages, reports, tasks_views
    from app.projects import views as project_views
    from app.things import account, plain
    from app.things import views as thing_views

    plain.bp.name = "plain_things"  # the same blueprint name as views.py, on purpose
    app = make_app(thing_views.bp, account.bp)
    app.register_blueprint(plain.bp, url_prefix="/plain")
    for module in (project_views, attachments, reports, pages, tasks_views, events):
        app.register_blueprint(module.bp)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with async_session_factory() as session:
        session.add(User(id=1, email="admin@example.com"))
        await session.commit()
    await skill_md(app)
    await patterns_md(app)
    print("all examples ran")


asyncio.run(main())
