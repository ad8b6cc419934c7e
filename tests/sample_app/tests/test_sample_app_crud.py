"""The Things CRUD blueprint, the activity log and the pages, driven through the test client."""

import asyncio
import json
from datetime import datetime, timedelta

import pytest
import stk.extensions as ext
from quart.testing import WebsocketResponseError
from sample_app_support import ADMIN, USER, login
from sqlalchemy import select, update
from stk.things.models import Thing
from stk.user.models import Activity


async def activities():
    async with ext.async_session_factory() as session:
        result = await session.execute(select(Activity).order_by(Activity.id))
        return [(a.action, a.data, a.user.email) for a in result.scalars().all()]


async def thing_names():
    async with ext.async_session_factory() as session:
        result = await session.execute(select(Thing.name).order_by(Thing.id))
        return list(result.scalars().all())


def test_things_compare_by_identity():
    # The dataclass has no fields (the columns are not annotated): without eq=False every
    # Thing would equal every other one, and list.remove() would take the wrong row.
    first, second = Thing(name="a"), Thing(name="b")
    things = [first, second]
    things.remove(second)
    assert things == [first]
    assert first != second and len({first, second}) == 2


async def test_list_paginates_by_hand(serve):
    async with serve(things=30) as client:
        await login(client, *ADMIN)
        first = await (await client.get("/api/things")).get_json()
        assert first["total"] == 30
        assert first["perPage"] == 25
        assert [item["name"] for item in first["items"]][:2] == ["Thing 1", "Thing 2"]
        assert len(first["items"]) == 25

        last = await (await client.get("/api/things?page=2&per_page=25")).get_json()
        assert [item["name"] for item in last["items"]] == [f"Thing {n}" for n in range(26, 31)]

        small = await (await client.get("/api/things?page=3&per_page=4")).get_json()
        assert [item["id"] for item in small["items"]] == [9, 10, 11, 12]
        assert small["total"] == 30


async def test_search_filters_items_and_total(serve):
    async with serve(things=30) as client:
        await login(client, *ADMIN)
        response = await client.get("/api/things?search=thing 2")
        assert response.content_type == "application/json"
        data = await response.get_json()
        names = [item["name"] for item in data["items"]]
        assert names == ["Thing 2", *[f"Thing {n}" for n in range(20, 30)]]
        assert data["total"] == 11


async def test_create_update_delete_write_activities(serve):
    async with serve(things=0) as client:
        await login(client, *ADMIN)

        created = await client.post("/api/thing/", json={"item": {"name": "Lamp"}})
        assert created.status_code == 200
        body = await created.get_json()
        assert body["message"] == "Thing successfully created!"
        thing_id = body["id"]

        updated = await client.post(
            f"/api/thing/{thing_id}", json={"item": {"name": "Desk lamp", "active": False}}
        )
        assert (await updated.get_json())["message"] == "Thing successfully updated!"
        listed = await (await client.get("/api/things")).get_json()
        assert listed["items"] == [
            {"id": thing_id, "name": "Desk lamp", "active": False, "owner": ADMIN[0]}
        ]

        deleted = await client.delete(f"/api/thing/{thing_id}")
        assert (await deleted.get_json())["message"] == "Thing successfully deleted!"
        assert await thing_names() == []

        assert await activities() == [
            (
                "Thing Create",
                {"id": thing_id, "name": "Lamp", "active": True, "owner": ADMIN[0]},
                ADMIN[0],
            ),
            (
                "Thing Update",
                {
                    "old": {"id": thing_id, "name": "Lamp", "active": True, "owner": ADMIN[0]},
                    "new": {
                        "id": thing_id,
                        "name": "Desk lamp",
                        "active": False,
                        "owner": ADMIN[0],
                    },
                },
                ADMIN[0],
            ),
            (
                "Thing Delete",
                {"id": thing_id, "name": "Desk lamp", "active": False, "owner": ADMIN[0]},
                ADMIN[0],
            ),
        ]


async def test_missing_things_are_404(serve):
    async with serve(things=0) as client:
        await login(client, *ADMIN)
        assert (await client.post("/api/thing/99", json={"item": {"name": "x"}})).status_code == 404
        assert (await client.delete("/api/thing/99")).status_code == 404


async def test_create_needs_a_name(serve):
    async with serve(things=0) as client:
        await login(client, *ADMIN)
        response = await client.post("/api/thing/", json={"item": {}})
        assert response.status_code == 400
        assert await activities() == []


async def test_failed_update_rolls_back_the_change_and_its_activity(serve):
    async with serve(things=1) as client:
        await login(client, *ADMIN)
        # name is NOT NULL: the commit fails, the handler rolls back and answers 412.
        response = await client.post("/api/thing/1", json={"item": {"name": None}})
        assert response.status_code == 412
        assert await response.get_json() == {"message": "Error updating thing"}
        assert await thing_names() == ["Thing 1"]
        assert await activities() == []


async def test_activity_register_broadcasts_to_websocket_listeners(serve):
    async with serve(things=0) as client:
        await login(client, *ADMIN)
        async with client.websocket("/ws/activities") as socket:
            # The handshake completes before any event (the handler accepts first)...
            for _ in range(500):
                if socket.accepted:
                    break
                await asyncio.sleep(0.01)
            assert socket.accepted
            await asyncio.sleep(0.05)  # ...and the handler subscribes right after it
            await client.post("/api/thing/", json={"item": {"name": "Kettle"}})
            event = json.loads(await asyncio.wait_for(socket.receive(), timeout=5))
        assert event["action"] == "Thing Create"
        assert event["data"]["name"] == "Kettle"


async def test_activity_feed_refuses_anonymous_and_plain_users(serve):
    async with serve(things=0) as client:
        with pytest.raises(WebsocketResponseError) as anonymous:
            async with client.websocket("/ws/activities") as socket:
                await socket.receive()
        assert anonymous.value.response.status_code == 401

        await login(client, *USER)
        with pytest.raises(WebsocketResponseError) as plain:
            async with client.websocket("/ws/activities") as socket:
                await socket.receive()
        assert plain.value.response.status_code == 403


async def test_prune_runs_in_background_with_its_own_session(serve):
    async with serve(things=1) as client:
        await login(client, *ADMIN)
        await client.post("/api/thing/", json={"item": {"name": "Old"}})
        async with ext.async_session_factory() as session:
            await session.execute(
                update(Activity).values(created_at=datetime.now() - timedelta(days=400))
            )
            await session.commit()

        response = await client.post("/api/activities/prune", json={"item": {"keep_days": 90}})
        assert response.status_code == 202
    # serve() waited for the background task before closing
    assert [action for action, _, _ in await activities()] == ["Activities Prune"]


async def test_admin_pages_render_vue_markup_for_the_browser(serve):
    async with serve() as client:
        await login(client, *ADMIN)
        things = await (await client.get("/things/")).get_data(as_text=True)
        # Vue interpolation passes through Jinja untouched; the app sets the delimiters.
        assert "${ item.name }" in things
        assert "${ snackMessage }" in things
        assert "delimiters: config.delimiters" in things
        assert '<script src="/static/js/config.js"></script>' in things

        users = await (await client.get("/users/")).get_data(as_text=True)
        roles_json = users.split('<script type="application/json" id="roles-data">', 1)[1]
        roles = json.loads(roles_json.split("</script>", 1)[0])
        assert [role["name"] for role in roles] == ["admin", "user"]

        activity_page = await client.get("/activities/")
        assert activity_page.status_code == 200
        statics = await client.get("/static/js/navigation.js")
        assert "role: 'admin'" in await statics.get_data(as_text=True)
