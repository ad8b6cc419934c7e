"""Generate a synthetic stk code base for the benchmark and the tests. Deterministic.

    python bench/make_corpus.py OUT_DIR [--scale N]

Scale 1 is a small app of 12 entities (about 60 files); scale N has 12*N entities.
Each entity gets what the stk skill teaches: a blueprint (`views.py`) with async
handlers, `g.db_session`, `Activity.register` and manual pagination; a model with
`lazy="selectin"` relationships; background tasks through `stk.tasks`; a Jinja
template with a Vue 3 Options API app; an Alembic migration; plain helpers. One
entity in six carries the Flask habits stk-lint exists to catch, and the app has
a file with a syntax error, so the corpus has findings of every Python rule.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

NOUNS = [
    "thing",
    "invoice",
    "customer",
    "order",
    "product",
    "shipment",
    "ticket",
    "project",
    "report",
    "supplier",
    "contract",
    "asset",
    "device",
    "campaign",
    "payment",
    "refund",
    "booking",
    "course",
    "lesson",
    "vehicle",
]
FIELDS = [
    "name",
    "title",
    "code",
    "status",
    "notes",
    "label",
    "reference",
    "email",
    "phone",
    "city",
    "country",
    "description",
    "kind",
    "category",
    "owner",
    "priority",
]


def _camel(word: str) -> str:
    return "".join(part.capitalize() for part in word.split("_"))


def _entities(scale: int) -> list[str]:
    names = []
    for index in range(12 * scale):
        noun = NOUNS[index % len(NOUNS)]
        round_ = index // len(NOUNS)
        names.append(noun if round_ == 0 else f"{noun}_{round_}")
    return names


def model_py(entity: str, rng: random.Random, sloppy: bool) -> str:
    cls = _camel(entity)
    fields = rng.sample(FIELDS, 5)
    columns = "\n".join(
        f"    {f} = Column(String({rng.choice([64, 128, 255])}), nullable={rng.choice(['True', 'False'])})"
        for f in fields
    )
    to_dict = ", ".join(f'"{f}": self.{f}' for f in fields)
    from_dict = "\n".join(f'        self.{f} = data.get("{f}", self.{f})' for f in fields)
    base = "db.Model" if sloppy else "Base"
    lazy = '"User", backref="' + entity + 's"' if sloppy else '"User", lazy="selectin"'
    extra_import = "from app.extensions import db\n" if sloppy else ""
    return f'''import dataclasses
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from stk.extensions import Base
{extra_import}

@dataclasses.dataclass
class {cls}({base}):
    __tablename__ = "{entity}s"

    id = Column(Integer, primary_key=True)
{columns}
    active = Column(Boolean, default=True)
    created_at = Column(DateTime, default=datetime.now, nullable=False)
    user_id = Column(Integer, ForeignKey("user.id"))
    user = relationship({lazy})

    def to_dict(self):
        return {{"id": self.id, {to_dict}, "active": self.active}}

    async def from_dict(self, data):
{from_dict}
        self.active = data.get("active", self.active)
        return self
'''


def views_py(entity: str, rng: random.Random, sloppy: bool) -> str:
    cls = _camel(entity)
    per_page = rng.choice([10, 25, 50])
    handler = "def" if sloppy else "async def"
    framework = "flask" if sloppy else "quart"
    listing = (
        f"    result = {cls}.query.filter_by(active=True).paginate(page=page, per_page=per_page)\n"
        "    items = [t.to_dict() for t in result.items]\n"
        "    total = result.total\n"
        if sloppy
        else "    count_result = await g.db_session.execute(\n"
        f"        select(func.count()).select_from({cls})\n"
        "    )\n"
        "    total = count_result.scalar()\n"
        "    result = await g.db_session.execute(\n"
        "        query.offset((page - 1) * per_page).limit(per_page)\n"
        "    )\n"
        "    items = [t.to_dict() for t in result.scalars().all()]\n"
    )
    return f'''import logging

import orjson as json
from {framework} import Blueprint, Response, g, render_template, request
from quart_security import auth_required, current_user, roles_required
from sqlalchemy import func, select

from stk.user.models import Activity

from .models import {cls}
from .tasks import notify_{entity}_change

log = logging.getLogger(__name__)
bp = Blueprint("{entity}s", __name__)
PER_PAGE = {per_page}


@bp.before_request
@auth_required("session")
@roles_required("admin")
async def before_request():
    pass


@bp.get("/{entity}s/")
async def {entity}s_page():
    return await render_template("{entity}s/index.html")


@bp.get("/api/{entity}s")
{handler} list_{entity}s():
    page = request.args.get("page", 1, type=int)
    per_page = request.args.get("per_page", PER_PAGE, type=int)
    query = select({cls})
    if search := request.args.get("search"):
        query = query.where({cls}.name.ilike(f"%{{search}}%"))
{listing}    response_data = {{"items": items, "total": total, "perPage": per_page}}
    return Response(json.dumps(response_data), content_type="application/json")


@bp.post("/api/{entity}/")
async def create_{entity}():
    json_data = await request.json
    {entity}_data = json_data.get("item", {{}})
    {entity} = {cls}()
    await {entity}.from_dict({entity}_data)
    g.db_session.add({entity})
    try:
        await g.db_session.flush()
        await Activity.register(current_user.id, "{cls} Create", {entity}.to_dict())
        await g.db_session.commit()
        await notify_{entity}_change({entity}.id)
        return {{"message": "{cls} successfully created!"}}
    except Exception:
        await g.db_session.rollback()
        log.exception("Error creating {entity}")
        return {{"message": "Error creating {entity}"}}, 412


@bp.post("/api/{entity}/<int:id>")
async def update_{entity}(id):
    {entity} = await g.db_session.get({cls}, id)
    if {entity} is None:
        return {{"message": "{cls} not found"}}, 404
    json_data = await request.json
    {entity}_data = json_data.get("item", {{}})
    old_data = {entity}.to_dict()
    try:
        await {entity}.from_dict({entity}_data)
        await Activity.register(
            current_user.id,
            "{cls} Update",
            {{"old": old_data, "new": {entity}.to_dict()}},
        )
        await g.db_session.commit()
        return {{"message": "{cls} successfully updated!"}}
    except Exception:
        await g.db_session.rollback()
        log.exception("Error updating {entity}")
        return {{"message": "Error updating {entity}"}}, 412


@bp.route("/api/{entity}/<int:id>", methods=["DELETE"])
async def delete_{entity}(id):
    {entity} = await g.db_session.get({cls}, id)
    if {entity} is None:
        return {{"message": "{cls} not found"}}, 404
    {entity}_data = {entity}.to_dict()
    try:
        await g.db_session.delete({entity})
        await Activity.register(current_user.id, "{cls} Delete", {entity}_data)
        await g.db_session.commit()
        return {{"message": "{cls} successfully deleted!"}}
    except Exception:
        await g.db_session.rollback()
        log.exception("Error deleting {entity}")
        return {{"message": "Error deleting {entity}"}}, 412
'''


def tasks_py(entity: str, rng: random.Random, sloppy: bool) -> str:
    cls = _camel(entity)
    if sloppy:
        return f"""from celery import shared_task

