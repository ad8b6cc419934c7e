"""Fixtures for the sample stk app: a fresh SQLite database per test, demo users, login."""

import asyncio
import inspect
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import sample_app_support  # noqa: F401 - puts the sample app on sys.path
import stk.extensions as ext
from stk.app import create_app
from stk.seed import seed_demo
from stk.tasks import wait_for_background_tasks


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests here on a fresh event loop (no plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


def app_config(database: Path) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "SECRET_KEY": "test-secret",
        "SECURITY_COOKIE_SECURE": False,  # the test client speaks plain http
        # Cheap hashing for tests only; production keeps the OWASP defaults.
        "SECURITY_ARGON2_MEMORY_COST": 1024,
        "SECURITY_ARGON2_TIME_COST": 1,
    }


@pytest.fixture
def app(tmp_path):
    return create_app(app_config(tmp_path / "stk-test.db"))


@pytest.fixture
def serve(app):
    """`async with serve() as client`: tables, demo data, startup hooks, a test client."""

    @asynccontextmanager
    async def started(things=3):
        try:
            await ext.create_all()
            async with ext.async_session_factory() as session:
                await seed_demo(session, app, things=things)
            async with app.test_app() as test_app:
                yield test_app.test_client()
        finally:
            await wait_for_background_tasks()
            await ext.dispose()

    return started
