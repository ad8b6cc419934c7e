"""The sample app in a real browser: Chromium, the vendored Vue 3, Vuetify 3 and Tabler Icons.

What the front-end rules claim is seen here, not assumed: each page mounts its Vue app
with no console error or Vue warning (the development build of Vue is served, so its
warnings are on), its `${ }` interpolations show what the API returned, the CRUD dialog
reaches the database, the sidebar hides the admin entries from a plain user, and every
Tabler icon draws a glyph. Then each front-end violation of the broken variant is served
alone and shows the failure its rule's message promises, and `stk-lint check --fix`
makes the page work again where the rule has a fix.

Marked `browser`: `pytest -m browser` runs them (.ci/run does), the default run does not.
They need Debian's `chromium` (or STK_CHROMIUM naming a Chromium binary) and the
`browser` extra (Playwright for Python, which drives that binary: no browser download).
The app is served by hypercorn on a random port of 127.0.0.1. Screenshots are written to
tests/sample_app/screenshots/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import broken_variant
import pytest
from sample_app_support import ADMIN, SAMPLE_APP, USER

from stk_lint.registry import get_rule

pytestmark = pytest.mark.browser

SERVER = Path(__file__).resolve().parent / "browser_server.py"
SCREENSHOTS = SAMPLE_APP / "screenshots"
# Vuetify's desktop layout (from 1280 px): the drawer sits beside the page, not over it.
VIEWPORT = {"width": 1280, "height": 640}
TIMEOUT_MS = 15_000  # every wait in a page
SERVER_START_S = 30.0
SERVER_STOP_S = 10.0

ADMIN_PAGES = ("/", "/things/", "/users/", "/activities/")
ADMIN_NAVIGATION = ["Dashboard", "Things", "Administration", "Activity Logs", "User Management"]

# Every element that names an icon (`ti ti-*`, or an MDI name where Tabler was meant),
# visible on screen: its ::before content (the glyph), font and box.
ICONS_JS = """
() => [...document.querySelectorAll('i, .v-icon')]
  .filter(el => [...el.classList].some(c => c.startsWith('ti-') || c.startsWith('mdi-')))
  .filter(el => el.checkVisibility())
  .map(el => {
    const before = getComputedStyle(el, '::before');
    const box = el.getBoundingClientRect();
    return {classes: el.className, content: before.content, font: before.fontFamily,
            width: box.width, height: box.height};
  })
"""

# The Tabler webfont once every font the page asked for has settled.
FONT_JS = """
async () => {
  await document.fonts.ready;
  const faces = [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'tabler-icons');
  return {statuses: faces.map(f => f.status), check: document.fonts.check('16px "tabler-icons"')};
}
"""

MOUNTED_JS = "() => document.querySelector('#app')?.__vue_app__ !== undefined"


# --- the browser and the server -------------------------------------------------------


def chromium_path() -> str:
    path = os.environ.get("STK_CHROMIUM") or shutil.which("chromium")
    if path is None:
        pytest.fail(
            "no Chromium: `apt-get install chromium` (as .ci/run does) or set STK_CHROMIUM",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import expect as playwright_expect
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright is not installed: pip install -e '.[browser]' (as .ci/run does)",
            pytrace=False,
        )
    playwright_expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=chromium_path())
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@dataclass
class Server:
    url: str
    database: Path
    log: Path

    def query(self, sql: str, *args) -> list[tuple]:
        """Read the app's database directly: what the UI did must be there."""
        with closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)) as connection:
            return connection.execute(sql, args).fetchall()


