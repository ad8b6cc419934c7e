"""Every rule's own examples are tests: `bad` and `invalid` fire, `good` and `valid` do not."""

import pytest

from stk_lint.registry import ALL_RULES
from stk_lint.rule import ANY, JS, PYTHON, TEMPLATE, Invalid, Rule, TemplateRule
from stk_lint.testing import codes, fixed, lint


def _cases(kind):
    for rule in ALL_RULES:
        if kind == "bad":
            yield pytest.param(rule, rule.bad, id=f"{rule.code}-bad")
        elif kind == "good":
            yield pytest.param(rule, rule.good, id=f"{rule.code}-good")
        elif kind == "invalid":
            for i, case in enumerate(rule.invalid_cases()):
                yield pytest.param(rule, case.code, id=f"{rule.code}-{kind}{i}")
        else:
            for i, example in enumerate(getattr(rule, kind)):
                yield pytest.param(rule, example, id=f"{rule.code}-{kind}{i}")


def _expected_fixes():
    for rule in ALL_RULES:
        for i, case in enumerate(rule.invalid_cases()):
            if case.expected_fix is not None:
                yield pytest.param(rule, case, id=f"{rule.code}-invalid{i}")


def _selection(rule):
    """The rule alone; an opt-in rule (unused-suppression) with every rule beside it,
    as users run it: what it judges depends on which other rules ran."""
    if rule.default_enabled:
        return [rule.code]
    return [r.code for r in ALL_RULES if r.default_enabled or r is rule]


def _own(rule, findings):
    return [f.code for f in findings if f.code == rule.code or rule.default_enabled]


@pytest.mark.parametrize(("rule", "source"), list(_cases("bad")) + list(_cases("invalid")))
def test_bad_examples_fire(rule, source):
    assert rule.code in codes(lint(source, rule.example_path, select=_selection(rule)))


@pytest.mark.parametrize(("rule", "source"), list(_cases("good")) + list(_cases("valid")))
def test_good_examples_are_clean(rule, source):
    assert _own(rule, lint(source, rule.example_path, select=_selection(rule))) == []


@pytest.mark.parametrize(("rule", "case"), list(_expected_fixes()))
def test_invalid_cases_fix_to_the_expected_text(rule, case):
    """`--fix --unsafe-fixes` with the rule alone turns the case into `expected_fix`."""
    result = fixed(case.code, rule.example_path, select=_selection(rule), unsafe=True)
    assert result == case.expected_fix
    assert rule.fix is not None


def test_some_cases_carry_their_expected_fix():
    """Each kind of fix (Python, template, JS in a template, the suppression fixer) is
    pinned by at least one case."""
    languages = {rule.language for rule, _ in (param.values for param in _expected_fixes())}
    assert {PYTHON, TEMPLATE, ANY} <= languages


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_declares_the_languages_it_checks(rule):
    """The checkers give a rule the files of the languages it declares and call the
    method of each: declaration and methods must agree."""
    assert rule.languages and rule.language == rule.languages[0]
    assert set(rule.languages) <= {PYTHON, TEMPLATE, JS, ANY}
    assert (TEMPLATE in rule.languages) == hasattr(rule, "check_template")
    assert (JS in rule.languages) == hasattr(rule, "check_js")
    if PYTHON in rule.languages:
        from stk_lint.python_rule import PythonRule

        assert issubclass(rule, PythonRule)
    if ANY in rule.languages:
        assert rule.languages == (ANY,)


def test_examples_are_dedented_when_the_class_is_made():
    class Example(TemplateRule):
        code = "STK999"
        bad = """\
            <p>
              {{ x }}
            </p>
            """
        good = "<p>${ x }</p>\n"
        valid = (
            """\
            a
             b
            """,
            "a\n   \n    b\n",  # not indented on its first line: taken as written
        )
        invalid = (
            "{{ x }}\n",
            Invalid(
                """\
                {{ x }}
                  y
                """,
                expected_fix="""\
                    ${ x }
                    """,
            ),
        )
        example_files = {
            "t.html": """\
            {% block a %}
            {% endblock %}
            """
        }

    assert Example.bad == "<p>\n  {{ x }}\n</p>\n"
    assert Example.good == "<p>${ x }</p>\n"
    assert Example.valid == ("a\n b\n", "a\n   \n    b\n")
    assert Example.invalid == ("{{ x }}\n", Invalid("{{ x }}\n  y\n", expected_fix="${ x }\n"))
    assert Example.invalid_cases() == (Invalid("{{ x }}\n"), Example.invalid[1])
    assert Example.example_files == {"t.html": "{% block a %}\n{% endblock %}\n"}
    assert Example.language == TEMPLATE and Example.languages == (TEMPLATE,)
    assert issubclass(Example, Rule) and Example not in ALL_RULES


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_good_example_passes_every_rule(rule):
    """The 'use instead' code is what the skill teaches: no rule may object to it."""
    assert lint(rule.good, rule.example_path) == []


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_metadata(rule):
    assert rule.code.startswith("STK") and rule.code[3:].isdigit() and len(rule.code) == 6
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary and rule.why and rule.bad and rule.good
    assert rule.fix in (None, "safe", "unsafe")


def test_codes_and_names_unique():
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)
