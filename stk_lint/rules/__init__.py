"""Every rule stk-lint has. Add a new rule's class here; the registry sorts by code."""

from stk_lint.rules.celery import Celery
from stk_lint.rules.engine import SyntaxErrorRule, UnreadableFile, UnusedSuppression
from stk_lint.rules.flask_import import FlaskImport
from stk_lint.rules.flask_sqlalchemy import FlaskSqlalchemyModel, FlaskSqlalchemySession
from stk_lint.rules.relationship import NonSelectinRelationship
from stk_lint.rules.sync_handler import SyncHandler

RULES = (
    SyntaxErrorRule,
    UnreadableFile,
    FlaskImport,
    Celery,
    SyncHandler,
    NonSelectinRelationship,
    FlaskSqlalchemyModel,
    FlaskSqlalchemySession,
    UnusedSuppression,
)
