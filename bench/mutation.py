"""What share of a project's dropped `await`s would STK202 notice?

    python bench/mutation.py PATH [PATH ...]          # 300 sampled sites per PATH
    python bench/mutation.py PATH --sample 0          # every site
    python bench/mutation.py PATH --seed 7 --missed   # list the sites it missed

Each PATH (a project, a package, an installed library's folder) is indexed the way
`stk-lint check PATH` indexes it. Then, one site at a time, the `await` in front of a
call is deleted from the file's text, and STK202 is run on the mutated file in this
process (the other files' summaries do not change: deleting an `await` changes no
`def`/`class`/import line). A site counts as noticed when the mutated file has an STK202
finding the unmutated file has not. Sites are sampled with a fixed seed: the same
command gives the same sites and the same table.

Only awaits of calls are mutated (`await f()`, `await obj.method()`): deleting one
leaves a coroutine (or a future) unawaited. `await task`, `await fut`, `await
request.json` are left alone: whether their operand is a coroutine is not a property of
the call site.

Each site is classified twice, from the unmutated source:
- its *position*: `return await f()` (return), `x = await f()` (bound: the coroutine is
  bound to a name, then used), a bare statement, or a value elsewhere (an argument, an
  operand, a condition);
- its *shape*: how the callee is reached. `self.m()` (self method), `self.x.m()` (self
  attribute), a name imported from another module that is neither a module, a class
  nor a function (imported module object), a local bound by `x = call(...)` or `a().m()`
  (call result), a name bound by `async with X as y` (async-with target), a parameter or
  attribute called as a function (Callable-typed), a parameter's method (parameter), a
  function or class method reached by name (by name), anything else (other).
The headline recall leaves out return positions (a `return f()` is often a hand-off).
"""

from __future__ import annotations

import argparse
import ast
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from stk_lint.config import DEFAULT_EXCLUDE  # noqa: E402
from stk_lint.pipeline import check_source  # noqa: E402
from stk_lint.project import ProjectIndex  # noqa: E402
from stk_lint.registry import BY_CODE, options_by_key  # noqa: E402

SHAPES = (
    "self method",
    "self attribute",
    "imported module object",
    "call result",
    "async-with target",
    "Callable-typed",
    "parameter",
    "by name",
    "other",
)
POSITIONS = ("statement", "bound", "value", "return")


@dataclass
class Site:
    path: Path
    display: str
    line: int  # 1-based
    start: int  # character offset of `await` in the source
    end: int  # offset of the awaited expression
    shape: str
    position: str
    text: str  # the line, stripped


def python_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    excluded = set(DEFAULT_EXCLUDE)
    found = []
    for path in sorted(root.rglob("*.py")):
        if any(part in excluded for part in path.relative_to(root).parts):
            continue
        found.append(path)
    return found


class _Scopes(ast.NodeVisitor):
    """Each call-await with its position and shape (see the module docstring)."""

    def __init__(self, source: str, index: ProjectIndex, module: str) -> None:
        self.lines = source.splitlines(keepends=True)
        self.offsets = [0]
        for line in self.lines:
            self.offsets.append(self.offsets[-1] + len(line))
        self.index = index
        self.module = module
        self.imports: dict[str, str] = {}
        self.parents: dict[int, ast.AST] = {}
        self.found: list[tuple[int, int, int, str, str]] = []
        # per function: name -> how it was bound ("param", "call", "with", "other")
        self.bindings: list[dict[str, str]] = []
        self.classes: list[ast.ClassDef] = []

    def offset(self, line: int, col_bytes: int) -> int:
        text = self.lines[line - 1]
        return self.offsets[line - 1] + len(text.encode("utf-8")[:col_bytes].decode("utf-8"))

    def generic_visit(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self.parents[id(child)] = node
        super().generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.imports[alias.asname] = alias.name
            else:
                self.imports[alias.name.split(".")[0]] = alias.name.split(".")[0]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = "." * node.level + (node.module or "")
        for alias in node.names:
            joiner = "" if base.endswith(".") else "."
            self.imports[alias.asname or alias.name] = f"{base}{joiner}{alias.name}"

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node)
        self.generic_visit(node)
        self.classes.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        bound: dict[str, str] = {}
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                bound[arg.arg] = "param"
        for child in ast.walk(node):
            if isinstance(child, ast.Assign | ast.AnnAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                value = child.value
                if isinstance(value, ast.Await):
                    value = value.value
                kind = "call" if isinstance(value, ast.Call) else "other"
                for target in targets:
                    if isinstance(target, ast.Name):
                        bound.setdefault(target.id, kind)
            elif isinstance(child, ast.AsyncWith | ast.With):
                for item in child.items:
                    if isinstance(item.optional_vars, ast.Name):
                        kind = "with" if isinstance(child, ast.AsyncWith) else "other"
                        bound.setdefault(item.optional_vars.id, kind)
        self.bindings.append(bound)
        self.generic_visit(node)
        self.bindings.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Await(self, node: ast.Await) -> None:
        self.generic_visit(node)
        if not isinstance(node.value, ast.Call):
            return
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.value.lineno, node.value.col_offset)
        self.found.append((node.lineno, start, end, self._shape(node.value), self._position(node)))

    def _position(self, node: ast.Await) -> str:
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Return):
            return "return"
        if isinstance(parent, ast.Expr):
            return "statement"
        if isinstance(parent, ast.Assign | ast.AnnAssign) and parent.value is node:
            return "bound"
        return "value"

    def _binding(self, name: str) -> str | None:
        for bound in reversed(self.bindings):
            if name in bound:
                return bound[name]
        return None

    def _shape(self, call: ast.Call) -> str:
        func = call.func
        chain = []
        while isinstance(func, ast.Attribute):
            chain.append(func.attr)
            func = func.value
        if isinstance(func, ast.Call):
            return "call result"  # `a().m()`, `a.b().m()`
        if not isinstance(func, ast.Name):
            return "other"
        head = func.id
        if head in ("self", "cls"):
            if len(chain) == 1:
                method = chain[0]
                own = self.classes[-1] if self.classes else None
                if own is not None and not any(
                    isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == method
                    for item in own.body
                ):
                    # `self.x()`: a method of a base, or an attribute holding a callable
                    annotated = any(
                        isinstance(item, ast.AnnAssign)
                        and isinstance(item.target, ast.Name)
                        and item.target.id == method
                        for item in own.body
                    )
                    if annotated:
                        return "Callable-typed"
                return "self method"
            return "self attribute"
        binding = self._binding(head)
        if binding == "param":
            return "Callable-typed" if not chain else "parameter"
        if binding == "with":
            return "async-with target"
        if binding == "call":
            return "call result"
        if binding == "other":
            return "other"
        imported = self.imports.get(head)
        if imported is not None:
            from stk_lint.summaries import absolute_import

            absolute = absolute_import(imported, self.module, False) or imported
            target = self.index.resolve(absolute)
            if target is None or (target.kind == "function" and chain):
                return "imported module object" if chain else "by name"
            return "by name"
        return "by name"


