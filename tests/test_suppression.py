from stk_lint.registry import ALL_RULES
from stk_lint.suppression import ALL, parse_directive
from stk_lint.testing import apply_fixes, codes, lint


def test_directive_forms():
    assert parse_directive("# noqa") is ALL
    assert parse_directive("# noqa: STK202") == {"STK202"}
    assert parse_directive("# NOQA:STK202,STK201") == {"STK201", "STK202"}
    assert parse_directive("# stk-lint: ignore[STK501, STK401]") == {"STK401", "STK501"}
    assert parse_directive("# stk-lint: ignore") is ALL
    assert parse_directive("# type: ignore  # noqa: E501") == {"E501"}
    assert parse_directive("# noqa: B018  # stk-lint: ignore[STK303]") == {"B018", "STK303"}
    assert parse_directive("# noqa: B018  # noqa") is ALL
    assert parse_directive("# this mentions noqa-style comments") is None
    assert parse_directive("# see the stk-lint docs") is None


HANDLER = "from quart import Blueprint\n\nbp = Blueprint('x', __name__)\n\n"


def test_trailing_noqa_silences_only_its_codes():
    assert codes(lint("import flask  # noqa: STK101\n")) == []
    assert codes(lint("import flask  # noqa: E501\n")) == ["STK101"]
    assert codes(lint("import flask  # noqa\n")) == []
    assert codes(lint("import flask, celery  # noqa: STK102\n")) == ["STK101"]


def test_comment_on_the_line_above_the_statement():
    source = HANDLER + "# stk-lint: ignore[STK201]\n@bp.get('/')\ndef index():\n    return ''\n"
    assert codes(lint(source)) == []
    # ...but not a trailing comment of the previous statement.
    source = HANDLER + "x = 1  # noqa: STK201\n@bp.get('/')\ndef index():\n    return ''\n"
    assert codes(lint(source)) == ["STK201"]


def test_decorated_function_is_covered_by_its_header():
    source = HANDLER + "@bp.get('/')  # noqa: STK201\ndef index():\n    import flask\n"
    assert codes(lint(source)) == ["STK101"]  # the body is not covered


def test_multi_line_statement_is_covered_as_a_whole():
    source = (
        "from sqlalchemy.orm import relationship\n"
        "class A(Base):\n"
        "    b = relationship(\n"
        "        'B',\n"
        "        backref='as',\n"
        "    )  # noqa: STK301\n"
    )
    assert codes(lint(source)) == []
    trailing_removed = source.replace(")  # noqa: STK301\n", ")\n")
    assert codes(lint(trailing_removed)) == ["STK301", "STK301"]
    above = trailing_removed.replace(
        "    b = relationship(", "    # noqa: STK301\n    b = relationship("
    )
    assert codes(lint(above)) == []


def test_noqa_inside_a_string_is_not_a_directive():
    assert codes(lint("import flask\nx = '# noqa'\n")) == ["STK101"]
    assert codes(lint('import flask; x = "# noqa"\n')) == ["STK101"]


def test_unused_suppressions_in_templates_and_js():
    template = (
        "{% extends 'layout.html' %}\n"
        "{% block content %}\n"
        "{# stk-lint: ignore[STK501] #}\n"
        "<v-icon>ti ti-pencil</v-icon>\n"
        "<v-icon>mdi-close</v-icon> {# stk-lint: ignore[STK501] #}\n"
        "{% endblock %}\n"
    )
    findings = lint(template, "app/templates/x.html", select=["STK501", "STK900"])
    assert [(f.line, f.code) for f in findings] == [(3, "STK900")]
    fixed = apply_fixes(template, findings)
    assert "{# stk-lint: ignore[STK501] #}\n<v-icon>ti" not in fixed
    assert lint(fixed, "app/templates/x.html", select=["STK501", "STK900"]) == []
    script = "const items = [\n  // stk-lint: ignore[STK501]\n  { icon: 'ti ti-home' },\n];\n"
    findings = lint(script, "static/js/navigation.js", select=["STK501", "STK900"])
    assert [(f.line, f.column, f.code) for f in findings] == [(2, 3, "STK900")]


