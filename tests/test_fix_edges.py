"""Every fix builder at the edges of a file: no final line break, CRLF or CR-only line
breaks, a file that is one statement. The findings and fixes must not depend on them:
the same findings, each still offering its fix, and the fixed text is the fixed text of
the plain version with the same line breaks and final-line state."""

import pytest

from stk_lint.files import language_of
from stk_lint.fixing import fix_source
from stk_lint.pipeline import REPARSERS
from stk_lint.registry import ALL_RULES
from stk_lint.testing import lint

FIXABLE = [rule for rule in ALL_RULES if rule.fix]
# Every rule that runs by default, and the opt-in one judging suppressions: as users run them.
SELECTION = [rule.code for rule in ALL_RULES if rule.default_enabled or rule.code == "STK900"]

# Files that are a single statement (or element), each with one fixable finding; and
# languages the rules' own examples do not cover.
MORE_SEEDS = {
    "STK101": [("from flask import Blueprint, render_template\n", "stk/things/views.py")],
    "STK201": [
        (
            "@bp.app_errorhandler(404)\ndef not_found(error):\n"
            '    return {"error": "not found"}, 404\n',
            "stk/errors.py",
        )
    ],
    "STK202": [("async def save(db_session):\n    db_session.commit()\n", "stk/things/views.py")],
    "STK301": [('tags = db.relationship("Tag", secondary="thing_tags")\n', "stk/things/models.py")],
    "STK401": [
        (
            '<v-list-item v-for="thing in things">{{ thing.name }}</v-list-item>\n',
            "stk/templates/things/index.html",
        )
    ],
    "STK501": [
        ('<v-icon color="primary">mdi-pencil</v-icon>\n', "stk/templates/things/index.html"),
        ('EDIT_ICON = "mdi-pencil"\n', "stk/things/views.py"),
        ('export const editIcon = "mdi-pencil";\n', "stk/static/js/icons.js"),
        (
            "// Icons of the things pages.\nexport const icons = {\n"
            '  edit: "mdi-pencil",\n  remove: "ti ti-trash",\n};\n',
            "stk/static/js/icons.js",
        ),
        (
            "export const CartBadge = {\n  template: `\n"
            '    <v-chip prepend-icon="mdi-cart">\n      <v-icon end>mdi-chevron-right</v-icon>\n'
            "    </v-chip>`,\n};\n",
            "stk/static/js/cart.js",
        ),
    ],
    "STK900": [
        ("PAGE_SIZE = 20  # noqa: STK202\n", "stk/things/views.py"),
        (
            "const app = Vue.createApp({\n  delimiters: config.delimiters,\n"
            "  data() { return { icon: 'ti ti-pencil' }; },  // noqa: STK501\n});\n",
            "stk/static/js/things.js",
        ),
        (
            "{% extends 'base.html' %}\n{% block content %}\n"
            "{# noqa: STK401 #}\n<v-icon>ti ti-pencil</v-icon>\n{% endblock %}\n",
            "stk/templates/things/index.html",
        ),
    ],
}


def _seeds():
    for rule in FIXABLE:
        examples = [
            (source, rule.example_path)
            for source in (rule.bad, *(case.code for case in rule.invalid_cases()))
        ]
        for number, (source, path) in enumerate(examples + MORE_SEEDS.get(rule.code, [])):
            if _fixable(_own(rule.code, source, path)):
                yield pytest.param(rule.code, source, path, id=f"{rule.code}-{number}")


def _own(code, source, path):
    return [f for f in lint(source, path, select=SELECTION) if f.code == code]


def _fixable(findings):
    return [(f.line, f.column) for f in findings if f.fix is not None]


def _fixed(code, source, path):
    reparse = REPARSERS.get(language_of(path) or "")
    outcome = fix_source(source, lambda text: _own(code, text, path), reparse, unsafe=True)
    assert outcome.error == ""
    return outcome.source


VARIANTS = {
    "no final line break": lambda text: text.rstrip("\n"),
    "CRLF": lambda text: text.replace("\n", "\r\n"),
    "CRLF, no final line break": lambda text: text.rstrip("\n").replace("\n", "\r\n"),
    "CR": lambda text: text.replace("\n", "\r"),
    "CR, no final line break": lambda text: text.rstrip("\n").replace("\n", "\r"),
}


def test_every_fixable_rule_has_seeds():
    seeded = {param.values[0] for param in _seeds()}
    assert seeded == {rule.code for rule in FIXABLE}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("code", "source", "path"), list(_seeds()))
def test_fixes_do_not_depend_on_line_breaks_or_the_final_one(code, source, path, variant):
    change = VARIANTS[variant]
    changed = change(source)
    original = _own(code, source, path)
    findings = _own(code, changed, path)
    assert [(f.line, f.column, f.message) for f in findings] == [
        (f.line, f.column, f.message) for f in original
    ]
    assert _fixable(findings) == _fixable(original)  # no fix lost at the end of the file
    assert _fixed(code, changed, path) == change(_fixed(code, source, path))


def test_an_error_handler_last_in_a_file_without_a_final_line_break():
    """The field-trial crash: STK201's fix for a plain `def` that ends the file."""
    source = (
        "from quart import Blueprint, render_template\n"
        "\n"
        'errors = Blueprint("errors", __name__)\n'
        "\n"
        "\n"
        "@errors.app_errorhandler(404)\n"
        "def not_found(error):\n"
        '    return await render_template("errors/404.html"), 404'
    )
    [finding] = lint(source, "stk/errors.py", select=["STK201"])
    assert finding.fix is not None
    assert _fixed("STK201", source, "stk/errors.py") == source.replace(
        "def not_found", "async def not_found"
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_suppression_covers_its_line_whatever_the_line_breaks(variant):
    """A CR-only file was one line for the comment reader: a `# noqa` below the first
    line silenced nothing, and STK900 pointed at line 1."""
    source = (
        "from quart import Blueprint\n"
        "\n"
        'bp = Blueprint("things", __name__)\n'
        "\n"
        "\n"
        '@bp.get("/health")  # noqa: STK201  (a health check without I/O)\n'
        "def health():\n"
        '    return "ok"\n'
        "PAGE_SIZE = 20  # noqa: STK202\n"
    )
    changed = VARIANTS[variant](source)
    findings = lint(changed, "stk/things/views.py", select=SELECTION)
    assert [(f.line, f.column, f.code) for f in findings] == [(9, 17, "STK900")]
