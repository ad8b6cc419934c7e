"""Tricky legal and illegal cases for the Python rules, in the shapes stk code takes."""

import pytest

from stk_lint.testing import lint


def found(source, code, **kwargs):
    return [(f.line, f.column) for f in lint(source, select=[code], **kwargs)]


# STK101 flask-import -------------------------------------------------------


def test_flask_import_positions_and_messages():
    source = (
        "import os, flask_login as login\nfrom flask_security.decorators import auth_required\n"
    )
    findings = lint(source, select=["STK101"])
    assert [(f.line, f.column) for f in findings] == [(1, 12), (2, 6)]
    assert "quart_security" in findings[0].message
    assert "quart_security" in findings[1].message


def test_flask_sqlalchemy_import_names_the_stk_replacement():
    [finding] = lint("from flask_sqlalchemy import SQLAlchemy\n", select=["STK101"])
    assert "Base" in finding.message and "g.db_session" in finding.message


# STK102 celery ---------------------------------------------------------------


def test_task_defined_after_its_use_is_still_found():
    source = (
        "async def signup(user):\n"
        "    send_mail.delay(user.id)\n"
        "\n"
        "@app.task\n"
        "def send_mail(user_id):\n"
        "    pass\n"
    )
    assert found(source, "STK102") == [(2, 5)]


@pytest.mark.parametrize(
    "source",
    [
        # An imported module or object with a `delay`/`apply_async` of its own.
        "import config\n\nasync def view():\n    config.delay(5)\n",
        "from app.workers import pool\n\nasync def view():\n    pool.apply_async(sum, ([1],))\n",
        # A name imported from elsewhere, with no project to say what it is.
        "from .tasks import send_email\n\nasync def view():\n    send_email.delay('x')\n",
    ],
)
def test_delay_on_what_is_not_known_to_be_a_task_is_legal(source):
    assert found(source, "STK102") == []


@pytest.mark.parametrize(
    "decorator", ["@app.task", "@shared_task", "@celery.task(bind=True)", "@celery_app.task()"]
)
def test_delay_on_a_task_of_the_module(decorator):
    source = f"{decorator}\ndef send(to):\n    ...\n\nasync def view():\n    send.delay(1)\n"
    assert found(source, "STK102") == [(6, 5)]


def _project(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_delay_on_a_task_imported_from_the_project(tmp_path, stk_lint):
    _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/extensions.py": "from celery import Celery\n\ncelery_app = Celery()\n",
            "app/tasks.py": "from celery import shared_task\n\n\n@shared_task\ndef mail(to):\n    ...\n",
            "app/jobs.py": "from app.extensions import celery_app\n\n\n@celery_app.task\n"
            "def clean():\n    ...\n",
            "app/util.py": "def helper():\n    ...\n",
            "app/workers.py": "from multiprocessing import Pool\n\npool = Pool()\n",
            "app/config.py": "def delay(seconds):\n    ...\n",
            "app/views.py": (
                "from app import config, jobs\n"
                "from app.util import helper\n"
                "from app.workers import pool\n"
                "from .tasks import mail\n"
                "\n\n"
                "async def view():\n"
                "    mail.delay('x')\n"
                "    jobs.clean.apply_async()\n"
                "    config.delay(5)\n"
                "    pool.apply_async(sum, ([1],))\n"
                "    helper.delay()\n"
            ),
        },
    )
    result = stk_lint("check", "--select", "STK102", "-q", "app/views.py", cwd=tmp_path)
    assert [line.split(" ", 2)[:2] for line in result.stdout.splitlines()] == [
        ["app/views.py:8:5:", "STK102"],
        ["app/views.py:9:5:", "STK102"],
    ]


# STK201 sync-handler ---------------------------------------------------------

BLUEPRINT = "from quart import Blueprint\n\nbp = Blueprint('things', __name__)\n\n"


