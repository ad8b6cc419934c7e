from datetime import datetime
from typing import Any

from quart import g
from quart_security import RoleMixin, UserMixin
from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import backref, relationship

from stk.extensions import Base

from . import broadcast

roles_users = Table(
    "roles_users",
    Base.metadata,
    Column("user_id", Integer, ForeignKey("user.id"), primary_key=True),
    Column("role_id", Integer, ForeignKey("role.id"), primary_key=True),
)


class Role(Base, RoleMixin):
    __tablename__ = "role"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), unique=True, nullable=False)
    description = Column(String(255))

    def to_dict(self):
        return {"id": self.id, "name": self.name, "description": self.description}


class User(Base, UserMixin):
    __tablename__ = "user"

    id = Column(Integer, primary_key=True)
    email = Column(String(255), unique=True, nullable=False)
    name = Column(String(255))
    password = Column(String(255), nullable=False)
    active = Column(Boolean, default=True, nullable=False)
    fs_uniquifier = Column(String(64), unique=True, nullable=False)
    failed_login_count = Column(Integer, default=0, nullable=False)
    locked_until = Column(DateTime)
    created_at = Column(DateTime, default=datetime.now, nullable=False)
    roles = relationship(
        "Role",
        secondary=roles_users,
        backref=backref("users", lazy="selectin"),
        lazy="selectin",
    )

    def to_dict(self):
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "active": self.active,
            "roles": [role.name for role in self.roles],
        }


class Activity(Base):
    __tablename__ = "activity"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("user.id"))
    action = Column(String(255), nullable=False)
    data = Column(JSON)
    created_at = Column(DateTime, default=datetime.now, nullable=False)
    user = relationship("User", lazy="selectin")

    def to_dict(self):
        return {
            "id": self.id,
            "user": self.user.email if self.user else None,
            "action": self.action,
            "data": self.data,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }

    @classmethod
    async def register(
        cls,
        user_id: int | None,
        action: str,
        data: dict[str, Any] | None = None,
        session: AsyncSession | None = None,
    ) -> "Activity":
        """Record an action in the caller's transaction and tell websocket listeners.

        The caller commits (or rolls back) together with the change it logs. Listeners
        hear of it at flush time; they treat the event as "refresh", so one that is
        rolled back later costs a reload that finds nothing new.
        """
        session = session if session is not None else g.db_session
        activity = cls(user_id=user_id, action=action, data=data or {})
        session.add(activity)
        await session.flush()
        broadcast.publish({"id": activity.id, "action": action, "data": activity.data})
        return activity
