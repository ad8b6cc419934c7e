import logging
from datetime import datetime, timedelta

import orjson as json
from quart import Blueprint, Response, g, render_template, request, websocket
from quart_security import auth_required, current_user, roles_required
from sqlalchemy import delete, func, select

from stk.tasks import run_with_session

from . import broadcast
from .models import Activity, Role, User

log = logging.getLogger(__name__)

bp = Blueprint("user", __name__)

PER_PAGE = 25


@bp.get("/")
@auth_required("session")
async def dashboard():
    return await render_template("index.html")


@bp.get("/users/")
@auth_required("session")
@roles_required("admin")
async def users_page():
    result = await g.db_session.execute(select(Role).order_by(Role.name))
    roles = [role.to_dict() for role in result.scalars().all()]
    return await render_template("users/index.html", roles=roles)


@bp.get("/api/users")
@auth_required("session")
@roles_required("admin")
async def list_users():
    result = await g.db_session.execute(select(User).order_by(User.email))
    items = [user.to_dict() for user in result.scalars().all()]
    return Response(
        json.dumps({"items": items, "total": len(items)}), content_type="application/json"
    )


@bp.get("/activities/")
@auth_required("session")
@roles_required("admin")
async def activities_page():
    return await render_template("activities/index.html")


@bp.get("/api/activities")
@auth_required("session")
@roles_required("admin")
async def list_activities():
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = min(max(request.args.get("per_page", PER_PAGE, type=int), 1), 100)

    total = await g.db_session.scalar(select(func.count()).select_from(Activity))
    result = await g.db_session.execute(
        select(Activity).order_by(Activity.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    items = [a.to_dict() for a in result.scalars().all()]
    response_data = {"items": items, "total": total, "perPage": per_page}
    return Response(json.dumps(response_data), content_type="application/json")


async def prune_activities(session, keep_days):
    cutoff = datetime.now() - timedelta(days=keep_days)
    result = await session.execute(delete(Activity).where(Activity.created_at < cutoff))
    log.info("Pruned %s activities older than %s days", result.rowcount, keep_days)
    return result.rowcount


@bp.post("/api/activities/prune")
@auth_required("session")
@roles_required("admin")
async def prune():
    json_data = await request.json
    keep_days = int(json_data.get("item", {}).get("keep_days", 90))
    await Activity.register(current_user.id, "Activities Prune", {"keep_days": keep_days})
    await g.db_session.commit()
    await run_with_session(prune_activities, keep_days)
    return {"message": "Pruning started"}, 202


# roles_required alone: it answers 401/403 by status, where auth_required would
# redirect through `request`, which a websocket does not have.
@bp.websocket("/ws/activities")
@roles_required("admin")
async def activity_feed():
    await websocket.accept()  # Quart would accept only on the first send: the client would wait
    queue = broadcast.subscribe()
    try:
        while True:
            event = await queue.get()
            await websocket.send(json.dumps(event).decode())
    finally:
        broadcast.unsubscribe(queue)
