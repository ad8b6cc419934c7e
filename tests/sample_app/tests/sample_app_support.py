"""Helpers shared by the sample app's tests (a module of its own: `conftest` is no
importable name once several test folders have one)."""

import re
import sys
from pathlib import Path

SAMPLE_APP = Path(__file__).resolve().parents[1]
if str(SAMPLE_APP) not in sys.path:
    sys.path.insert(0, str(SAMPLE_APP))  # the `stk` package and broken_variant.py

ADMIN = ("admin@example.com", "admin-password")
USER = ("user@example.com", "user-password")

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


async def login(client, email, password):
    """Sign in through quart-security's real form, CSRF token included."""
    page = await client.get("/login")
    token = _CSRF.search(await page.get_data(as_text=True)).group(1)
    return await client.post(
        "/login", form={"email": email, "password": password, "csrf_token": token}
    )
