"""The application factory: configuration, database, auth, blueprints."""

import secrets

from quart import Quart, g, session
from quart_security import Security, SQLAlchemyUserDatastore

import stk.extensions as ext

from .config import Config
from .tasks import wait_for_background_tasks
from .things.views import bp as things_bp
from .user.models import Role, User
from .user.views import bp as user_bp

BLUEPRINTS = (user_bp, things_bp)


def create_app(overrides: dict | None = None) -> Quart:
    app = Quart(__name__)
    app.config.from_object(Config)
    app.config.from_mapping(overrides or {})

    ext.init_db(app.config["DATABASE_URL"])

    # Registered before quart-security's hooks, so g.db_session exists for every later
    # hook and view. (quart-security's datastore opens its own per-request session
    # from the same factory, to load current_user.)
    @app.before_request
    async def open_db_session():
        g.db_session = ext.async_session_factory()

    @app.teardown_request
    async def close_db_session(exception):
        session = g.pop("db_session", None)
        if session is not None:
            await session.close()

    @app.after_serving
    async def close_engine():
        await wait_for_background_tasks()
        await ext.dispose()

    datastore = SQLAlchemyUserDatastore(ext.async_session_factory, User, Role)
    Security(app, datastore)

    @app.context_processor
    async def page_globals():
        return {"assets": app.config["ASSETS"], "csrf_token": csrf_token}

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


def csrf_token() -> str:
    """The session's CSRF token, as quart-security's forms check it (e.g. for logout)."""
    token = session.get("_csrf_token")
    if not token:
        token = session["_csrf_token"] = secrets.token_urlsafe(32)
    return token
