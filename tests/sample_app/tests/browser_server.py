"""Serve a sample app (the clean one or a broken copy) with hypercorn, for the browser tests.

    python browser_server.py ROOT DATABASE FD [--production]

ROOT holds the `stk` package to serve; DATABASE is a fresh SQLite file, given the tables
and demo data first; FD is a listening socket on the loopback interface, opened by the
test (so the port is known before the server starts and no other process can take it).
SIGTERM or SIGINT stops the server gracefully. The Vue development build is served in
place of the production one, so Vue's warnings reach the browser console, unless
`--production` asks for the app's own assets as they are.
"""

import asyncio
import signal
import sys

VUE_DEVELOPMENT = "/static/vendor/vue.global.js"


async def serve(root: str, database: str, fd: int, production: bool) -> None:
    sys.path.insert(0, root)
    import stk.extensions as ext
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config
    from stk.app import create_app
    from stk.config import Config as AppConfig
    from stk.seed import seed_demo

    assets = AppConfig.ASSETS if production else {**AppConfig.ASSETS, "vue": VUE_DEVELOPMENT}
    app = create_app(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "SECRET_KEY": "browser-test-secret",
            "SECURITY_COOKIE_SECURE": False,  # plain http on the loopback interface
            # Cheap hashing for tests only; production keeps the OWASP defaults.
            "SECURITY_ARGON2_MEMORY_COST": 1024,
            "SECURITY_ARGON2_TIME_COST": 1,
            "ASSETS": assets,
        }
    )
    await ext.create_all()
    async with ext.async_session_factory() as session:
        await seed_demo(session, app)

    config = Config()
    config.bind = [f"fd://{fd}"]
    config.accesslog = None
    config.graceful_timeout = 2.0

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await hypercorn_serve(app, config, shutdown_trigger=stop.wait)


def main(argv: list[str]) -> None:
    production = "--production" in argv
    root, database, fd = [arg for arg in argv if arg != "--production"]
    asyncio.run(serve(root, database, int(fd), production))


if __name__ == "__main__":
    main(sys.argv[1:])
