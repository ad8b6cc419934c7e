"""Every rule's own examples are tests: `bad` and `invalid` fire, `good` and `valid` do not."""

import pytest

from stk_lint.registry import ALL_RULES
from stk_lint.testing import codes, lint


def _cases(kind):
    for rule in ALL_RULES:
        if kind == "bad":
            yield pytest.param(rule, rule.bad, id=f"{rule.code}-bad")
        elif kind == "good":
            yield pytest.param(rule, rule.good, id=f"{rule.code}-good")
        else:
            for i, example in enumerate(getattr(rule, kind)):
                yield pytest.param(rule, example, id=f"{rule.code}-{kind}{i}")


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
