"""STK601-603: rules that read the whole app (templates, endpoints, layout blocks).

The realistic fixture app (tests/fixtures/stk_app) has blueprints with their own template
and static folders, quart-security's templates used from the package and overridden,
`url_for` in its layout and partials, relative endpoints and macro imports: it must give
no finding, and each mistake made in a copy of it must give exactly its finding (so the
silence is knowledge, not blindness)."""

import io
import json
import shutil
from pathlib import Path

import pytest

from stk_lint import runner
from stk_lint.app_index import example_index, python_facts
from stk_lint.config import load_settings
from stk_lint.hook import run_hook
from stk_lint.project import ProjectIndex
from stk_lint.testing import codes, lint

FIXTURE = Path(__file__).parent / "fixtures" / "stk_app"
APP_CODES = ["STK601", "STK602", "STK603"]


@pytest.fixture
def app_copy(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "app"


def edit(root, relative, old, new):
    path = root / relative
    text = path.read_text()
    assert text.count(old) == 1, (relative, old)
    path.write_text(text.replace(old, new))


def found(root, *, jobs=1, use_cache=False, paths=None):
    settings = load_settings(None)
    settings.root = root
    result = runner.run(paths or [root], settings, jobs=jobs, use_cache=use_cache)
    assert result.errors == []
    return [
        (f.code, Path(f.path).relative_to(root).as_posix(), f.line, f.message)
        for f in result.findings
        if f.code in APP_CODES
    ]


def test_the_fixture_app_is_clean(app_copy):
    assert found(app_copy) == []


MISTAKES = [
    # a view renders a template under a name no folder holds
    (
        "stk/things/views.py",
        '"things/index.html"',
        '"things/indx.html"',
        "STK601",
        "did you mean `things/index.html`?",
    ),
    # a blueprint template renamed (reports/templates is the blueprint's folder)
    (
        "stk/reports/views.py",
        '"reports/index.html"',
        '"report/index.html"',
        "STK601",
        "`report/index.html`",
    ),
    # the layout's partial and macro imports
    (
        "stk/templates/layout.html",
        '{% include "partials/nav.html" %}',
        '{% include "partial/nav.html" %}',
        "STK601",
        "{% include %}",
    ),
    (
        "stk/templates/partials/nav.html",
        '{% from "macros.html" import nav_link %}',
        '{% from "macro.html" import nav_link %}',
        "STK601",
        "{% from %}",
    ),
    # quart-security's macros, imported from its package by an override of its page
    (
        "stk/templates/security/login_user.html",
        '"security/_macros.html"',
        '"security/macros.html"',
        "STK601",
        "did you mean `security/_macros.html`?",
    ),
    # endpoints: in the layout, a partial, a page script, Python, relative ones
    (
        "stk/templates/layout.html",
        "url_for('security.logout')",
        "url_for('security.log_out')",
        "STK602",
        "did you mean `security.logout`?",
    ),
    (
        "stk/templates/partials/nav.html",
        "url_for('reports.index')",
        "url_for('reports.reports_page')",
        "STK602",
        "`reports.reports_page`",
    ),
    (
        "stk/templates/things/index.html",
        "url_for('things.list_things')",
        "url_for('things.list')",
        "STK602",
        "`things.list`",
    ),
    (
        "stk/reports/views.py",
        'url_for(".export")',
        'url_for(".exports")',
        "STK602",
        "did you mean `.export`?",
    ),
    (
        "stk/reports/templates/reports/index.html",
        "url_for('reports.static'",
        "url_for('things.static'",
        "STK602",
        "`things.static`",
    ),
    (
        "stk/templates/roles/index.html",
        "url_for('.roles_page')",
        "url_for('.role_page')",
        "STK602",
        "`role_page`",
    ),
    # quart-security's helper names its blueprint's endpoints
    (
        "stk/templates/security/login_user.html",
        "url_for_security('register')",
        "url_for_security('signup')",
        "STK602",
        "`security.signup`",
    ),
    # a removed route: the partial that links it
    (
        "stk/reports/views.py",
        'bp.add_url_rule("/export", view_func=export)\n',
        "",
        "STK602",
        "`export`",
    ),
    # a page fills a block the layout does not have
    (
        "stk/templates/things/index.html",
        "{% block js %}",
        "{% block scripts %}",
        "STK603",
        "`content`, `css`, `js`, `title`",
    ),
]


@pytest.mark.parametrize(("relative", "old", "new", "code", "words"), MISTAKES)
def test_each_mistake_in_the_fixture_app_is_found(app_copy, relative, old, new, code, words):
    edit(app_copy, relative, old, new)
    findings = found(app_copy)
    assert len(findings) == 1, findings
    assert findings[0][0] == code
    assert words in findings[0][3]


def test_a_renamed_template_or_removed_route_reaches_the_files_that_use_it_through_the_cache(
    app_copy,
):
    assert found(app_copy, use_cache=True) == []
    assert found(app_copy, use_cache=True) == []  # warm
    (app_copy / "stk/templates/macros.html").rename(app_copy / "stk/templates/ui.html")
    warm = found(app_copy, use_cache=True)
    assert sorted((code, path) for code, path, _, _ in warm) == [
        ("STK601", "stk/templates/layout.html"),
        ("STK601", "stk/templates/partials/nav.html"),
    ]
    (app_copy / "stk/templates/ui.html").rename(app_copy / "stk/templates/macros.html")
    assert found(app_copy, use_cache=True) == []
    edit(
        app_copy, "stk/user/views.py", '@bp.get("/roles/")', '@bp.get("/roles/", endpoint="roles")'
    )
    warm = found(app_copy, use_cache=True)
    assert [(code, path) for code, path, _, _ in warm] == [
        ("STK602", "stk/templates/partials/nav.html"),
        ("STK602", "stk/templates/roles/index.html"),
    ]
    # a block removed from the layout reaches every page that fills it
    edit(app_copy, "stk/templates/layout.html", "{% block css %}{% endblock %}", "")
    edit(
        app_copy,
        "stk/templates/things/index.html",
        "{% block title %}",
        "{% block css %}{% endblock %}{% block title %}",
    )
    warm = found(app_copy, use_cache=True)
    assert ("STK603", "stk/templates/things/index.html") in [(c, p) for c, p, _, _ in warm]


def test_parallel_workers_and_a_sub_folder_run_give_the_same_findings(app_copy, monkeypatch):
    for relative, old, new, _, _ in MISTAKES[:1] + MISTAKES[5:6] + MISTAKES[-1:]:
        edit(app_copy, relative, old, new)
    alone = found(app_copy)
    assert len(alone) == 3
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    assert found(app_copy, jobs=2) == alone
    # a run over one folder still knows the whole app
    only = found(app_copy, paths=[app_copy / "stk" / "templates"])
    assert only == [f for f in alone if f[1].startswith("stk/templates/")]


@pytest.mark.parametrize(
    ("relative", "code"),
    [
        ("stk/things/views.py", "STK601"),
        ("stk/templates/layout.html", "STK602"),
        ("stk/templates/things/index.html", "STK603"),
    ],
)
def test_the_hook_on_one_file_knows_the_whole_app(app_copy, relative, code):
    mistakes = {(m[0], m[3]): m for m in MISTAKES}
    _, old, new, _, _ = mistakes[(relative, code)]
    edit(app_copy, relative, old, new)
    payload = {"tool_input": {"file_path": relative}, "cwd": str(app_copy)}
    stderr = io.StringIO()
    assert run_hook(io.StringIO(json.dumps(payload)), stderr) == 2
    assert f" {code} " in stderr.getvalue()


# --- precision: silence wherever the app's structure is not known ---------------------

APP = (
    "from quart import Quart\n\nfrom app.things import bp\n\n\n"
    "def create_app():\n    app = Quart(__name__)\n    app.register_blueprint(bp)\n    return app\n"
)
THINGS = (
    'from quart import Blueprint\n\nbp = Blueprint("things", __name__)\n\n\n'
    '@bp.get("/")\nasync def index():\n    ...\n'
)
LAYOUT = "{% block content %}{% endblock %}"


def project_of(files):
    project = ProjectIndex()
    project.app_index = example_index(files)
    return project


def check(files, path, source, select=APP_CODES):
    files = {**files, path: source}
    return codes(lint(source, path, select=select, project=project_of(files)))


BASE = {
    "app/__init__.py": "",
    "app/app.py": APP,
    "app/things.py": THINGS,
    "app/templates/layout.html": LAYOUT,
}
VIEW = "app/views.py"
RENDER = 'from quart import render_template, url_for\n\nasync def f():\n    return await render_template("nope.html"), url_for("things.nope"), url_for("nope")\n'


def test_the_base_project_finds_all_three():
    assert check(BASE, VIEW, RENDER) == ["STK601", "STK602", "STK602"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # no app at all: a library, a blueprint package linted alone
        ({"app/app.py": "create_app = None\n"}, []),
        # the app's template folder computed at run time: templates unknown
        (
            {
                "app/app.py": APP.replace(
                    "Quart(__name__)", "Quart(__name__, template_folder=FOLDER)"
                )
            },
            ["STK602", "STK602"],
        ),
        # a loader of the app's own
        (
            {
                "app/loader.py": "from jinja2 import ChoiceLoader\n\ndef setup(app):\n    app.jinja_loader = ChoiceLoader([])\n"
            },
            ["STK602", "STK602"],
        ),
        # a subclass of Quart: apps the index does not follow
        ({"app/base.py": "from quart import Quart\n\nclass App(Quart):\n    pass\n"}, []),
        # a blueprint registered under a computed name: unknown prefixes may exist, but
        # `things` is still known and `nope` (the app's own) still is
        (
            {
                "app/app.py": APP.replace(
                    "register_blueprint(bp)", "register_blueprint(bp, name=NAME)"
                )
            },
            ["STK601", "STK602"],
        ),
        # a route added to an app made by a factory: the app's own endpoints are unknown
        (
            {
                "app/more.py": "from app.app import create_app\n\napp = create_app()\n\n\n@app.get('/x')\nasync def x():\n    ...\n"
            },
            ["STK601"],
        ),
        # a route on a computed endpoint of `things`: its endpoints are unknown
        (
            {"app/things.py": THINGS + "\nbp.add_url_rule('/y', ENDPOINT, index)\n"},
            ["STK601", "STK602"],
        ),
        # a module with app facts that does not parse
        ({"app/broken.py": "from quart import Blueprint\nbp = Blueprint(\n"}, []),
    ],
)
def test_unknown_structure_is_silence(change, expected):
    assert check({**BASE, **change}, VIEW, RENDER) == expected


