"""Shared database objects: the declarative `Base`, the async engine and session factory.

`init_db()` binds them to the configured URL; code reaches them through the module
(`import stk.extensions as ext`, then `ext.async_session_factory()`) so it always sees
the current engine.
"""

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


engine: AsyncEngine | None = None
async_session_factory: async_sessionmaker[AsyncSession] | None = None


def init_db(database_url: str) -> None:
    global engine, async_session_factory
    engine = create_async_engine(database_url)
    # expire_on_commit=False: objects stay readable after commit without lazy IO,
    # which AsyncSession cannot do implicitly (and quart-security requires it).
    async_session_factory = async_sessionmaker(engine, expire_on_commit=False)


async def create_all() -> None:
    """Create the application tables and quart-security's shared-state table."""
    from quart_security.state import SecurityState

    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        await connection.run_sync(SecurityState.metadata.create_all)


async def dispose() -> None:
    if engine is not None:
        await engine.dispose()
