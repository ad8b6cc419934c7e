"""The rule API for Python rules: the base class, the context rules read, and the
helpers they share over libcst's nodes.

``stk_lint.python_checker`` implements it (one parse and one walk per file); a rule
imports this module and ``stk_lint.rule``, never the checker. Kept apart from
``stk_lint.rule`` so that the rule API's documentation and template rules load
without libcst.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import libcst as cst

from stk_lint.findings import Fix, NodeFix
from stk_lint.rule import PYTHON, Rule


def dotted_name(node: cst.CSTNode | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    # `type(...) is`, not isinstance: libcst's nodes are ABCs, whose isinstance runs Python
    # code, and this runs for most calls and attributes of every file.
    parts: list[str] = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is cst.Name:
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def module_name(node: cst.CSTNode | None) -> str:
    return dotted_name(node) or ""


def string_value(node: cst.CSTNode | None) -> str | None:
    """The text of a constant string literal (implicit concatenation included; no
    f-string, no bytes), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


# A message that names the line of another node than the one reported: called with
# `line_of(node)` once positions are known (only files with findings compute them).
LateMessage = Callable[[Callable[[cst.CSTNode], int]], str]


@dataclasses.dataclass
class _Report:
    rule: PythonRule
    node: cst.CSTNode
    message: str | LateMessage
    fix: Fix | NodeFix | None
    statement: cst.CSTNode | None


class PythonContext:
    """What rules see of the file being checked, and the state the engine keeps for them.

    ``imports`` maps a local name to the qualified name it was imported as
    (``{"json": "orjson", "auth_required": "quart_security.auth_required"}``);
    ``functions`` and ``classes`` are the enclosing definitions, innermost last.
    During a rule's own ``visit_FunctionDef`` the function is already on the stack.
    """

    def __init__(
        self,
        path: str,
        source: str,
        module: cst.Module,
        options: dict[str, Any],
        project: Any = None,
    ) -> None:
        self.path = path
        self.source = source
        self.module = module
        self.options = options
        self.project = project
        self.imports: dict[str, str] = {}
        self.functions: list[cst.FunctionDef] = []
        self.classes: list[cst.ClassDef] = []
        self.statements: list[cst.CSTNode] = []
        self.reports: list[_Report] = []

    @property
    def in_async_function(self) -> bool:
        return bool(self.functions) and self.functions[-1].asynchronous is not None

    def qualified(self, node: cst.CSTNode | None) -> str | None:
        """The dotted name of an expression with its first part resolved through imports."""
        name = dotted_name(node)
        return None if name is None else self.qualify(name)

    def qualify(self, name: str) -> str:
        """`orm.relationship` -> `sqlalchemy.orm.relationship`: the first part of a dotted
        name resolved through the module's imports."""
        head, dot, rest = name.partition(".")
        if head in self.imports:
            return self.imports[head] + dot + rest
        return name

    @property
    def statement(self) -> cst.CSTNode | None:
        """The innermost statement being visited (what a suppression comment covers)."""
        return self.statements[-1] if self.statements else None

    def report(
        self,
        rule: PythonRule,
        node: cst.CSTNode,
        message: str | LateMessage,
        fix: Fix | NodeFix | None = None,
        statement: cst.CSTNode | None = None,
    ) -> None:
        """Record a finding. Rules that decide late (in leave_Module) pass the statement
        they saved while visiting, so suppression comments still cover it."""
        statement = statement or self.statement
        self.reports.append(_Report(rule, node, message, fix, statement))


class PythonRule(Rule, cst.BatchableCSTVisitor):
    """A libcst visitor run together with every other enabled rule in one pass.

    Define ``visit_<Node>``/``leave_<Node>`` methods as with libcst. Shared state
    kept by the checker (imports, enclosing functions, classes) is on ``self.context``.
    """

    languages: ClassVar[tuple[str, ...]] = (PYTHON,)

    def __init__(self, context: PythonContext) -> None:
        super().__init__()
        self.context = context

    def report(
        self,
        node: cst.CSTNode,
        message: str | LateMessage,
        fix: Fix | NodeFix | None = None,
        statement: cst.CSTNode | None = None,
    ) -> None:
        self.context.report(self, node, message, fix, statement)
