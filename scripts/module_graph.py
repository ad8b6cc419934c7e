"""The import graph of the stk_lint package, read from the source (nothing is imported).

Every `import` statement counts: at module level, inside functions (imported on first
call) and under `if TYPE_CHECKING:` (type-only). Each edge carries the kinds it was seen
as: "module" (run at import time), "function" and "type".

    python scripts/module_graph.py          # summary: modules, edges, cycles
    python scripts/module_graph.py --edges  # every edge, one a line

tests/test_layers.py uses it to pin the layering the package keeps (see CONTRIBUTING.md).
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "stk_lint"
ROOT = Path(__file__).resolve().parent.parent

MODULE, FUNCTION, TYPE = "module", "function", "type"

Graph = dict[str, dict[str, set[str]]]


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name -> file of every module of the package (a package as its __init__)."""
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(
    tree: ast.AST, kind: str = MODULE
) -> Iterator[tuple[ast.Import | ast.ImportFrom, str]]:
    """Each import statement with the kind it is (the innermost reason wins: an import
    in a function under TYPE_CHECKING is a type import)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, kind
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), TYPE)
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), kind)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _imports(node, TYPE if kind == TYPE else FUNCTION)
        else:
            yield from _imports(node, kind)


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]
) -> Iterator[str]:
    """The package's modules an import statement loads (its submodules by name included)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in known:
                yield alias.name
        return
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        parts = parts if is_package else parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([base] if base else []))
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if submodule in known:
            yield submodule
        elif base in known:
            yield base


def graph(root: Path = ROOT) -> Graph:
    """module -> {imported module -> kinds}, for the package's own modules only."""
    found = modules(root)
    known = set(found)
    edges: Graph = {name: {} for name in found}
    for name, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node, kind in _imports(tree):
            for target in _targets(node, name, is_package, known):
                if target != name:
                    edges[name].setdefault(target, set()).add(kind)
    return edges


def restrict(edges: Graph, kinds: set[str]) -> dict[str, set[str]]:
    """The graph with only edges seen as one of `kinds`."""
    return {
        name: {target for target, seen in targets.items() if seen & kinds}
        for name, targets in edges.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    for start in sorted(edges):
        if start in index:
            continue
        # Iterative DFS: (node, iterator over its targets).
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            advanced = False
            for target in targets:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges.get(target, ())))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def summary(root: Path = ROOT) -> str:
    edges = graph(root)
    lines = [f"{len(edges)} modules"]
    for label, kinds in (
        ("import time (module level)", {MODULE}),
        ("module + function-level", {MODULE, FUNCTION}),
        ("all (type-only included)", {MODULE, FUNCTION, TYPE}),
    ):
        restricted = restrict(edges, kinds)
        count = sum(len(targets) for targets in restricted.values())
        found = cycles(restricted)
        sizes = ", ".join(str(len(c)) for c in found) or "none"
        lines.append(f"{label}: {count} edges; cycles: {len(found)} (sizes: {sizes})")
        for component in found:
            lines.append("    " + " ".join(component))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="print every edge with its kinds")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to read")
    args = parser.parse_args()
    if args.edges:
        for name, targets in sorted(graph(args.root).items()):
            for target, kinds in sorted(targets.items()):
                print(f"{name} -> {target} [{', '.join(sorted(kinds))}]")
    else:
        print(summary(args.root))


if __name__ == "__main__":
    main()