@pytest.mark.parametrize(
    "decorators",
    [
        "@bp.route('/x', methods=['GET', 'POST'])",
        "@bp.post('/api/thing/')\n@auth_required('session')\n@roles_required('admin')",
        "@auth_required('session')\n@bp.get('/x')",
        "@bp.before_request",
        "@bp.after_app_request",
        "@bp.app_errorhandler(500)",
        "@bp.teardown_request",
        "@bp.websocket('/ws')",
    ],
)
def test_sync_handlers_are_found_under_any_decorator_stack(decorators):
    source = BLUEPRINT + decorators + "\ndef handler(*args):\n    return ''\n"
    [(line, column)] = found(source, "STK201")
    assert source.splitlines()[line - 1] == "def handler(*args):" and column == 5


@pytest.mark.parametrize(
    "source",
    [
        BLUEPRINT + "@bp.get('/x')\nasync def handler():\n    return ''\n",
        BLUEPRINT + "@bp.app_template_filter('money')\ndef money(v):\n    return v\n",
        BLUEPRINT + "@bp.cli.command('seed')\ndef seed():\n    pass\n",
        "import pytest\n\n@pytest.fixture\ndef app():\n    return create_app()\n",
        "settings = {}\n\n@settings.get\ndef x():\n    pass\n",
        "def helper():\n    return 1\n",
    ],
)
def test_not_handlers(source):
    assert found(source, "STK201") == []


# STK301 non-selectin-relationship ----------------------------------------------------


def test_relationship_variants():
    source = (
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import Mapped, relationship\n"
        "class User(Base):\n"
        "    roles: Mapped[list['Role']] = relationship(secondary=roles_users, lazy='selectin')\n"
        "    things = sa.orm.relationship('Thing')\n"
        "    team = relationship('Team', lazy='raise')\n"
    )
    assert found(source, "STK301") == [(5, 14), (6, 33)]
    assert found(source, "STK301", options={"allowed-lazy": ["selectin", "raise"]}) == [(5, 14)]


def test_backref_string_is_flagged_once_with_the_replacement():
    source = (
        "from sqlalchemy.orm import relationship\n"
        "class Thing(Base):\n"
        "    user = relationship('User', lazy='selectin', backref='things')\n"
    )
    [finding] = lint(source, select=["STK301"])
    assert 'backref("things", lazy="selectin")' in finding.message


# STK302/STK303 Flask-SQLAlchemy ------------------------------------------------------


def test_flask_sqlalchemy_habits():
    source = (
        "class Thing(db.Model):\n"
        "    pass\n"
        "async def view(page):\n"
        "    items = Thing.query.filter_by(active=True).paginate(page=page)\n"
        "    db.session.commit()\n"
        "    return items\n"
    )
    assert found(source, "STK302") == [(1, 13)]
    assert found(source, "STK303") == [(4, 13), (4, 13), (5, 5)]


def test_legal_lookalikes_of_flask_sqlalchemy():
    source = (
        "from urllib.parse import urlparse\n"
        "async def view(request, client):\n"
        "    q = request.args.get('query')\n"
        "    parsed = urlparse(request.url).query\n"
        "    pages = client.get_paginator('x').paginate(Bucket='b')\n"
        "    result = await g.db_session.execute(select(Thing).offset(0).limit(25))\n"
        "    return q, parsed, pages, result\n"
    )
    assert found(source, "STK303") == []


def test_stk_fixture_app_is_clean_under_every_rule():
    from pathlib import Path

    for path in sorted((Path(__file__).parent / "fixtures" / "stk_app").rglob("*.py")):
        assert lint(path.read_text(), path.as_posix()) == [], path


