"""The single list of rules. The CLI, the docs in references/ and the tests read it."""

from __future__ import annotations

from functools import cache

from stk_lint.rule import Option, Rule
from stk_lint.rules.builtin import SyntaxErrorRule, UnreadableFile, UnusedSuppression
from stk_lint.rules.celery import Celery
from stk_lint.rules.flask_import import FlaskImport
from stk_lint.rules.flask_sqlalchemy import FlaskSqlalchemyModel, FlaskSqlalchemySession
from stk_lint.rules.icons import MdiIcon, UnknownTablerIcon
from stk_lint.rules.missing_await import MissingAwait
from stk_lint.rules.relationship import NonSelectinRelationship
from stk_lint.rules.request_state_in_background import RequestStateInBackground
from stk_lint.rules.sync_handler import SyncHandler
from stk_lint.rules.template_not_found import TemplateNotFound
from stk_lint.rules.templates import (
    JinjaInVue,
    TemplateSyntaxError,
    VueAppDelimiters,
    VueCompositionApi,
)
from stk_lint.rules.undefined_block import UndefinedBlock
from stk_lint.rules.unknown_endpoint import UnknownEndpoint

# Every rule stk-lint has. Add a new rule's class here; the registry sorts by code.
RULES = (
    SyntaxErrorRule,
    UnreadableFile,
    FlaskImport,
    Celery,
    SyncHandler,
    MissingAwait,
    RequestStateInBackground,
    NonSelectinRelationship,
    FlaskSqlalchemyModel,
    FlaskSqlalchemySession,
    TemplateSyntaxError,
    JinjaInVue,
    VueAppDelimiters,
    VueCompositionApi,
    MdiIcon,
    UnknownTablerIcon,
    TemplateNotFound,
    UnknownEndpoint,
    UndefinedBlock,
    UnusedSuppression,
)

ALL_RULES: tuple[type[Rule], ...] = tuple(sorted(RULES, key=lambda rule: rule.code))
BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

if len(BY_CODE) != len(ALL_RULES):
    raise RuntimeError("two rules share a code")


def get_rule(code_or_name: str) -> type[Rule] | None:
    """A rule by code (`STK202`, case-insensitive) or by name (`missing-await`)."""
    wanted = code_or_name.strip()
    rule = BY_CODE.get(wanted.upper())
    if rule is not None:
        return rule
    return next((r for r in ALL_RULES if r.name == wanted.lower()), None)


@cache
def options_by_key() -> dict[str, Option]:
    """Every rule option, by its `[tool.stk-lint]` key."""
    options: dict[str, Option] = {}
    for rule in ALL_RULES:
        for key, option in rule.options.items():
            if key in options and options[key] is not option:
                raise RuntimeError(f"option `{key}` declared by two rules")
            options[key] = option
    return options


def rules_using_option(key: str) -> list[str]:
    return [rule.code for rule in ALL_RULES if key in rule.options]
