"""The Python checker: one libcst parse and one traversal per Python file, shared by
every rule. It implements the rule API of ``stk_lint.python_rule``.

libcst's own ``visit`` rebuilds every node it passes through and its position
metadata regenerates the whole file's code; together they cost several times the
parse. This module walks the tree itself, skipping whitespace and punctuation
nodes, and resolves positions only for files that have something to report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

from stk_lint.findings import Edit, Finding, Fix, NodeFix
from stk_lint.positions import Positions
from stk_lint.python_rule import PythonContext, PythonRule, module_name
from stk_lint.tree import child_nodes, fields_of

# Statements a suppression comment can cover (a compound statement: its header).
_COMPOUND = (
    cst.FunctionDef,
    cst.ClassDef,
    cst.If,
    cst.For,
    cst.While,
    cst.With,
    cst.Try,
    cst.TryStar,
    cst.Match,
)


class _Dispatch:
    """visit_/leave_ methods of a set of visitors, grouped by node type name."""

    _method_names: dict[type, tuple[str, ...]] = {}

    def __init__(self, visitors: Iterable[cst.BatchableCSTVisitor]) -> None:
        self.visit: dict[str, list[Callable[[Any], Any]]] = {}
        self.leave: dict[str, list[Callable[[Any], Any]]] = {}
        for visitor in visitors:
            for name in self._names(type(visitor)):
                kind, _, node_name = name.partition("_")
                table = self.visit if kind == "visit" else self.leave
                table.setdefault(node_name, []).append(getattr(visitor, name))

    @classmethod
    def _names(cls, visitor_type: type) -> tuple[str, ...]:
        # libcst's get_visitors() inspects hundreds of stubs per instance; do it once per class.
        names = cls._method_names.get(visitor_type)
        if names is None:
            names = tuple(
                name
                for name in dir(visitor_type)
                if name.startswith(("visit_", "leave_"))
                and "_" not in name.split("_", 1)[1]  # visit_Call, not visit_Call_func
                and not getattr(getattr(visitor_type, name), "_is_no_op", False)
            )
            cls._method_names[visitor_type] = names
        return names


def walk(module: cst.Module, visitors: Iterable[cst.BatchableCSTVisitor]) -> None:
    """Depth-first traversal calling each visitor's visit_X/leave_X in list order."""
    dispatch = _Dispatch(visitors)
    visit, leave = dispatch.visit, dispatch.leave
    # Per node type: (visit methods, child field names, leave methods).
    plans: dict[type, tuple[Any, tuple[str, ...], Any]] = {}

    def plan_for(node_type: type) -> tuple[Any, tuple[str, ...], Any]:
        name = node_type.__name__
        plan = (visit.get(name, ()), fields_of(node_type), leave.get(name, ()))
        plans[node_type] = plan
        return plan

    # An explicit stack, not recursion: long implicit string concatenations and deep
    # expressions (generated code, data files) nest thousands of levels, past
    # Python's recursion limit. A `_LEAVE` entry calls the leave_ methods of the node.
    stack: list[Any] = [module]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        if node.__class__ is _Leave:
            for method in node.methods:
                method(node.node)
            continue
        node_type = type(node)
        visits, fields, leaves = plans.get(node_type) or plan_for(node_type)
        for method in visits:
            method(node)
        if leaves:
            push(_Leave(node, leaves))
        if not fields:
            continue  # a leaf: `Name`, `Integer`, `SimpleString`...
        children = child_nodes(node, fields)
        if children:
            children.reverse()
            stack.extend(children)


class _Leave:
    """A node whose children have all been walked: time for its leave_ methods."""

    __slots__ = ("methods", "node")

    def __init__(self, node: cst.CSTNode, methods: Any) -> None:
        self.node = node
        self.methods = methods


