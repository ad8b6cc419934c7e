import orjson
from quart import g
from sqlalchemy import Column, Integer, String, Text

from stk.extensions import Base


class User(Base):
    __tablename__ = "user"

    id = Column(Integer, primary_key=True)
    email = Column(String(255))
    is_authenticated = True

    def has_role(self, role):
        return True


class Activity(Base):
    __tablename__ = "activities"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer)
    action = Column(String(255))
    data = Column(Text)

    @classmethod
    async def register(cls, user_id, action, data):
        """Like stk's: a row in the request's transaction (stk also broadcasts it)."""
        g.db_session.add(cls(user_id=user_id, action=action, data=orjson.dumps(data).decode()))
        await g.db_session.flush()
