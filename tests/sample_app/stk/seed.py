"""Demo data: the admin and user roles, one account each, a few things."""

from quart_security import hash_password_async
from sqlalchemy import func, select

from .things.models import Thing
from .user.models import Role, User

DEMO_USERS = (
    ("admin@example.com", "Ada Admin", "admin-password", ("admin", "user")),
    ("user@example.com", "Uma User", "user-password", ("user",)),
)


async def seed_demo(session, app, things=3):
    """Create the demo roles, users and things unless users exist already."""
    if await session.scalar(select(func.count()).select_from(User)):
        return
    roles = {
        "admin": Role(name="admin", description="Manages things and users"),
        "user": Role(name="user", description="Signs in and sees the dashboard"),
    }
    session.add_all(roles.values())
    for email, name, password, role_names in DEMO_USERS:
        user = User(
            email=email,
            name=name,
            password=await hash_password_async(password, app=app),
            fs_uniquifier=email.replace("@", "-at-"),
            roles=[roles[r] for r in role_names],
        )
        session.add(user)
    for number in range(1, things + 1):
        session.add(await Thing().from_dict({"name": f"Thing {number}"}))
    await session.commit()
