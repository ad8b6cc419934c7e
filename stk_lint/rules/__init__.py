"""Every rule stk-lint has. Add a new rule's class here; the registry sorts by code."""

from stk_lint.rules.celery import Celery
from stk_lint.rules.engine import SyntaxErrorRule, UnreadableFile, UnusedSuppression
from stk_lint.rules.flask_import import FlaskImport
from stk_lint.rules.flask_sqlalchemy import FlaskSqlalchemyModel, FlaskSqlalchemySession
from stk_lint.rules.icons import MdiIcon, UnknownTablerIcon
from stk_lint.rules.missing_await import MissingAwait
from stk_lint.rules.relationship import NonSelectinRelationship
from stk_lint.rules.sync_handler import SyncHandler
from stk_lint.rules.templates import (
    JinjaInVue,
    TemplateSyntaxError,
    VueAppDelimiters,
    VueCompositionApi,
)

RULES = (
    SyntaxErrorRule,
    UnreadableFile,
    FlaskImport,
    Celery,
    SyncHandler,
    MissingAwait,
    NonSelectinRelationship,
    FlaskSqlalchemyModel,
    FlaskSqlalchemySession,
    TemplateSyntaxError,
    JinjaInVue,
    VueAppDelimiters,
    VueCompositionApi,
    MdiIcon,
    UnknownTablerIcon,
    UnusedSuppression,
)