def sites_of(path: Path, display: str, source: str, index: ProjectIndex, module: str) -> list[Site]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    scopes = _Scopes(source, index, module)
    scopes.visit(tree)
    lines = source.splitlines()
    return [
        Site(path, display, line, start, end, shape, position, lines[line - 1].strip())
        for line, start, end, shape, position in scopes.found
    ]


def mutate(source: str, site: Site) -> str | None:
    mutated = source[: site.start] + source[site.end :]
    try:
        ast.parse(mutated)
    except SyntaxError:
        return None
    return mutated


def findings_of(source: str, display: str, options: dict, project: ProjectIndex) -> Counter:
    found = check_source(source, display, (BY_CODE["STK202"],), options, project)
    return Counter((f.line, f.message) for f in found)


def measure(root: Path, sample: int, seed: int) -> tuple[list[tuple[Site, bool]], float]:
    root = root.resolve()
    files = python_files(root)
    base = root if root.is_dir() else root.parent
    project = ProjectIndex()
    sources: dict[Path, str] = {}
    for path in files:
        try:
            source = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        sources[path] = source
        project.add(path, source, path.relative_to(base).as_posix())
    options = {key: option.default for key, option in options_by_key().items()}
    sites: list[Site] = []
    for path, source in sources.items():
        display = path.relative_to(base).as_posix()
        entry = project.module_of(display)
        assert entry is not None  # added just above
        module = entry.summary["module"]
        sites.extend(sites_of(path, display, source, project, module))
    if sample and len(sites) > sample:
        sites = random.Random(seed).sample(sites, sample)
        sites.sort(key=lambda s: (s.display, s.start))
    baseline: dict[Path, Counter] = {}
    results = []
    began = time.perf_counter()
    for site in sites:
        source = sources[site.path]
        if site.path not in baseline:
            baseline[site.path] = findings_of(source, site.display, options, project)
        mutated = mutate(source, site)
        if mutated is None:
            continue
        after = findings_of(mutated, site.display, options, project)
        results.append((site, bool(after - baseline[site.path])))
    return results, time.perf_counter() - began


def table(results: list[tuple[Site, bool]], key: str, order: tuple[str, ...]) -> list[str]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for site, noticed in results:
        counts[getattr(site, key)][0] += noticed
        counts[getattr(site, key)][1] += 1
    rows = [f"| {key} | noticed | sites | recall |", "|---|---:|---:|---:|"]
    for name in order:
        if name in counts:
            hit, total = counts[name]
            rows.append(f"| {name} | {hit} | {total} | {100 * hit / total:.0f}% |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--sample", type=int, default=300, help="sites per PATH (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--missed", action="store_true", help="list the sites not noticed")
    args = parser.parse_args(argv)
    everything: list[tuple[Site, bool]] = []
    for path in args.paths:
        results, elapsed = measure(path, args.sample, args.seed)
        everything.extend(results)
        outside = [(s, n) for s, n in results if s.position != "return"]
        hit = sum(n for _, n in outside)
        share = f"{100 * hit / len(outside):.0f}%" if outside else "-"
        print(
            f"{path}: {hit}/{len(outside)} noticed outside return positions ({share}); "
            f"returns {sum(n for s, n in results if s.position == 'return')}/"
            f"{sum(1 for s, _ in results if s.position == 'return')}; "
            f"{len(results)} mutants in {elapsed:.1f}s"
        )
        if args.missed:
            for site, noticed in results:
                if not noticed:
                    print(
                        f"  missed {site.display}:{site.line} [{site.shape}, {site.position}] "
                        f"{site.text}"
                    )
    if len(args.paths) > 1 or True:
        outside = [(s, n) for s, n in everything if s.position != "return"]
        print()
        print("Outside return positions:")
        print("\n".join(table(outside, "shape", SHAPES)))
        print()
        print("\n".join(table(everything, "position", POSITIONS)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
