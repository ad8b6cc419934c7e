"""The Python checker's own walker must see what libcst's visitor sees, minus layout nodes."""

from pathlib import Path

import libcst as cst
import pytest

from stk_lint.findings import NodeFix
from stk_lint.python_checker import check_module, walk
from stk_lint.python_rule import PythonContext, PythonRule
from stk_lint.tree import LAYOUT_TYPES

SAMPLES = sorted((Path(__file__).parent / "fixtures" / "stk_app").rglob("*.py"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_walker_reaches_every_non_layout_node(path):
    module = cst.parse_module(path.read_text())
    expected = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node):
            if isinstance(node, LAYOUT_TYPES):
                return False
            expected.append(node)
            return True

    module.visit(Collect())
    seen = []
    methods = {
        f"visit_{type(node).__name__}": lambda self, node: seen.append(node) for node in expected
    }
    walk(module, [type("Recorder", (cst.BatchableCSTVisitor,), methods)()])
    assert [id(n) for n in seen] == [id(n) for n in expected]


class _MakeHandlersAsync(PythonRule):
    code = "STK999"
    name = "test-rule"

    def visit_FunctionDef(self, node):
        new = node.with_changes(asynchronous=cst.Asynchronous())
        self.report(node.name, "make it async", NodeFix("async", "unsafe", ((node, new),)))


def _apply(source, fix):
    for edit in reversed(fix.edits):
        source = source[: edit.start] + edit.content + source[edit.end :]
    return source


def _fixes(source):
    module = cst.parse_module(source)
    context = PythonContext("x.py", source, module, {})
    return [finding.fix for finding, _ in check_module(context, [_MakeHandlersAsync])]


def test_node_fix_becomes_an_exact_edit_in_nested_blocks():
    source = (
        "class Views:\n"
        "    # a comment that stays\n"
        "    @bp.get('/')\n"
        "    def index(self):\n"
        "        if True:\n"
        "            return '''two\n"
        "lines'''\n"
    )
    [fix] = _fixes(source)
    assert _apply(source, fix) == source.replace("    def index", "    async def index")


def test_node_fix_on_a_one_line_function_and_crlf():
    source = "@bp.get('/')\r\ndef index(): return 1\r\n"
    [fix] = _fixes(source)
    assert _apply(source, fix) == "@bp.get('/')\r\nasync def index(): return 1\r\n"


def test_a_checked_tree_is_freed_without_the_garbage_collector():
    """libcst's trees hold no cycles and the engine adds none: a long-running checker
    (`stk-lint server`) must not leave each file's tree to the collector, whose passes
    over it cost more than the check itself (regression: report -> rule -> context)."""
    import gc

    from stk_lint.pipeline import check_source
    from stk_lint.registry import ALL_RULES

    source = (
        "from quart import g\nfrom flask import Flask\n\n\nasync def show():\n"
        "    g.db_session.commit()\n    return {'icon': 'mdi-pencil'}\n"
    )
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        findings = check_source(source, "app/views.py", ALL_RULES, {})
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, cst.CSTNode)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert {f.code for f in findings} >= {"STK101", "STK202", "STK501"}
    assert left == []
