"""The vendored front-end: the files npm shipped, served by the app from its static folder."""

import importlib.util
import re

from sample_app_support import ADMIN, SAMPLE_APP, login
from stk.config import Config

ROOT = SAMPLE_APP.parents[1]
STATIC = SAMPLE_APP / "stk" / "static"


def vendoring_script():
    path = ROOT / "scripts" / "vendor_sample_app_assets.py"
    spec = importlib.util.spec_from_file_location("vendor_sample_app_assets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_vendored_files_are_the_pinned_packages_files():
    script = vendoring_script()
    assert script.STATIC == STATIC
    assert script.check() == []


def test_a_changed_vendored_file_is_reported(tmp_path, monkeypatch):
    script = vendoring_script()
    copy = tmp_path / "static"
    for target in ("vendor/MANIFEST.json", "vendor/axios.min.js"):
        (copy / target).parent.mkdir(parents=True, exist_ok=True)
        (copy / target).write_bytes((STATIC / target).read_bytes())
    (copy / "vendor" / "axios.min.js").write_bytes(b"// edited by hand\n")
    monkeypatch.setattr(script, "STATIC", copy)
    monkeypatch.setattr(script, "MANIFEST", copy / "vendor" / "MANIFEST.json")
    problems = script.check()
    assert "static/vendor/axios.min.js differs from axios@1.21.1" in problems
    assert "static/vendor/vue.global.prod.js is missing" in problems


def test_every_asset_the_layout_loads_is_vendored_with_its_font():
    for url in Config.ASSETS.values():
        assert url.startswith("/static/"), url  # no CDN
        assert (STATIC / url.removeprefix("/static/")).is_file(), url
    stylesheet = STATIC / "icons" / "tabler-icons.min.css"
    fonts = re.findall(r'url\("\./(fonts/[^"?]+\.woff2)', stylesheet.read_text(encoding="utf-8"))
    assert fonts == ["fonts/tabler-icons.woff2"]
    assert (stylesheet.parent / fonts[0]).is_file()


async def test_the_app_serves_its_front_end(serve):
    async with serve() as client:
        await login(client, *ADMIN)
        page = await (await client.get("/")).get_data(as_text=True)
        for url in Config.ASSETS.values():
            assert f'"{url}"' in page
            response = await client.get(url)
            assert response.status_code == 200, url
        font = await client.get("/static/icons/fonts/tabler-icons.woff2")
        assert font.status_code == 200
        assert (await font.get_data())[:4] == b"wOF2"
