"""Example text shared by the rules' documentation and cases: a page of the stk
layout, and a small app that the rules reading across files are checked in.

Not a rule module: rules import it (a rule never imports another rule).
"""

import textwrap

# A page template: what comes before a rule's example markup, and the Vue app after it.
PAGE_HEAD = """\
{% extends "layout.html" %}
{% block content %}
"""

PAGE_SCRIPT = """\
{% endblock %}
{% block js %}
<script>
const {createApp} = Vue;
const {createVuetify} = Vuetify;
window.app = createApp({
  mixins: [layoutMixin],
  delimiters: config.delimiters,
  data() {
    return { items: [], selected: null };
  },
});
registerStkComponents(app);
app.use(createVuetify(config.vuetifyConfig)).mount('#app');
</script>
{% endblock %}
"""


# The example project the cross-file rules' cases are checked in (beside the checked
# file; `Rule.example_files`).
EXAMPLE_APP = {
    "stk/__init__.py": "",
    "stk/app.py": """\
from quart import Quart
from quart_security import Security

from stk.things.views import bp as things_bp


def create_app():
    app = Quart(__name__)
    Security(app, None)
    app.register_blueprint(things_bp)
    return app
""",
    "stk/things/__init__.py": "",
    "stk/things/views.py": """\
from quart import Blueprint

bp = Blueprint("things", __name__, template_folder="templates")
""",
    "stk/templates/layout.html": """\
<html><head>{% block css %}{% endblock %}</head>
<body>{% block content %}{% endblock %}{% block js %}{% endblock %}</body></html>
""",
    "stk/templates/macros.html": """\
{% macro card(title) %}<v-card>{{ title }}</v-card>{% endmacro %}
""",
    "stk/templates/things/index.html": '{% extends "layout.html" %}\n',
    "stk/things/templates/things/form.html": '{% extends "layout.html" %}\n',
}


def page(markup: str) -> str:
    """A page of the stk layout with `markup` (dedented: write it as an indented
    triple-quoted string) in its content block, and the page's Vue app after it."""
    return PAGE_HEAD + textwrap.dedent(markup) + PAGE_SCRIPT
