"""The layers of stk_lint, pinned over its import graph (scripts/module_graph.py).

Dependencies point one way: types -> rule API -> rules -> checkers -> pipeline ->
CLI/hook/server. Every import counts, type-only ones (under TYPE_CHECKING) and those
inside functions included: a cycle through either is still a cycle in the design.
The tests state the rule, not today's list of modules, so a new module is judged
by what it imports.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("module_graph", ROOT / "scripts" / "module_graph.py")
assert _spec is not None and _spec.loader is not None
module_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(module_graph)

ALL_KINDS = {module_graph.MODULE, module_graph.FUNCTION, module_graph.TYPE}

REGISTRY = "stk_lint.registry"
# The rule API: what a rule subclasses and is given. Rules import these and helper
# modules below them, nothing else of stk_lint.
RULE_API = ("stk_lint.languages", "stk_lint.rule", "stk_lint.python_rule")
# The modules that run rules over a file. A rule never imports them (nor anything that
# imports them: the pipeline, the CLI, the hook, the server).
CHECKERS = ("stk_lint.python_checker", "stk_lint.templates.checker")


def _graph() -> dict[str, set[str]]:
    return module_graph.restrict(module_graph.graph(ROOT), ALL_KINDS)


def _rule_modules(edges: dict[str, set[str]]) -> set[str]:
    """The modules that hold rules: those under stk_lint.rules the registry imports
    (helpers beside them, such as `rules._examples`, are not rule modules)."""
    return {t for t in edges[REGISTRY] if t.startswith("stk_lint.rules.")}


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(edges.get(module, ()))
    return seen


def _above_the_rules(edges: dict[str, set[str]]) -> set[str]:
    """The registry, the rule modules, the checkers, and every module that imports one
    of them (directly or not): what a rule and the rule API must not import."""
    tops = {REGISTRY, *_rule_modules(edges), *CHECKERS}
    return tops | {module for module in edges if _reachable(edges, module) & tops}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    return module_graph.cycles(edges)


def _rule_import_problems(edges: dict[str, set[str]]) -> list[str]:
    rule_modules = _rule_modules(edges)
    above = _above_the_rules(edges)
    problems = []
    for module in sorted(rule_modules):
        for target in sorted(edges[module]):
            if target in rule_modules:
                problems.append(f"{module} imports another rule module, {target}")
            elif target in above:
                problems.append(f"{module} imports {target}, which is above the rule API")
    return problems


def _api_problems(edges: dict[str, set[str]]) -> list[str]:
    above = _above_the_rules(edges)
    return [
        f"{module} reaches {sorted(_reachable(edges, module) & above)}"
        for module in RULE_API
        if module in above or _reachable(edges, module) & above
    ]


def test_the_named_modules_exist():
    """The few names the layer tests anchor on; a rename must update them here."""
    edges = _graph()
    for module in (REGISTRY, *RULE_API, *CHECKERS):
        assert module in edges, module
    assert _rule_modules(edges), "the registry imports no rule module"


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_no_cycle_at_import_time():
    """Module-level imports alone: Python itself would fail on a cycle of them sooner or later."""
    edges = module_graph.restrict(module_graph.graph(ROOT), {module_graph.MODULE})
    assert _cycles(edges) == []


def test_rules_import_only_the_rule_api_and_helpers():
    assert _rule_import_problems(_graph()) == []


def test_the_rule_api_depends_on_nothing_above_it():
    assert _api_problems(_graph()) == []


def test_the_rule_api_names_no_checker():
    """python_rule is implemented by python_checker, never the other way round."""
    edges = _graph()
    for module in RULE_API:
        assert not set(edges[module]) & set(CHECKERS), module


def test_the_layer_checks_catch_what_they_forbid():
    """The checks above judge a graph; here one with the faults they exist for."""
    edges = {
        REGISTRY: {"stk_lint.rules.a", "stk_lint.rules.b"},
        "stk_lint.rules.a": {"stk_lint.rules.b", "stk_lint.rule"},
        "stk_lint.rules.b": {"stk_lint.rules._helper", "stk_lint.runner"},
        "stk_lint.rules._helper": {"stk_lint.rule"},
        "stk_lint.runner": {REGISTRY},
        "stk_lint.rule": {"stk_lint.languages"},
        "stk_lint.languages": set(),
        "stk_lint.python_rule": {"stk_lint.python_checker"},
        "stk_lint.python_checker": {"stk_lint.python_rule"},
        "stk_lint.templates.checker": set(),
    }
    assert _rule_import_problems(edges) == [
        "stk_lint.rules.a imports another rule module, stk_lint.rules.b",
        "stk_lint.rules.b imports stk_lint.runner, which is above the rule API",
    ]
    assert [p.split(" ")[0] for p in _api_problems(edges)] == ["stk_lint.python_rule"]
    assert _cycles(edges) == [
        ["stk_lint.python_checker", "stk_lint.python_rule"],
        ["stk_lint.registry", "stk_lint.rules.a", "stk_lint.rules.b", "stk_lint.runner"],
    ]


def test_imports_inside_functions_and_type_checking_count(tmp_path):
    package = tmp_path / "stk_lint"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from stk_lint.b import B\n"
        "def f():\n"
        "    from stk_lint.sub import c\n"
    )
    (package / "b.py").write_text("import stk_lint.a\nfrom . import sub\n")
    (package / "sub" / "c.py").write_text("from ..a import f\n")
    edges = module_graph.graph(tmp_path)
    assert edges["stk_lint.a"] == {
        "stk_lint.b": {module_graph.TYPE},
        "stk_lint.sub.c": {module_graph.FUNCTION},
    }
    assert edges["stk_lint.b"] == {"stk_lint.a": {module_graph.MODULE}, "stk_lint.sub": {"module"}}
    assert edges["stk_lint.sub.c"] == {"stk_lint.a": {module_graph.MODULE}}


def test_the_rule_api_and_the_template_checker_load_without_libcst():
    """libcst costs about 0.1 s to import; the rule API (and the template rules and their
    checker, which build on it) must not need it. Python rules import it themselves."""
    code = (
        "import sys\n"
        "import stk_lint.rule, stk_lint.templates.checker, stk_lint.rules.templates\n"
        "import stk_lint.rules.undefined_block, stk_lint.rules.builtin\n"
        "print('libcst' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"