def test_write_only_and_dynamic_mapped_relationships():
    # SQLAlchemy 2 models as its asyncio documentation writes them: a write-only
    # collection is never loaded implicitly, so it is not reported; a DynamicMapped
    # annotation makes the loader "dynamic" whatever `lazy=` says, and adding
    # lazy="selectin" would change nothing, so it is reported without a fix.
    source = (
        "from sqlalchemy.orm import DynamicMapped, Mapped, WriteOnlyMapped, relationship\n"
        "class Customer(Base):\n"
        "    events: WriteOnlyMapped['Event'] = relationship()\n"
        "    audit: Mapped[list['Audit']] = relationship(lazy='write_only')\n"
        "    notes: DynamicMapped['Note'] = relationship(lazy='selectin')\n"
        "    orders: Mapped[list['Order']] = relationship(back_populates='customer')\n"
    )
    findings = lint(source, select=["STK301"])
    assert [(f.line, f.fix is not None) for f in findings] == [(5, False), (6, True)]
    assert "DynamicMapped" in findings[0].message
    assert found(source, "STK301", options={"allowed-lazy": ["selectin"]}) == [(5, 36), (6, 37)]


def test_relationship_messages_say_what_the_loader_does():
    def message(lazy):
        source = f"from sqlalchemy.orm import relationship\nclass A(Base):\n    b = relationship('B', lazy={lazy})\n"
        [finding] = lint(source, select=["STK301"])
        return finding.message, finding.fix.applicability

    assert "MissingGreenlet" in message("'select'")[0]
    assert "MissingGreenlet" in message("'dynamic'")[0]
    # lazy=False is "joined": eager, the same rows; not a MissingGreenlet.
    text, applicability = message("False")
    assert "MissingGreenlet" not in text and "eagerly" in text and applicability == "safe"
    assert "silently empty" in message("None")[0] and message("None")[1] == "unsafe"
    assert "raises on access" in message("'raise'")[0]


def test_flask_sqlalchemy_relationships_and_backrefs_are_checked():
    """An app being moved off Flask-SQLAlchemy: `db` comes from the app's extensions
    module, and its relationships and backrefs load lazily just the same."""
    source = (
        "from flask_sqlalchemy import SQLAlchemy\n"
        "from sqlalchemy.orm import backref\n"
        "\n"
        "from stk.extensions import db\n"
        "\n"
        "legacy = SQLAlchemy()\n"
        "\n"
        "\n"
        "class Order(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        '    customer_id = db.Column(db.Integer, db.ForeignKey("customer.id"))\n'
        '    customer = db.relationship("Customer", lazy="selectin",\n'
        '                               backref=db.backref("orders", lazy="dynamic"))\n'
        '    lines = db.relationship("OrderLine", lazy="selectin",\n'
        '                            backref=backref("order", lazy=True))\n'
        '    notes = db.relationship("Note")\n'
        '    tags = legacy.relationship("Tag", lazy="selectin")\n'
        '    events = db.dynamic_loader("Event")\n'
    )
    findings = lint(source, "stk/orders/models.py", select=["STK301"])
    assert [(f.line, f.column) for f in findings] == [(13, 61), (15, 54), (16, 13), (18, 14)]
    assert '`backref()` with `lazy="dynamic"`' in findings[0].message
    assert "MissingGreenlet" in findings[1].message and "lazy=True" in findings[1].message
    assert findings[2].fix is not None
    assert findings[3].message.startswith('`dynamic_loader()` is `relationship(lazy="dynamic")`')
    fixed = lint(source.replace('"Note")', '"Note", lazy="selectin")'), select=["STK301"])
    assert len(fixed) == 3


@pytest.mark.parametrize(
    ("lazy", "says", "never_says"),
    [
        ("joined", ["LEFT OUTER JOIN", ".unique()", "works under AsyncSession"], []),
        ("False", ["LEFT OUTER JOIN", "works under AsyncSession"], ["allowed-lazy"]),
        ("subquery", ["second query", "subquery", "works under AsyncSession"], ["JOIN", "join"]),
        ("immediate", ["one SELECT per parent", "works under AsyncSession"], ["JOIN", "join"]),
    ],
)
def test_each_eager_loader_is_described_as_it_loads(lazy, says, never_says):
    shown = lazy if lazy == "False" else f'"{lazy}"'
    source = (
        "from sqlalchemy.orm import relationship\n"
        "class Thing(Base):\n"
        f'    tags = relationship("Tag", secondary="thing_tags", lazy={shown})\n'
    )
    [finding] = lint(source, select=["STK301"])
    assert "MissingGreenlet" not in finding.message
    for text in says:
        assert text in finding.message
    for text in never_says:
        assert text not in finding.message
    if lazy != "False":
        assert f'list "{lazy}" in `allowed-lazy`' in finding.message
        assert lint(source, select=["STK301"], options={"allowed-lazy": ["selectin", lazy]}) == []


