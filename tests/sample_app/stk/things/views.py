import logging

import orjson as json
from quart import Blueprint, Response, g, render_template, request
from quart_security import auth_required, current_user, roles_required
from sqlalchemy import func, select

from stk.user.models import Activity, User

from .models import Thing

log = logging.getLogger(__name__)

bp = Blueprint("things", __name__)

PER_PAGE = 25
MAX_PER_PAGE = 100


@bp.before_request
@auth_required("session")
@roles_required("admin")
async def before_request():
    pass


@bp.get("/things/")
async def things_page():
    return await render_template("things/index.html")


@bp.get("/api/things")
async def list_things():
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = min(max(request.args.get("per_page", PER_PAGE, type=int), 1), MAX_PER_PAGE)

    query = select(Thing)
    count_query = select(func.count()).select_from(Thing)
    if search := request.args.get("search"):
        query = query.where(Thing.name.ilike(f"%{search}%"))
        count_query = count_query.where(Thing.name.ilike(f"%{search}%"))

    total = await g.db_session.scalar(count_query)
    result = await g.db_session.execute(
        query.order_by(Thing.id).offset((page - 1) * per_page).limit(per_page)
    )
    items = [t.to_dict() for t in result.scalars().all()]

    response_data = {"items": items, "total": total, "perPage": per_page}
    return Response(json.dumps(response_data), content_type="application/json")


@bp.post("/api/thing/")
async def create_thing():
    json_data = await request.json
    thing_data = json_data.get("item", {})
    if not str(thing_data.get("name") or "").strip():
        return {"message": "A name is required"}, 400

    thing = Thing()
    await thing.from_dict(thing_data)
    # The owner loaded in this request's session: a new object's relationship is not
    # loaded by lazy="selectin", and reading it later would need IO (MissingGreenlet).
    thing.user = await g.db_session.get(User, current_user.id)
    g.db_session.add(thing)
    try:
        await g.db_session.flush()
        await Activity.register(current_user.id, "Thing Create", thing.to_dict())
        await g.db_session.commit()
        return {"message": "Thing successfully created!", "id": thing.id}
    except Exception:
        await g.db_session.rollback()
        log.exception("Error creating thing")
        return {"message": "Error creating thing"}, 412


@bp.post("/api/thing/<int:id>")
async def update_thing(id):
    thing = await g.db_session.get(Thing, id)
    if thing is None:
        return {"message": "Thing not found"}, 404

    json_data = await request.json
    thing_data = json_data.get("item", {})
    old_data = thing.to_dict()
    try:
        await thing.from_dict(thing_data)
        await Activity.register(
            current_user.id,
            "Thing Update",
            {"old": old_data, "new": thing.to_dict()},
        )
        await g.db_session.commit()
        return {"message": "Thing successfully updated!"}
    except Exception:
        await g.db_session.rollback()
        log.exception("Error updating thing")
        return {"message": "Error updating thing"}, 412


@bp.route("/api/thing/<int:id>", methods=["DELETE"])
async def delete_thing(id):
    thing = await g.db_session.get(Thing, id)
    if thing is None:
        return {"message": "Thing not found"}, 404

    thing_data = thing.to_dict()
    try:
        await g.db_session.delete(thing)
        await Activity.register(current_user.id, "Thing Delete", thing_data)
        await g.db_session.commit()
        return {"message": "Thing successfully deleted!"}
    except Exception:
        await g.db_session.rollback()
        log.exception("Error deleting thing")
        return {"message": "Error deleting thing"}, 412