def test_removing_an_unused_jinja_suppression_keeps_the_markup_and_the_closing_mark():
    # The comment is the whole `{# ... #}`: removing it leaves no stray `#}` and keeps
    # the markup sharing its line.
    template = (
        "{# stk-lint: ignore[STK401] #}<b>{{ title }}</b>\n"
        "<p>{{ subtitle }}</p> {# stk-lint: ignore[STK501] #}\n"
        "{# stk-lint: ignore[STK401, STK501] #}\n"
        "<p>{{ footer }}</p>\n"
    )
    findings = lint(template, "app/templates/x.html", select=["STK401", "STK501", "STK900"])
    assert [(f.line, f.code) for f in findings] == [(1, "STK900"), (2, "STK900"), (3, "STK900")]
    assert "`{# stk-lint: ignore[STK401] #}`" in findings[0].message
    assert apply_fixes(template, findings) == (
        "<b>{{ title }}</b>\n<p>{{ subtitle }}</p>\n<p>{{ footer }}</p>\n"
    )


def test_block_comments_suppress_in_javascript():
    script = (
        "const close = 'mdi-close'; /* stk-lint: ignore[STK501] */\n"
        "/* stk-lint: ignore[STK501] */\n"
        "const home = 'mdi-home';\n"
        "const plus = 'mdi-plus';\n"
    )
    assert _mdi_lines(script, "static/js/icons.js") == [4]
    page = "<script>\n" + script + "</script>\n"
    assert _mdi_lines(page, "app/templates/x.html") == [5]


def _mdi_lines(source: str, path: str) -> list[int]:
    """The lines STK501 reports in a file, with nothing else selected."""
    findings = lint(source, path, select=["STK501"])
    assert {f.code for f in findings} <= {"STK501"}
    return [f.line for f in findings]


def test_a_comment_over_several_lines_covers_the_line_after_it():
    script = (
        "/* stk-lint: ignore[STK501]\n"
        "   Vuetify's own aliases, kept as they are. */\n"
        "const close = 'mdi-close';\n"
        "const home = 'mdi-home';\n"
    )
    assert _mdi_lines(script, "static/js/icons.js") == [4]
    template = (
        "{# stk-lint: ignore[STK501]\n"
        "   the admin page keeps the old icon set #}\n"
        '<v-icon icon="mdi-close"></v-icon>\n'
        '<v-icon icon="mdi-home"></v-icon>\n'
    )
    assert _mdi_lines(template, "app/templates/x.html") == [4]
    # Unused, it is reported where it starts and removed whole.
    unused = "/* stk-lint: ignore[STK501]\n   kept for later */\nconst a = 1;\n"
    findings = lint(unused, "static/js/icons.js", select=["STK501", "STK900"])
    assert [(f.line, f.code) for f in findings] == [(1, "STK900")]
    assert apply_fixes(unused, findings) == "const a = 1;\n"


def test_removing_an_unused_block_comment_keeps_the_code_after_it():
    script = "/* stk-lint: ignore[STK501] */ const home = 'ti ti-home';\n"
    findings = lint(script, "static/js/icons.js", select=["STK501", "STK900"])
    assert [(f.line, f.column, f.code) for f in findings] == [(1, 1, "STK900")]
    assert apply_fixes(script, findings) == "const home = 'ti ti-home';\n"


def test_an_unused_template_comment_is_shown_and_removed_whole():
    template = "<p>{# stk-lint: ignore[STK501] #}</p>\n<p>{# noqa -#}</p>\n"
    every_rule = [rule.code for rule in ALL_RULES]
    findings = lint(template, "app/templates/x.html", select=every_rule)
    assert [f.message for f in findings] == [
        "`STK501` in `{# stk-lint: ignore[STK501] #}` suppresses nothing; remove it",
        "`{# noqa -#}` suppresses nothing; remove it",
    ]
    assert [(f.column, f.end_column) for f in findings] == [(4, 34), (4, 15)]
    assert apply_fixes(template, findings) == "<p></p>\n<p></p>\n"


def test_jinja_comments_with_whitespace_control_suppress():
    template = (
        "<v-icon>mdi-home</v-icon> {#- stk-lint: ignore[STK501] #}\n"
        "<v-icon>mdi-pencil</v-icon> {#+ noqa: STK501 +#}\n"
        "<v-icon>mdi-close</v-icon>\n"
    )
    assert [(f.line, f.code) for f in lint(template, "app/templates/x.html")] == [(3, "STK501")]