def test_a_blueprint_in_a_loop_over_a_tuple_is_followed():
    app = APP.replace(
        "app.register_blueprint(bp)",
        "for blueprint in BLUEPRINTS:\n        app.register_blueprint(blueprint)",
    )
    app = app.replace("\n\ndef create_app", "\nBLUEPRINTS = (bp,)\n\n\ndef create_app")
    view = (
        'from quart import url_for\n\nLINKS = [url_for("things.index"), url_for("things.indx")]\n'
    )
    assert check({**BASE, "app/app.py": app}, VIEW, view) == ["STK602"]


def test_registration_under_another_name_renames_the_endpoints():
    app = APP.replace("register_blueprint(bp)", 'register_blueprint(bp, name="stuff")')
    view = (
        'from quart import url_for\n\nLINKS = [url_for("stuff.index"), url_for("things.index")]\n'
    )
    findings = lint(
        view, VIEW, select=APP_CODES, project=project_of({**BASE, "app/app.py": app, VIEW: view})
    )
    assert [(f.code, f.column) for f in findings] == [("STK602", 42)]


def test_nested_blueprints_prefix_their_parent():
    things = THINGS + '\nadmin = Blueprint("admin", __name__)\nadmin.register_blueprint(bp)\n'
    app = APP.replace("import bp", "import admin").replace(
        "register_blueprint(bp)", "register_blueprint(admin)"
    )
    view = 'from quart import url_for\n\nLINKS = [url_for("admin.things.index"), url_for("admin.things.nope")]\n'
    files = {**BASE, "app/things.py": things, "app/app.py": app}
    assert check(files, VIEW, view) == ["STK602"]


