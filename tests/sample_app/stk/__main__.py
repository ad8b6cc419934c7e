"""Run the sample app: `python -m stk` (creates the tables and demo users on first run)."""

import asyncio
import os

import stk.extensions as ext

from .app import create_app
from .seed import seed_demo


async def prepare(app):
    await ext.create_all()
    async with ext.async_session_factory() as session:
        await seed_demo(session, app)
    await ext.dispose()  # app.run() starts its own event loop


def main():
    # Plain http on localhost: the session cookie may not be marked Secure.
    app = create_app({"SECURITY_COOKIE_SECURE": False})
    asyncio.run(prepare(app))
    app.run(port=int(os.environ.get("PORT", "5000")))


if __name__ == "__main__":
    main()
