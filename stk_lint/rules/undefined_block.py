from __future__ import annotations

from typing import TYPE_CHECKING

from stk_lint import app_index
from stk_lint.rule import TemplateRule
from stk_lint.rules._examples import EXAMPLE_APP

if TYPE_CHECKING:
    from stk_lint.templates.context import TemplateContext


class UndefinedBlock(TemplateRule):
    code = "STK603"
    name = "undefined-block"
    needs_project = True
    example_path = "stk/templates/things/detail.html"
    summary = (
        "A `{% block %}` in a template that `{% extends %}` a parent chain where no "
        "template defines that block."
    )
    why = (
        "A child template renders only the blocks its parent chain defines; any other "
        "block is dropped without an error. A page whose `{% block scripts %}` extends a "
        "layout with `css`/`content`/`js` blocks loses its whole script: the page renders, "
        "its Vue app never mounts, and no test that checks the status code notices. The "
        "message names the blocks the chain does define."
    )
    bad = """\
        {% extends "layout.html" %}
        {% block content %}<div id="app">...</div>{% endblock %}
        {% block scripts %}
        <script>
        Vue.createApp({ delimiters: ['${', '}'] }).mount('#app');
        </script>
        {% endblock %}
        """
    good = """\
        {% extends "layout.html" %}
        {% block content %}<div id="app">...</div>{% endblock %}
        {% block js %}
        <script>
        Vue.createApp({ delimiters: ['${', '}'] }).mount('#app');
        </script>
        {% endblock %}
        """
    limits = (
        "Checked only when the whole chain is known: a constant, unconditional "
        "`{% extends %}` in each template, every parent found for certain in the app's "
        "template folders (the app's own folder, or the only folder that holds it) and "
        "parsed. A block counts as defined when any template of the chain defines it "
        "anywhere, or calls `self.name()`; a block the chain defines only in a place it "
        "never renders is not reported. Blocks nested in another block are not checked "
        "(they render with it)."
    )
    example_files = EXAMPLE_APP
    valid = (
        # nested in a block the layout renders
        """\
            {% extends "layout.html" %}
            {% block content %}{% block toolbar %}{% endblock %}{% endblock %}
            """,
        # the parent is computed: not checked
        "{% extends layout_name %}\n{% block scripts %}{% endblock %}\n",
        # through a middle template that adds a block inside the layout's
        '{% extends "things/index.html" %}\n{% block css %}{% endblock %}\n',
    )
    invalid = (
        '{% extends "layout.html" %}\n{% block title %}Things{% endblock %}\n',
        '{% extends "things/index.html" %}\n{% block head %}{% endblock %}\n',
        # quart-security's own templates define no blocks: override them whole instead
        '{% extends "security/login_user.html" %}\n{% block content %}{% endblock %}\n',
    )

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        if "extends" not in context.text:
            return
        index = app_index.of(context.project, context.path)
        if index is None:
            return
        name = index.template_name_of(context.path)
        if name is None:
            return
        from stk_lint.templates.references import filled_blocks

        parent, blocks = filled_blocks(context)
        if parent is None or not blocks:
            return
        defined = index.chain_blocks(parent, name)
        if defined is None:
            return
        listed = ", ".join(f"`{block}`" for block in sorted(defined)) or "none"
        for block in blocks:
            if block.names[0] not in defined:
                message = (
                    f"block `{block.names[0]}` is defined nowhere in the parent chain of "
                    f"`{parent}` (its blocks: {listed}): Jinja drops it without an error"
                )
                context.report(cls, block.start, block.end, message)