def test_a_relative_endpoint_in_a_view_resolves_against_its_own_blueprint():
    other = (
        'from quart import Blueprint, url_for\n\nbp = Blueprint("other", __name__)\n\n\n'
        '@bp.get("/")\nasync def home():\n    return url_for(".index")\n'
    )
    # `things` has `index`, but the request's blueprint is `other`
    app = APP.replace("import bp", "import bp\nfrom app.views import bp as other").replace(
        "app.register_blueprint(bp)",
        "app.register_blueprint(bp)\n    app.register_blueprint(other)",
    )
    assert check({**BASE, "app/app.py": app}, VIEW, other) == ["STK602"]
    # in a helper the request's blueprint is unknown: any blueprint's `index` will do
    helper = other.replace('@bp.get("/")\n', "")
    assert check({**BASE, "app/app.py": app}, VIEW, helper) == []


def test_templates_outside_the_apps_folders_are_not_checked():
    page = '{% extends "nope.html" %}{% block x %}{% endblock %}{{ url_for("nope") }}'
    assert check(BASE, "app/emails/welcome.html", page) == []
    assert check(BASE, "app/templates/page.html", page) == ["STK601", "STK602"]


def test_a_template_chain_with_a_computed_or_missing_parent_is_not_judged():
    middle = "{% extends layout %}{% block content %}{% endblock %}"
    child = '{% extends "middle.html" %}{% block other %}{% endblock %}'
    files = {**BASE, "app/templates/middle.html": middle}
    assert check(files, "app/templates/child.html", child) == []
    conditional = '{% if x %}{% extends "layout.html" %}{% endif %}{% block other %}{% endblock %}'
    assert check(BASE, "app/templates/child.html", conditional) == []