class _Tracker(cst.BatchableCSTVisitor):
    """Keeps PythonContext's shared state; runs before the rules on every node."""

    def __init__(self, context: PythonContext) -> None:
        super().__init__()
        self.context = context

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = module_name(alias.name)
            if alias.asname is not None:
                self.context.imports[module_name(alias.asname.name)] = full
            else:
                head = full.split(".", 1)[0]
                self.context.imports[head] = head

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        base = "." * len(node.relative) + module_name(node.module)
        for alias in node.names:
            name = module_name(alias.name)
            local = module_name(alias.asname.name) if alias.asname is not None else name
            joiner = "" if base.endswith(".") else "."
            self.context.imports[local] = f"{base}{joiner}{name}"

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.context.functions.append(node)
        self.context.statements.append(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.context.functions.pop()
        self.context.statements.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.context.classes.append(node)
        self.context.statements.append(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.context.classes.pop()
        self.context.statements.pop()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.context.statements.append(node)

    def leave_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.context.statements.pop()

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        # Inside a body the enclosing compound statement's header no longer applies.
        self.context.statements.append(node)

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.context.statements.pop()


for _compound in _COMPOUND[2:]:
    # If/For/While/...: track as statements for suppression spans.
    _name = _compound.__name__
    setattr(_Tracker, f"visit_{_name}", lambda self, node: self.context.statements.append(node))
    setattr(_Tracker, f"leave_{_name}", lambda self, node: self.context.statements.pop())


def check_module(
    context: PythonContext, rule_types: Iterable[type[PythonRule]]
) -> list[tuple[Finding, tuple[int, int]]]:
    """Run the rules over a parsed module; findings with the line span a suppression may cover."""
    rules = [rule_type(context) for rule_type in rule_types]
    walk(context.module, [_Tracker(context), *rules])
    try:
        return _findings(context)
    finally:
        # Each report holds its rule, which holds the context: a cycle that would keep
        # the whole tree alive until the next garbage collection (see runner._tune_gc).
        context.reports.clear()


def _findings(context: PythonContext) -> list[tuple[Finding, tuple[int, int]]]:
    if not context.reports:
        return []
    positions = Positions(context.module, context.source)
    to_fix = _FixResolver(context, positions)
    results = []

    def line_of(node: cst.CSTNode) -> int:
        return positions[node].start.line

    for report in context.reports:
        where = positions[report.node]
        message = report.message if isinstance(report.message, str) else report.message(line_of)
        finding = Finding(
            path=context.path,
            line=where.start.line,
            column=where.start.column + 1,
            code=report.rule.code,
            message=message,
            name=report.rule.name,
            end_line=where.end.line,
            end_column=where.end.column + 1,
            fix=to_fix(report.fix),
        )
        results.append((finding, _statement_span(report.statement, where.start.line, positions)))
    return results


class _FixResolver:
    """Turns NodeFix replacements into text edits on the original source."""

    def __init__(self, context: PythonContext, positions: Positions) -> None:
        self.context = context
        self.positions = positions

    def __call__(self, fix: Fix | NodeFix | None) -> Fix | None:
        if not isinstance(fix, NodeFix):
            return fix
        edits = []
        for old, new in fix.replacements:
            edit = self._edit(old, new)
            if edit is None:
                return None  # cannot place it exactly: offer no fix rather than a wrong one
            edits.append(edit)
        return Fix(fix.message, fix.applicability, tuple(sorted(edits, key=lambda e: e.start)))

    def _offset(self, line: int, column: int) -> int:
        return self.positions.line_starts[line - 1] + column

    def _edit(self, old: cst.CSTNode, new: cst.CSTNode) -> Edit | None:
        span = self.positions.inclusive(old)
        if span is None:
            return None
        source = self.context.source
        start = self._offset(span.start.line, span.start.column)
        # A file that ends without a line break: libcst's code for its last statement
        # still ends with one, and the statement's span ends on the line after the last.
        # The edit stops at the end of the file and both versions lose that line break.
        missing_newline = (
            span.end.line > len(self.positions.line_starts)
            and not self.context.module.has_trailing_newline
        )
        end = len(source) if missing_newline else self._offset(span.end.line, span.end.column)
        # Blocks own the indentation of their statements: generate both versions with the
        # indentation of the line the node starts on, so nested lines come out right.
        line_start = self._offset(span.start.line, 0)
        indent = source[line_start:start] if not source[line_start:start].strip() else ""
        if not indent:
            # The span may start with blank leading lines: the first written line's
            # indentation is the block's.
            line_text = next(
                (text for text in source[line_start:end].splitlines() if text.strip()), ""
            )
            indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
        old_code = self._code(old, indent, missing_newline)
        new_code = self._code(new, indent, missing_newline)
        if old_code is None or new_code is None:
            return None
        current = source[start:end]
        if current != old_code:
            if current.endswith(old_code):
                start = end - len(old_code)
            elif current.endswith(old_code.lstrip(" \t")):
                old_code = old_code.lstrip(" \t")
                start = end - len(old_code)
                return Edit(start, end, new_code.lstrip(" \t"))
            else:
                return None
        return Edit(start, end, new_code)

    def _code(self, node: cst.CSTNode, indent: str, missing_newline: bool = False) -> str | None:
        """The node's code as it would stand at `indent`; with `missing_newline`, less the
        final line break the file does not have (None if the code does not end with one)."""
        module = self.context.module
        state = CodegenState(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        if indent:
            state.indent_tokens.append(indent)
        node._codegen(state)
        code = "".join(state.tokens)
        if missing_newline:
            newline = module.default_newline
            return code[: -len(newline)] if code.endswith(newline) else None
        return code


def _statement_span(statement: cst.CSTNode | None, line: int, positions: Any) -> tuple[int, int]:
    if statement is None or isinstance(statement, cst.IndentedBlock):
        return line, line
    where = positions[statement]
    start, end = where.start.line, where.end.line
    body = getattr(statement, "body", None)
    if isinstance(statement, _COMPOUND) and isinstance(body, cst.IndentedBlock) and body.body:
        end = max(start, positions[body.body[0]].start.line - 1)
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and statement.decorators:
        start = min(start, positions[statement.decorators[0]].start.line)
    return start, end