def test_session_query_inside_run_sync_is_legal_but_not_elsewhere():
    # `run_sync` hands its function a synchronous Session, where `.query()` exists; the
    # same name used with the AsyncSession in an async def is still reported.
    source = (
        "from quart import g\n"
        "def legacy_report(session, year):\n"
        "    return session.query(Thing).filter_by(year=year).count()\n"
        "async def report(session):\n"
        "    a = await g.db_session.run_sync(legacy_report, 2024)\n"
        "    b = await g.db_session.run_sync(lambda s: s.query(Thing).count())\n"
        "    c = session.query(Thing).count()\n"
        "    return a, b, c\n"
        "def other(session):\n"
        "    return session.query(Thing).all()\n"
    )
    assert [line for line, _ in found(source, "STK303")] == [7, 10]


def test_a_scoped_session_is_named_as_a_session_not_a_model():
    """`Session = scoped_session(...)` in a database module being ported: `Session.query`
    is that session's legacy Query API, not a model's `.query`."""
    source = (
        "from sqlalchemy.orm import scoped_session, sessionmaker\n"
        "\n"
        "from stk.things.models import Thing\n"
        "\n"
        "Session = scoped_session(sessionmaker(bind=engine))\n"
        "SessionFactory: sessionmaker = sessionmaker(bind=engine)\n"
        "\n"
        "\n"
        "async def list_things():\n"
        "    things = Session.query(Thing).filter_by(active=True).all()\n"
        "    archived = Thing.query.filter_by(active=False).all()\n"
        "    return things + archived + SessionFactory.query(Thing).all()\n"
    )
    messages = [(f.line, f.message) for f in lint(source, select=["STK303"])]
    assert messages == [
        (
            10,
            "`Session` is a `scoped_session(...)`, not a model: `Session.query` is the legacy "
            "Query API of a synchronous Session (AsyncSession has none); use "
            "`await g.db_session.execute(select(...))`",
        ),
        (
            11,
            "`Thing.query` does not exist on stk models; use "
            "`await g.db_session.execute(select(Thing)...)`",
        ),
        (
            12,
            "`SessionFactory` is a `sessionmaker(...)`, not a model: `SessionFactory.query` is "
            "the legacy Query API of a synchronous Session (AsyncSession has none); use "
            "`await g.db_session.execute(select(...))`",
        ),
    ]


def test_sync_views_registered_with_add_url_rule():
    # The shapes stk code registers views with besides decorators: a function, a
    # MethodView through a name, a View inline. Async ones, a plain helper method of
    # the view class and a function registered on something that is not an app are fine.
    source = (
        "from quart import Blueprint\n"
        "from quart.views import MethodView, View\n"
        "bp = Blueprint('orders', __name__)\n"
        "def health():\n"
        "    return 'ok'\n"
        "async def ready():\n"
        "    return 'ok'\n"
        "class OrderAPI(MethodView):\n"
        "    def get(self, order_id):\n"
        "        return {}\n"
        "    async def post(self):\n"
        "        return {}, 201\n"
        "    def serialise(self, order):\n"
        "        return {}\n"
        "class Report(View):\n"
        "    def dispatch_request(self):\n"
        "        return ''\n"
        "def not_a_view():\n"
        "    return ''\n"
        "order_view = OrderAPI.as_view('order_api')\n"
        "bp.add_url_rule('/health', view_func=health)\n"
        "bp.add_url_rule('/ready', 'ready', ready)\n"
        "bp.add_url_rule('/orders/<int:order_id>', view_func=order_view)\n"
        "bp.add_url_rule('/orders/', view_func=order_view, methods=['POST'])\n"
        "bp.add_url_rule('/report', 'report', Report.as_view('report'))\n"
        "router.add_url_rule('/x', view_func=not_a_view)\n"
    )
    findings = lint(source, select=["STK201"])
    assert [(f.line, f.message.split("`")[1]) for f in findings] == [
        (4, "health"),
        (9, "get"),
        (16, "dispatch_request"),
    ]
    assert "`bp.add_url_rule` (`OrderAPI.as_view`)" in findings[1].message
    assert all(f.fix is not None and f.fix.applicability == "unsafe" for f in findings)