def test_a_template_in_two_blueprint_folders_is_ambiguous():
    things = THINGS.replace("__name__)", '__name__, template_folder="templates")')
    files = {
        **BASE,
        "app/things.py": things,
        "app/templates/layout.html": "",  # the app's folder wins: certain
        "app/templates/base.html": "{% block a %}{% endblock %}",
    }
    child = '{% extends "base.html" %}{% block b %}{% endblock %}'
    assert check(files, "app/templates/child.html", child) == ["STK603"]


def test_include_ignore_missing_and_computed_names_are_not_checked():
    page = (
        '{% include "nope.html" ignore missing %}{% include name %}{% include ["a.html", "layout.html"] %}'
        '{% include ["a.html", "b.html"] %}'
    )
    assert check(BASE, "app/templates/page.html", page) == ["STK601"]


def test_a_template_that_binds_url_for_itself_is_not_judged():
    page = '{% macro url_for(x) %}{% endmacro %}{{ url_for("nope") }}'
    assert check(BASE, "app/templates/page.html", page) == []


def test_app_facts_of_a_module_without_apps_cost_no_parse():
    assert python_facts("def f():\n    return {}.get('x')\n", "m") == {}


def test_a_test_folder_beside_the_app_package_is_checked_against_that_app(app_copy):
    tests = app_copy / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text("")
    (tests / "test_links.py").write_text(
        "from quart import url_for\n\n\ndef test_link(app):\n"
        '    assert url_for("things.things_page") and url_for("things.thing_page")\n'
    )
    assert [(code, path) for code, path, _, _ in found(app_copy)] == [
        ("STK602", "tests/test_links.py")
    ]
    # one file, alone: it still knows the app
    assert [(c, p) for c, p, _, _ in found(app_copy, paths=[tests / "test_links.py"])] == [
        ("STK602", "tests/test_links.py")
    ]


def test_a_library_shipping_templates_is_read_without_importing_it(app_copy):
    page = app_copy / "stk/templates/security/login_user.html"
    # quart-security's own login page (no override): the view's name is found in its package
    page.unlink()
    edit(app_copy, "stk/things/views.py", '"things/index.html"', '"security/login_user.html"')
    assert found(app_copy) == []