from .models import {cls}


@shared_task
def reindex_{entity}(item_id):
    return item_id


async def notify_{entity}_change(item_id):
    reindex_{entity}.delay(item_id)
"""
    delay = rng.choice([1, 5, 30])
    return f'''import asyncio
import logging

from stk.tasks import run_in_background, run_with_session

from .models import {cls}

log = logging.getLogger(__name__)


async def _refresh_{entity}(session, item_id):
    item = await session.get({cls}, item_id)
    if item is not None:
        item.active = True
        await session.commit()


async def _announce(item_id):
    await asyncio.sleep({delay})
    log.info("{entity} %s changed", item_id)


async def notify_{entity}_change(item_id):
    await run_in_background(_announce(item_id))
    await run_with_session(lambda session: _refresh_{entity}(session, item_id))
'''


def helpers_py(entity: str, rng: random.Random) -> str:
    fields = rng.sample(FIELDS, 4)
    checks = "\n".join(
        f'    if not str(data.get("{f}", "")).strip():\n        errors.append("{f} is required")'
        for f in fields
    )
    return f'''"""Pure helpers for {entity}s: no framework code, nothing for the linter to look at."""

import re

SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text):
    return SLUG.sub("-", text.lower()).strip("-")


def validate(data):
    errors = []
{checks}
    return errors


def summarise(rows):
    totals = {{}}
    for row in rows:
        key = row.get("{fields[0]}") or "unknown"
        totals[key] = totals.get(key, 0) + 1
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))
'''


def migration_py(entity: str, index: int) -> str:
    return f'''"""create {entity}s

