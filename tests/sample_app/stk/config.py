"""Settings, read from the environment so a deployment can point at its own database."""

import os
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///" + str(Path.cwd() / "stk-sample.db")


class Config:
    SECRET_KEY = os.environ.get("STK_SECRET_KEY", "change-me-in-production")
    # SQLite through aiosqlite by default; e.g. postgresql+asyncpg://user:pw@host/db
    DATABASE_URL = os.environ.get("STK_DATABASE_URL", DEFAULT_DATABASE_URL)

    # The front-end, served from static/ as stk serves it (no build step, no CDN): the files
    # are vendored from npm at pinned versions by scripts/vendor_sample_app_assets.py.
    ASSETS = {
        "vue": "/static/vendor/vue.global.prod.js",
        "vuetify_js": "/static/vendor/vuetify.min.js",
        "vuetify_css": "/static/vendor/vuetify.min.css",
        "axios": "/static/vendor/axios.min.js",
        "tabler_icons": "/static/icons/tabler-icons.min.css",
    }

    # quart-security: session login with CSRF-protected forms, no self-registration.
    SECURITY_REGISTERABLE = False
    SECURITY_TWO_FACTOR = False
    SECURITY_WEBAUTHN = False
    SECURITY_MULTI_FACTOR_RECOVERY_CODES = False
    SECURITY_TRACKABLE = False
    SECURITY_PASSWORD_BREACH_CHECK = False
    SECURITY_COOKIE_SECURE = True
    SECURITY_POST_LOGIN_VIEW = "/"