def test_flask_import_tables_match_the_installed_quart_and_quart_security():
    # The fix rewrites only to names the target module really has, and calls the rewrite
    # unsafe exactly when a name becomes awaitable: checked against the installed
    # libraries (stk-lint itself never imports them).
    import inspect

    quart = pytest.importorskip("quart")
    quart_security = pytest.importorskip("quart_security")
    from stk_lint.rules.flask_import import BECOME_ASYNC, QUART, QUART_SECURITY, RENAMED

    assert sorted(n for n in QUART if not hasattr(quart, n)) == []
    assert sorted(n for n in QUART_SECURITY if not hasattr(quart_security, n)) == []
    # The context proxies (`request`, `g`, `current_app`, ...) cannot be inspected here.
    proxies = {"request", "websocket", "g", "session", "current_app"}
    functions = {n: getattr(quart, n) for n in QUART if n not in proxies}
    awaitable = {
        n
        for n, value in functions.items()
        if inspect.iscoroutinefunction(value) or inspect.isasyncgenfunction(value)
    }
    # Decorators that return a coroutine (or async generator) function.
    wrapping = {
        n
        for n, value in functions.items()
        if inspect.isfunction(value) and "async def" in inspect.getsource(value)
    }
    plain_functions = {n for n, v in functions.items() if inspect.isfunction(v)}
    assert awaitable | wrapping <= BECOME_ASYNC
    assert (BECOME_ASYNC & plain_functions) <= awaitable | wrapping
    assert hasattr(quart, RENAMED["Flask"])
    # The replacements the messages name exist too.
    for name in ("auth_required", "roles_required", "current_user", "RoleMixin"):
        assert hasattr(quart_security, name)


def test_get_flashed_messages_is_a_safe_rewrite():
    # A plain function in Quart: only `flash` itself became a coroutine.
    [finding] = lint("from flask import get_flashed_messages, jsonify\n", select=["STK101"])
    assert finding.fix is not None and finding.fix.applicability == "safe"


def test_flask_stream_with_context_import_is_an_unsafe_rewrite():
    # Quart's stream_with_context iterates the wrapped generator with `async for`: a
    # Flask-style sync generator breaks, so the rewrite needs review.
    [finding] = lint("from flask import Response, stream_with_context\n", select=["STK101"])
    assert finding.fix.applicability == "unsafe"
    assert "stream_with_context" in finding.fix.message


def test_sync_generator_handlers_get_a_fix_only_when_async_def_compiles():
    # A Flask streaming view written as a generator: `yield from` (or `return value`)
    # is a syntax error in an async generator, so `async def` alone would not compile.
    source = (
        "from quart import Blueprint\n"
        "bp = Blueprint('export', __name__)\n"
        "@bp.get('/export.csv')\n"
        "def export():\n"
        "    yield 'id,name\\n'\n"
        "    yield from rows()\n"
        "@bp.get('/events')\n"
        "def events():\n"
        "    def inner():\n"
        "        yield from rows()\n"
        "        return 1\n"
        "    yield 'start'\n"
        "    return\n"
    )
    findings = lint(source, select=["STK201"])
    assert [(f.line, f.fix is not None) for f in findings] == [(4, False), (8, True)]
    fixed = source
    for edit in sorted(findings[1].fix.edits, key=lambda e: e.start, reverse=True):
        fixed = fixed[: edit.start] + edit.content + fixed[edit.end :]
    assert "async def events():" in fixed
    compile(fixed, "views.py", "exec")
