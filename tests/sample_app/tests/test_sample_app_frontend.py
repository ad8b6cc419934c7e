"""The pages' JavaScript, run under Node with Vue stubbed: every app is built the stk way.

Checks what a browser would do first: config.js, navigation.js and each page's inline
script run without error, createApp gets `delimiters: config.delimiters`, `data()`
(mixin included) returns the state the markup uses, and the sidebar hides admin
entries from plain users. Needs `node` on PATH; nothing is installed.
"""

import json
import re
import shutil
import subprocess

import pytest
from sample_app_support import ADMIN, SAMPLE_APP, USER, login

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

STATIC = SAMPLE_APP / "stk" / "static" / "js"

# Runs the layout's scripts, then the page's, in one context with Vue stubbed out.
HARNESS = r"""
const vm = require('vm');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const apps = [];
const stubApp = (options) => {
  const app = { options, components: [], use() { return app; }, mount() { return app; },
                component(name) { app.components.push(name); return app; } };
  apps.push(app);
  return app;
};
const context = {
  Vue: { createApp: stubApp, toRaw: (x) => x },
  Vuetify: { createVuetify: (cfg) => ({ cfg }) },
  axios: {},
  location: { pathname: input.path, protocol: 'http:', host: 'localhost' },
  document: {
    querySelector(selector) {
      const id = selector.replace(/^#/, '');
      if (!(id in input.elements)) throw new Error('no element ' + selector);
      return { textContent: input.elements[id], submit() {} };
    },
  },
  JSON, console,
};
context.window = context;  // as in a browser: window.app is the global `app`
vm.createContext(context);
for (const [name, code] of input.scripts) vm.runInContext(code, context, { filename: name });
const config = vm.runInContext('config', context);  // a top-level const, not a property
const report = apps.map((app) => {
  const o = app.options;
  const state = {};
  for (const mixin of o.mixins || []) Object.assign(state, mixin.data ? mixin.data.call(state) : {});
  Object.assign(state, o.data ? o.data.call(state) : {});
  const methods = {};
  for (const mixin of o.mixins || []) Object.assign(methods, mixin.methods || {});
  const computedDefs = {};
  for (const mixin of o.mixins || []) Object.assign(computedDefs, mixin.computed || {});
  Object.assign(computedDefs, o.computed || {});
  const self = Object.assign({}, state, methods);
  return {
    delimitersFromConfig: o.delimiters === config.delimiters,
    delimiters: o.delimiters,
    usesSetup: 'setup' in o,
    stateKeys: Object.keys(state).sort(),
    navTitles: computedDefs.navItems.call(self).map((e) => e.title || e.heading),
    components: app.components,
  };
});
process.stdout.write(JSON.stringify(report));
"""


def scripts_of(html):
    """Inline scripts and JSON data elements of a rendered page."""
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    data = dict(
        re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', html, re.S)
    )
    return inline, data


async def run_page(client, path):
    html = await (await client.get(path)).get_data(as_text=True)
    inline, elements = scripts_of(html)
    scripts = [
        ["config.js", (STATIC / "config.js").read_text()],
        ["navigation.js", (STATIC / "navigation.js").read_text()],
        *[[f"{path} script {n}", code] for n, code in enumerate(inline)],
    ]
    result = subprocess.run(
        ["node", "-e", HARNESS],
        input=json.dumps({"path": path, "scripts": scripts, "elements": elements}),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


async def test_every_admin_page_builds_one_options_api_app_with_stk_delimiters(serve):
    async with serve() as client:
        await login(client, *ADMIN)
        for path in ["/", "/things/", "/users/", "/activities/"]:
            [app] = await run_page(client, path)
            assert app["delimitersFromConfig"], path
            assert app["delimiters"] == ["${", "}"]
            assert not app["usesSetup"], path
            assert {"drawer", "currentUser"} <= set(app["stateKeys"]), path
            assert app["components"] == ["stk-empty-state"]
            assert app["navTitles"] == [
                "Dashboard",
                "Things",
                "Administration",
                "Activity Logs",
                "User Management",
            ]


async def test_things_page_state_matches_its_markup(serve):
    async with serve() as client:
        await login(client, *ADMIN)
        [app] = await run_page(client, "/things/")
        for name in [
            "items",
            "itemsLength",
            "headers",
            "options",
            "edialog",
            "eitem",
            "snackBar",
            "snackMessage",
            "search",
        ]:
            assert name in app["stateKeys"], name


async def test_users_page_reads_roles_from_the_json_script(serve):
    async with serve() as client:
        await login(client, *ADMIN)
        [app] = await run_page(client, "/users/")
        assert "roles" in app["stateKeys"]


async def test_plain_users_see_only_their_navigation(serve):
    async with serve() as client:
        await login(client, *USER)
        [app] = await run_page(client, "/")
        assert app["navTitles"] == ["Dashboard"]