Revision ID: {index:04d}a1b2c3d4
"""

import sqlalchemy as sa
from alembic import op

revision = "{index:04d}a1b2c3d4"
down_revision = {f'"{index - 1:04d}a1b2c3d4"' if index else "None"}


def upgrade():
    op.create_table(
        "{entity}s",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), default=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id")),
    )


def downgrade():
    op.drop_table("{entity}s")
'''


def template_html(entity: str) -> str:
    cls = _camel(entity)
    return f"""{{% extends "layout.html" %}}
{{% block content %}}
<v-card class="ma-2 mt-12 w-100 h-100">
  <v-toolbar><v-toolbar-title>{cls}s</v-toolbar-title><v-spacer></v-spacer></v-toolbar>
  <v-card-text>
    <v-data-table-server :items="items" :items-length="itemsLength" :headers="headers"
      :page="options.page" :items-per-page="options.itemsPerPage" @update:options="refresh" hover>
      <template v-slot:item.actions="{{ item }}">
        <v-icon small class="mr-2" @click="editItem(item)">ti ti-pencil</v-icon>
        <v-icon small @click="deleteItem(item)">ti ti-trash</v-icon>
      </template>
    </v-data-table-server>
  </v-card-text>
</v-card>
<v-snackbar v-model="snackBar" rounded="pill" elevation="25">${{snackMessage}}</v-snackbar>
{{% endblock %}}
{{% block js %}}
<script>
const {{createApp, toRaw}} = Vue;
const {{createVuetify}} = Vuetify;
const vuetify = createVuetify(config.vuetifyConfig);
window.app = createApp({{
  mixins: [layoutMixin],
  delimiters: config.delimiters,
  data() {{
    return {{snackBar: false, snackMessage: "", items: [], itemsLength: 0,
      options: {{page: 1, itemsPerPage: 25}},
      headers: [{{title: 'ID', value: 'id'}}, {{title: 'Name', value: 'name'}}],
      edialog: false, eitem: {{id: "", name: ""}}}};
  }},
  methods: {{
    refresh(options) {{
      axios.get(`/api/{entity}s?page=${{this.options.page}}`)
        .then(res => {{ this.items = res.data.items; this.itemsLength = res.data.total; }});
    }},
    saveItem() {{
      const url = this.eitem.id ? `/api/{entity}/${{this.eitem.id}}` : '/api/{entity}/';
      axios.post(url, {{item: this.eitem}}).then(res => this.refresh());
    }},
  }},
}});
registerStkComponents(app);
app.use(vuetify).mount("#app");
</script>
{{% endblock %}}
"""


def navigation_js(entities: list[str]) -> str:
    items = "\n".join(
        f"  {{ title: '{_camel(e)}s', icon: 'ti ti-list', to: '/{e}s/', role: 'admin' }},"
        for e in entities
    )
    return f"""const navigation = [
  {{ title: 'Dashboard', icon: 'ti ti-home', to: '/dashboard' }},
  {{ heading: 'Administration' }},
{items}
];
"""


APP_PY = """from quart import Quart

from stk.extensions import init_extensions


def create_app(blueprints):
    app = Quart(__name__)
    init_extensions(app)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return app
"""

LAYOUT_HTML = """<!doctype html>
<html lang="en">
<head>
  <title>{% block title %}stk{% endblock %}</title>
  {% block css %}{% endblock %}
</head>
<body>
<div id="app"><v-app><v-main>{% block content %}{% endblock %}</v-main></v-app></div>
<script src="{{ url_for('static', filename='js/navigation.js') }}"></script>
{% block js %}{% endblock %}
</body>
</html>
"""

BROKEN_PY = """async def half_written(:
    return await render_template("index.html")
"""


def generate(out: Path, scale: int) -> int:
    """Write the corpus under `out`; return the number of files."""
    rng = random.Random(f"stk-corpus-{scale}")
    entities = _entities(scale)
    files: dict[str, str] = {"app/__init__.py": "", "app/app.py": APP_PY}
    for index, entity in enumerate(entities):
        sloppy = index % 6 == 5
        package = f"app/{entity}s"
        files[f"{package}/__init__.py"] = ""
        files[f"{package}/models.py"] = model_py(entity, rng, sloppy)
        files[f"{package}/views.py"] = views_py(entity, rng, sloppy)
        files[f"{package}/tasks.py"] = tasks_py(entity, rng, sloppy)
        files[f"{package}/helpers.py"] = helpers_py(entity, rng)
        files[f"app/templates/{entity}s/index.html"] = template_html(entity)
        files[f"migrations/versions/{index:04d}_create_{entity}s.py"] = migration_py(entity, index)
    files["app/templates/layout.html"] = LAYOUT_HTML
    files["app/static/js/navigation.js"] = navigation_js(entities)
    files["app/drafts/half_written.py"] = BROKEN_PY
    for relative, text in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args(argv)
    count = generate(args.out, args.scale)
    print(f"{count} files written under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