@contextmanager
def served(root: Path, workdir: Path, production: bool = False):
    """Serve the `stk` package in `root` with hypercorn on 127.0.0.1 (a free port, taken
    before the server starts); stop it on exit. Waits are bounded. `production` serves
    Vue's production build, as the app does, in place of the development one."""
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "browser.db"
    log_path = workdir / "server.log"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, str(SERVER), str(root), str(database), str(listener.fileno())),
                *(["--production"] if production else []),
            ],
            pass_fds=[listener.fileno()],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(url, process, log_path)
        yield Server(url, database, log_path)
    finally:
        listener.close()
        process.terminate()
        try:
            process.wait(SERVER_STOP_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(SERVER_STOP_S)


def wait_until_serving(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the sample app exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    pytest.fail(f"the sample app did not answer within {SERVER_START_S}s:\n{log_path.read_text()}")


@pytest.fixture(scope="module")
def clean_app(tmp_path_factory):
    with served(SAMPLE_APP, tmp_path_factory.mktemp("clean")) as server:
        yield server


# --- a signed-in page that records what the console says -------------------------------


@dataclass
class Visit:
    page: object
    url: str
    problems: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        """Load a page and let its first API calls finish (a failed one logs an error)."""
        self.page.goto(self.url + path)
        self.page.wait_for_load_state("networkidle")

    def api(self, path: str) -> dict:
        response = self.page.request.get(self.url + path)
        assert response.ok, (path, response.status)
        return response.json()


@contextmanager
def signed_in(browser, server: Server, account: tuple[str, str]):
    """A fresh browser context signed in through quart-security's real login form."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    # Browsers ask for /favicon.ico on their own; the sample app has none.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    visit = Visit(page, server.url)
    page.on(
        "console",
        lambda message: (
            visit.problems.append(f"console.{message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: visit.problems.append(f"pageerror: {error}"))
    try:
        email, password = account
        page.goto(server.url + "/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url(server.url + "/")
        yield visit
    finally:
        context.close()


def expect(target):
    """Playwright's `expect` (imported here: the default test run has no Playwright)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def wait_mounted(visit: Visit) -> None:
    visit.page.wait_for_function(MOUNTED_JS)
    assert visit.page.locator("[v-cloak]").count() == 0, "v-cloak is still on the app"


def icons(visit: Visit) -> list[dict]:
    return visit.page.evaluate(ICONS_JS)


def has_glyph(icon: dict) -> bool:
    """A glyph is drawn: the icon class gave ::before a character, in the Tabler font, and
    the element takes room on screen."""
    return (
        icon["content"] not in ("none", "normal", '""')
        and "tabler-icons" in icon["font"]
        and icon["width"] > 0
        and icon["height"] > 0
    )


def assert_icon_font_loaded(visit: Visit) -> None:
    font = visit.page.evaluate(FONT_JS)
    assert font["statuses"] and all(status == "loaded" for status in font["statuses"]), font
    assert font["check"], font


def assert_healthy(visit: Visit, min_icons: int) -> None:
    """Mounted, no console error or Vue warning, no raw `${ }`, every icon drawn."""
    wait_mounted(visit)
    assert_icon_font_loaded(visit)
    text = visit.page.inner_text("body")
    assert "${" not in text, text
    shown = icons(visit)
    assert len(shown) >= min_icons, shown
    blank = [icon for icon in shown if not has_glyph(icon)]
    assert blank == [], blank
    assert visit.problems == []


def column(visit: Visit, index: int) -> list[str]:
    """The texts of a data table's column (1-based), one per row."""
    return [
        t.strip() for t in visit.page.locator(f"tbody tr td:nth-child({index})").all_inner_texts()
    ]


def wait_for_rows(visit: Visit, ids: list[int]) -> None:
    """Until the table shows exactly the rows `ids` (the API's answer has arrived)."""
    expect(visit.page.locator("tbody tr td:nth-child(1)")).to_have_text([str(i) for i in ids])


def navigation(visit: Visit) -> list[str]:
    """The sidebar's entries on screen (a closed group's children are not)."""
    drawer = visit.page.locator(".v-navigation-drawer")
    titles = drawer.locator(".v-list-subheader:visible, .v-list-item-title:visible")
    return [title.strip() for title in titles.all_inner_texts() if title.strip()]


def screenshot(visit: Visit, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(SCREENSHOTS / name), animations="disabled")


# --- the clean app --------------------------------------------------------------------


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_each_page_mounts_cleanly_for_an_admin(browser, clean_app, path):
    with signed_in(browser, clean_app, ADMIN) as visit:
        visit.open(path)
        wait_mounted(visit)
        # Vue's development build, whose warnings assert_healthy() would see.
        assert visit.page.locator("script[src='/static/vendor/vue.global.js']").count() == 1
        assert navigation(visit) == ADMIN_NAVIGATION
        # `${ currentUser.email }` in the layout's app bar.
        assert visit.page.locator(".v-app-bar").inner_text().count(ADMIN[0]) == 1
        assert_healthy(visit, min_icons=6)


def test_the_production_build_of_vue_serves_every_page(browser, tmp_path):
    """The assets exactly as the app configures them (Vue's production build, which logs
    no warnings): every page mounts and draws its icons, with no console error."""
    with (
        served(SAMPLE_APP, tmp_path, production=True) as server,
        signed_in(browser, server, ADMIN) as visit,
    ):
        for path in ADMIN_PAGES:
            with visit.page.expect_response(lambda r: "/static/vendor/vue.global" in r.url) as vue:
                visit.open(path)
            assert vue.value.url.endswith("/static/vendor/vue.global.prod.js")
            assert_healthy(visit, min_icons=6)


def test_dashboard_shows_the_roles_and_admin_shortcuts(browser, clean_app):
    with signed_in(browser, clean_app, ADMIN) as visit:
        wait_mounted(visit)
        card = visit.page.locator(".v-card-text")
        # `${ currentUser.roles.join(', ') }`, from the JSON the layout renders.
        assert "You are signed in with the roles admin, user." in card.inner_text()
        shortcuts = card.locator(".v-list-item-title").all_inner_texts()
        assert shortcuts == ["Things", "Activity Logs"]


def test_a_plain_user_sees_no_admin_navigation(browser, clean_app):
    with signed_in(browser, clean_app, USER) as visit:
        wait_mounted(visit)
        assert navigation(visit) == ["Dashboard"]
        # Not hidden with CSS: not in the page at all.
        text = visit.page.locator("#app").text_content()
        for admin_only in ("Things", "Administration", "Activity Logs", "User Management"):
            assert admin_only not in text
        assert visit.page.locator("a[href='/users/'], a[href='/things/']").count() == 0
        text = visit.page.inner_text("body")
        assert "You are signed in with the roles user." in text
        # The registered component's `${ text }`, in place of the admin shortcuts.
        assert "Ask an admin for more roles" in text
        assert_healthy(visit, min_icons=3)
        # And the server agrees: the admin pages are refused, not just hidden.
        assert visit.page.request.get(clean_app.url + "/things/").status == 403


def test_things_show_the_api_data(browser, clean_app):
    with signed_in(browser, clean_app, ADMIN) as visit:
        visit.open("/things/")
        items = visit.api("/api/things")["items"]
        wait_for_rows(visit, [item["id"] for item in items])
        # `${ item.name }` in the name slot.
        assert column(visit, 2) == [item["name"] for item in items]
        assert_healthy(visit, min_icons=6 + 2 * len(items))


def test_users_show_the_api_data(browser, clean_app):
    with signed_in(browser, clean_app, ADMIN) as visit:
        visit.open("/users/")
        users = visit.api("/api/users")["items"]
        expect(visit.page.locator("tbody tr td:nth-child(1)")).to_have_text(
            [user["email"] for user in users]
        )
        # `${ name }` in the roles slot, one chip per role.
        for row, user in enumerate(users):
            chips = visit.page.locator("tbody tr").nth(row).locator(".v-chip")
            assert [c.strip() for c in chips.all_inner_texts()] == user["roles"]
        # `${ role.name }` in the filter chips, from the JSON the page renders.
        filters = visit.page.locator(".v-toolbar .v-chip").all_inner_texts()
        assert [f.strip() for f in filters] == ["admin", "user"]
        assert_healthy(visit, min_icons=6)


def test_activities_update_live_with_the_api_data(browser, clean_app):
    with signed_in(browser, clean_app, ADMIN) as visit:
        visit.open("/activities/")
        chip = visit.page.locator(".v-toolbar .v-chip")
        expect(chip).to_have_text("Live")  # `${ live ? 'Live' : 'Offline' }`, websocket open
        name = "Lamp from the API"
        created = visit.page.request.post(
            clean_app.url + "/api/thing/", data={"item": {"name": name}}
        )
        assert created.ok
        # The websocket's event makes the page reload the list: the new row appears.
        row = visit.page.locator("tbody tr", has_text="Thing Create").filter(has_text=name)
        expect(row).to_have_count(1)
        latest = visit.api("/api/activities")["items"][0]
        assert latest["action"] == "Thing Create"
        # `${ JSON.stringify(item.data) }`
        assert json.loads(row.locator("code").inner_text()) == latest["data"]
        assert_healthy(visit, min_icons=6)


def test_create_edit_and_delete_through_the_ui_reach_the_database(browser, clean_app):
    db = clean_app
    (admin_id,) = db.query("SELECT id FROM user WHERE email = ?", ADMIN[0])[0]
    with signed_in(browser, clean_app, ADMIN) as visit:
        page = visit.page
        visit.open("/things/")
        wait_mounted(visit)
        snack = page.locator(".v-snackbar__content")

        page.get_by_role("button", name="Add Thing").click()
        dialog = page.locator(".v-dialog .v-card")
        expect(dialog.locator(".v-toolbar-title")).to_have_text("New Thing")
        dialog.get_by_label("Name").fill("Desk lamp")
        dialog.get_by_role("button", name="Save").click()
        expect(snack).to_have_text("Thing successfully created!")
        rows = db.query("SELECT id, active, user_id FROM things WHERE name = ?", "Desk lamp")
        assert len(rows) == 1 and rows[0][1:] == (1, admin_id)
        thing_id = rows[0][0]
        row = page.locator("tbody tr", has_text="Desk lamp")
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text(ADMIN[0])  # the owner

        row.locator("i.ti-pencil").click()
        expect(dialog.locator(".v-toolbar-title")).to_have_text("Edit Desk lamp")
        dialog.get_by_label("Name").fill("Desk lamp, dimmed")
        dialog.get_by_label("Active").uncheck()
        dialog.get_by_role("button", name="Save").click()
        expect(snack).to_have_text("Thing successfully updated!")
        assert db.query("SELECT name, active FROM things WHERE id = ?", thing_id) == [
            ("Desk lamp, dimmed", 0)
        ]
        row = page.locator("tbody tr", has_text="Desk lamp, dimmed")
        expect(row.locator("span.text-disabled")).to_have_text("Desk lamp, dimmed")

        page.once("dialog", lambda confirm: confirm.accept())
        row.locator("i.ti-trash").click()
        expect(snack).to_have_text("Thing successfully deleted!")
        assert db.query("SELECT id FROM things WHERE id = ?", thing_id) == []
        expect(page.locator("tbody tr", has_text="Desk lamp")).to_have_count(0)

        logged = db.query("SELECT action FROM activity WHERE user_id = ? ORDER BY id", admin_id)
        assert [a for (a,) in logged][-3:] == ["Thing Create", "Thing Update", "Thing Delete"]
        assert visit.problems == []


# --- the broken variant: one front-end violation at a time ----------------------------


def one_violation(tmp_path: Path, rule: str) -> Path:
    """A copy of the app with the broken variant's violation of `rule`, and nothing else;
    stk-lint reports it."""
    violations = [v for v in broken_variant.load_violations() if v["rule"] == rule]
    assert len(violations) == 1, violations
    root = broken_variant.build(tmp_path / "app", violations)
    assert rule in codes(root)
    return root


def codes(root: Path) -> set[str]:
    result = broken_variant.lint(root)
    assert result.returncode in (0, 1), result.stderr
    return {finding["code"] for finding in json.loads(result.stdout)}


def fix(root: Path, rule: str) -> bool:
    """`stk-lint check --fix` (with --unsafe-fixes when `rule`'s fix is unsafe) on the
    copy. Returns whether the rule has a fix; the finding is gone exactly then."""
    fixable = get_rule(rule).fix
    before = snapshot(root)
    command = [sys.executable, "-m", "stk_lint", "check", "stk", "--fix"]
    if fixable == "unsafe":
        command.append("--unsafe-fixes")
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    if fixable:
        assert result.returncode == 0, result.stdout
        assert snapshot(root) != before
    else:
        assert rule in codes(root)
        assert snapshot(root) == before
    return fixable is not None


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path): path.read_bytes()
        for path in (root / "stk").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_stk401_jinja_fails_the_page_on_a_vue_slot_prop_and_the_fix_restores_it(browser, tmp_path):
    """STK401, the broken variant's `{{ item.name }}`: Jinja renders it on the server,
    where `item` does not exist, and an attribute of an undefined name is an error: the
    whole page is a 500. The fix writes `${ item.name }` and the names show."""
    root = one_violation(tmp_path, "STK401")
    with served(root, tmp_path / "broken") as server, signed_in(browser, server, ADMIN) as visit:
        response = visit.page.goto(server.url + "/things/")
        assert response.status == 500
        assert visit.page.locator("#app").count() == 0
        assert "UndefinedError: 'item' is undefined" in server.log.read_text()

    assert fix(root, "STK401")
    with served(root, tmp_path / "fixed") as server, signed_in(browser, server, ADMIN) as visit:
        visit.open("/things/")
        wait_for_rows(visit, [1, 2, 3])
        assert column(visit, 2) == ["Thing 1", "Thing 2", "Thing 3"]
        assert_healthy(visit, min_icons=12)
        screenshot(visit, "things.png")


def test_stk401_jinja_renders_a_bare_vue_name_blank_and_the_fix_restores_it(browser, tmp_path):
    """STK401 on a bare name, `{{ snackMessage }}`: Jinja renders it as an empty string,
    silently. The snackbar opens after a save, with no text; fixed, it says what happened."""
    snackbar = {
        "rule": "STK401",
        "file": "stk/templates/things/index.html",
        "edits": [{"find": "  ${ snackMessage }\n", "replace": "  {{ snackMessage }}\n"}],
    }
    root = broken_variant.build(tmp_path / "app", [snackbar])
    assert "STK401" in codes(root)

    def save_a_thing(server: Server, name: str) -> str:
        with signed_in(browser, server, ADMIN) as visit:
            visit.open("/things/")
            wait_for_rows(visit, [1, 2, 3])
            visit.page.get_by_role("button", name="Add Thing").click()
            visit.page.locator(".v-dialog").get_by_label("Name").fill(name)
            visit.page.locator(".v-dialog").get_by_role("button", name="Save").click()
            wait_for_rows(visit, [1, 2, 3, 4])
            # Open with its close button; what it says, if anything, is beside it.
            snack = visit.page.locator(".v-snackbar__wrapper")
            expect(snack).to_be_visible()
            assert server.query("SELECT name FROM things WHERE id = 4") == [(name,)]
            assert visit.problems == []  # silently
            return snack.inner_text().strip()

    with served(root, tmp_path / "broken") as server:
        assert save_a_thing(server, "Desk lamp") == ""

    assert fix(root, "STK401")
    with served(root, tmp_path / "fixed") as server:
        assert save_a_thing(server, "Desk lamp") == "Thing successfully created!"


def test_stk402_without_delimiters_vue_shows_the_interpolations_literally(browser, tmp_path):
    """STK402: the activities app has no `delimiters`: Vue keeps `{{ }}`, and every
    `${ ... }` of the page (the layout's included) is shown as typed."""
    root = one_violation(tmp_path, "STK402")
    with served(root, tmp_path / "broken") as server, signed_in(browser, server, ADMIN) as visit:
        visit.open("/activities/")
        wait_mounted(visit)  # Vue runs: it just does not interpolate `${ }`
        text = visit.page.inner_text("body")
        for literal in ("${ live ? 'Live' : 'Offline' }", "${ currentUser.email }"):
            assert literal in text
        assert ADMIN[0] not in text
        screenshot(visit, "activities-stk402-broken.png")

    if fix(root, "STK402"):
        with (
            served(root, tmp_path / "fixed") as server,
            signed_in(browser, server, ADMIN) as visit,
        ):
            visit.open("/activities/")
            assert_healthy(visit, min_icons=6)
            assert visit.page.locator(".v-app-bar").inner_text().count(ADMIN[0]) == 1


def test_stk501_an_mdi_icon_draws_no_glyph_and_the_fix_restores_it(browser, tmp_path):
    """STK501: `mdi-pencil` where only Tabler is loaded: the edit button is an empty
    box (its neighbour, `ti ti-trash`, draws), with no error anywhere."""
    root = one_violation(tmp_path, "STK501")
    with served(root, tmp_path / "broken") as server, signed_in(browser, server, ADMIN) as visit:
        visit.open("/things/")
        wait_for_rows(visit, [1, 2, 3])
        assert_icon_font_loaded(visit)
        shown = icons(visit)
        # The broken variant's icon, looked for on purpose.
        mdi_pencil = "mdi-pencil"  # stk-lint: ignore[STK501]
        pencils = [icon for icon in shown if mdi_pencil in icon["classes"]]
        trashes = [icon for icon in shown if "ti-trash" in icon["classes"]]
        assert len(pencils) == len(trashes) == 3
        assert not any(has_glyph(icon) for icon in pencils), pencils
        assert all(icon["content"] == "none" for icon in pencils), pencils
        assert all(has_glyph(icon) for icon in trashes), trashes
        assert visit.problems == []
        screenshot(visit, "things-stk501-broken.png")

    assert fix(root, "STK501")
    with served(root, tmp_path / "fixed") as server, signed_in(browser, server, ADMIN) as visit:
        visit.open("/things/")
        wait_for_rows(visit, [1, 2, 3])
        assert_healthy(visit, min_icons=12)
        assert len([i for i in icons(visit) if "ti-pencil" in i["classes"]]) == 3


def test_stk502_an_unknown_tabler_name_draws_nothing(browser, tmp_path):
    """STK502: `ti ti-not-an-icon` in the sidebar: the entry's icon has no glyph and no
    width, and the console says nothing."""
    root = one_violation(tmp_path, "STK502")
    with served(root, tmp_path / "broken") as server, signed_in(browser, server, ADMIN) as visit:
        wait_mounted(visit)
        assert_icon_font_loaded(visit)
        shown = icons(visit)
        unknown = [icon for icon in shown if "ti-not-an-icon" in icon["classes"]]
        assert len(unknown) == 1
        assert unknown[0]["content"] == "none" and unknown[0]["width"] == 0, unknown
        assert all(has_glyph(icon) for icon in shown if icon not in unknown)
        assert visit.problems == []

    if fix(root, "STK502"):
        with (
            served(root, tmp_path / "fixed") as server,
            signed_in(browser, server, ADMIN) as visit,
        ):
            assert_healthy(visit, min_icons=6)


def test_stk403_setup_in_an_options_app_still_renders(browser, tmp_path):
    """STK403's `setup()` case is about one way of writing pages, not a visible failure
    (its message promises none): Vue 3 runs `setup()` beside `data()`, and the page works."""
    root = one_violation(tmp_path, "STK403")
    with served(root, tmp_path / "broken") as server, signed_in(browser, server, ADMIN) as visit:
        visit.open("/users/")
        expect(visit.page.locator("tbody tr td:nth-child(1)")).to_have_text(
            [user["email"] for user in visit.api("/api/users")["items"]]
        )
        assert visit.page.evaluate("() => app._instance.setupState.pageTitle") == "Users"
        assert_healthy(visit, min_icons=6)


def test_stk403_script_setup_fails_in_the_browser(browser, tmp_path):
    """STK403's `<script setup>` case: with no build step the browser runs it as a plain
    script, its `import` is a syntax error, and the app never mounts."""
    root = broken_variant.build(
        tmp_path / "app",
        [
            {
                "rule": "STK403",
                "file": "stk/templates/users/index.html",
                "edits": [
                    {
                        "find": "<script>\nconst { createApp } = Vue;\n",
                        "replace": "<script setup>\nimport { ref } from 'vue';\n"
                        "const { createApp } = Vue;\n",
                    }
                ],
            }
        ],
    )
    assert "STK403" in codes(root)
    with served(root, tmp_path / "broken") as server, signed_in(browser, server, ADMIN) as visit:
        visit.open("/users/")
        assert any("import statement outside a module" in p for p in visit.problems), visit.problems
        assert not visit.page.evaluate(MOUNTED_JS)
        assert "${ currentUser.email }" in visit.page.inner_text("body")
