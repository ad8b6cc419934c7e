"""Signing in and the access rules: anonymous, plain user, admin."""

from sample_app_support import ADMIN, USER, login


async def test_admin_signs_in_and_sees_the_dashboard(serve):
    async with serve() as client:
        response = await login(client, *ADMIN)
        assert response.status_code == 302
        assert response.headers["Location"] == "/"

        page = await client.get("/")
        html = await page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Welcome, Ada Admin" in html
        assert '"roles": ["admin", "user"]' in html or '"roles":["admin","user"]' in html


async def test_wrong_password_is_refused(serve):
    async with serve() as client:
        response = await login(client, ADMIN[0], "not-the-password")
        assert response.status_code == 200
        assert "<h1>Sign in</h1>" in await response.get_data(as_text=True)  # the form again
        assert (await client.get("/")).status_code == 302


async def test_login_without_csrf_token_is_rejected(serve):
    async with serve() as client:
        response = await client.post("/login", form={"email": ADMIN[0], "password": ADMIN[1]})
        assert response.status_code == 400


async def test_anonymous_page_request_redirects_to_login(serve):
    async with serve() as client:
        response = await client.get("/things/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


async def test_anonymous_json_request_gets_401(serve):
    async with serve() as client:
        response = await client.post("/api/thing/", json={"item": {"name": "x"}})
        assert response.status_code == 401


async def test_plain_user_gets_403_on_admin_pages_and_api(serve):
    async with serve() as client:
        await login(client, *USER)
        assert (await client.get("/")).status_code == 200
        for method, path in [
            ("GET", "/things/"),
            ("GET", "/api/things"),
            ("POST", "/api/thing/"),
            ("POST", "/api/thing/1"),
            ("DELETE", "/api/thing/1"),
            ("GET", "/users/"),
            ("GET", "/api/activities"),
        ]:
            response = await client.open(path, method=method, json={"item": {"name": "x"}})
            assert response.status_code == 403, (method, path)


async def test_logout_ends_the_session(serve):
    async with serve() as client:
        await login(client, *ADMIN)
        page = await (await client.get("/")).get_data(as_text=True)
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = await client.post("/logout", form={"csrf_token": token})
        assert response.status_code == 302
        assert (await client.get("/api/things")).status_code == 302
