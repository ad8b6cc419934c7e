"""Whether STK202 could fire on a file, decided on CPython's tree before libcst parses it.

STK202 may fire on any file, so the text skips (`Rule.requires`) never spare a file from
libcst's parse for it, though most plain modules (helpers, constants, migrations) have
nothing it could report: CPython's parser builds a tree several times faster, and this
screen reads it to rule out every way the rule finds a coroutine
(`stk_lint.rules.missing_await`):

- `async def`, sessions (`g.db_session`, the `session-names`, `AsyncSession`, session
  factories, `run_with_session`), Quart's proxies and `awaitable_attrs` all need a text
  in the file (`async`, `ession`, `quart`...): such a file always goes to libcst;
- a function of the module that another module hands to `run_with_session`;
- a class of the module with an `async def` among its methods or its bases' methods;
- every dotted name written in the file whose head is an import (at any depth, as the
  rule's import table has them) and that names an `async def` or a name of the built-in
  coroutine tables; or a class with an `async def` method, where the file makes or
  annotates instances of it (`Thing().save()`, `thing = Thing()`, `thing: Thing`),
  the only ways the rule follows to a method of a class it has not been given by name.

The screen answers True whenever it is unsure (a star import, a syntax error). That it
loses nothing is checked by running the corpora with the skips on and off
(`stk-lint check --no-skip`, `bench/bench.py`, tests/test_missing_await_screen.py).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Any

from stk_lint.awaits.annotations import TYPE_NAME
from stk_lint.coroutines import KNOWN_COROUTINES
from stk_lint.libraries import LibraryIndex
from stk_lint.project import ProjectIndex
from stk_lint.summaries import COROUTINE_CALLABLE, ModuleEntry, absolute_import, summarise

DEFAULT_SESSION_NAMES = ("db_session",)

# Sources of coroutines that no import table shows: `async def` (and `await`), sessions
# (`AsyncSession`, `*session_factory`, `*sessionmaker`, `run_with_session`, `db_session`
# all contain "ession"), Quart's `request`/`websocket` (imported from quart), AsyncAttrs.
# `Awaitable`/`Coroutine`: a `Callable[..., Awaitable[T]]` annotation says calling the
# name makes a coroutine.
# `__aenter__` ... `athrow`: the async protocols' methods (`ASYNC_PROTOCOL_METHODS`);
# `anext`: the built-in.
_TEXTS = (
    "async",
    "await",
    "ession",
    "quart",
    "awaitable_attrs",
    "Awaitable",
    "Coroutine",
    "__aenter__",
    "__aexit__",
    "__anext__",
    "aclose",
    "asend",
    "athrow",
    "anext",
)


# Names starting a dotted name in the built-in tables, for `KNOWN_COROUTINES` look-ups
# of a class's members.
_KNOWN_PREFIXES = frozenset(
    name.rsplit(".", i)[0] for name in KNOWN_COROUTINES for i in range(1, name.count(".") + 1)
)


def module_entry(path: str, source: str, project: Any) -> tuple[ProjectIndex, ModuleEntry]:
    """The index STK202 resolves names with, and the summary of the file being checked
    (from the index when it has the file, else made from the source)."""
    index = project if isinstance(project, ProjectIndex) else None
    entry = index.module_of(path) if index is not None else None
    if entry is None:
        # Without an index (a pure check of a text): no file system look-ups.
        module, is_package = index.place(path) if index is not None else ("", False)
        entry = ModuleEntry(summarise(source, module, is_package), path)
    return index or ProjectIndex(LibraryIndex([])), entry


def could_make_coroutine(
    source: str,
    tree_of: Callable[[], ast.Module | None],
    path: str,
    options: dict[str, Any],
    project: Any,
) -> bool:
    """False only when STK202 cannot find a coroutine anywhere in the file."""
    if any(text in source for text in _TEXTS):
        return True
    if any(name in source for name in options.get("session-names", DEFAULT_SESSION_NAMES)):
        return True
    tree = tree_of()
    if tree is None:
        return True  # CPython rejects it: libcst gives the verdict
    index, entry = module_entry(path, source, project)
    summary = entry.summary
    module = summary["module"]
    if summary["star"]:
        return True
    for qualname, (_, is_async) in summary["functions"].items():
        if is_async or index.receives_session(f"{module}.{qualname}" if module else qualname):
            return True
    if any(index.class_has_coroutines(entry, name) for name in summary["classes"]):
        return True
    if any(COROUTINE_CALLABLE.match(text) for text in summary.get("returns", {}).values()):
        return True  # `self.ensure_async(f)(...)`
    names = _Names()
    if not names.read(tree):
        return True
    targets: dict[str, list[str]] = {}
    for local, imported in names.imports:
        absolute = absolute_import(imported, module, summary["package"])
        if absolute:
            targets.setdefault(local, []).append(absolute)
    for name in names.dotted | targets.keys():
        head, dot, rest = name.partition(".")
        for absolute in targets.get(head, ()):
            if _names_coroutines(index, absolute + dot + rest, name in names.instances):
                return True
    return False


def _names_coroutines(index: ProjectIndex, qualified: str, instances: bool) -> bool:
    """Whether the rule could take a call of `qualified` for a coroutine; or, with
    `instances`, a call of a method of an instance of it."""
    target = index.resolve(qualified)
    if target is None:
        # An alias of `Callable[..., Awaitable[T]]` annotating a name the file calls.
        return qualified in KNOWN_COROUTINES or (
            instances and index.names_coroutine_function_type(qualified)
        )
    if target.kind == "function":
        if target.is_async:
            return True
        if not instances:
            return False
        # `client = make_client()`, `make_client().get()`, `ensure_async(f)(...)`:
        # what the function's return annotation names.
        if index.returns_coroutine_function(target):
            return True
        held = index.returned_class(target) or index.yielded_class(target)
        return held is not None and _instances_have_coroutines(index, held)
    if target.kind == "class" and instances:
        # The rule looks a method up from the class's name as written, then in the tables.
        return qualified in _KNOWN_PREFIXES or _instances_have_coroutines(index, target.qualified)
    return False


def _instances_have_coroutines(index: ProjectIndex, qualified: str) -> bool:
    """Whether the class, what its methods and properties return, or what its
    `__enter__`/`__aenter__` gives (the rule follows `with X() as y`) has a method that
    is an `async def`."""
    if index.class_reaches_coroutines(qualified):
        return True
    for method in ("__enter__", "__aenter__"):
        enter = index.resolve(f"{qualified}.{method}")
        held = index.returned_class(enter) if enter is not None else None
        if held is not None and held != qualified and index.class_has_coroutines_at(held):
            return True
    return False


class _Names:
    """What the rule could resolve in a file, read from CPython's tree: the imports
    (local name, imported name as written), every dotted name read (`a`, `a.b.c`), and
    the dotted names whose instances' methods the rule looks up: `Thing().save()`,
    `thing = Thing()` (then `thing.save()`), annotations (quoted ones too).

    `read` returns False when the file is beyond the screen: a star import, or
    identifiers beyond ASCII (CPython's tree has them NFKC-normalised, libcst's as
    written)."""

    def __init__(self) -> None:
        self.imports: list[tuple[str, str]] = []
        self.dotted: set[str] = set()
        self.instances: set[str] = set()

    def read(self, tree: ast.Module) -> bool:
        imports, dotted, instances = self.imports, self.dotted, self.instances
        stack: list[Any] = [tree]
        while stack:
            node = stack.pop()
            node_type = type(node)
            if node_type is ast.Attribute:
                name = _dotted(node)
                if name is not None:
                    dotted.add(name)
                if type(node.value) is ast.Call:
                    instances.add(_dotted(node.value.func) or "")
            elif node_type is ast.Import:
                for alias in node.names:
                    if alias.asname:
                        imports.append((alias.asname, alias.name))
                    else:
                        head = alias.name.split(".", 1)[0]
                        imports.append((head, head))
            elif node_type is ast.ImportFrom:
                base = "." * node.level + (node.module or "")
                joiner = "" if base.endswith(".") else "."
                for alias in node.names:
                    if alias.name == "*":
                        return False
                    imports.append((alias.asname or alias.name, f"{base}{joiner}{alias.name}"))
            elif node_type is ast.Assign:
                if len(node.targets) == 1 and type(node.targets[0]) in (ast.Name, ast.Attribute):
                    instances.add(_called(node.value))  # `x = Thing()`, `self.x = Thing()`
            elif node_type is ast.Call:
                if type(node.func) is ast.Call:
                    instances.add(_dotted(node.func.func) or "")  # `ensure_async(f)(...)`
            elif node_type is ast.withitem:
                if node.optional_vars is not None:
                    instances.add(_called(node.context_expr))  # `with Thing() as t`
            elif node_type is ast.AnnAssign or node_type is ast.arg:
                if node.annotation is not None:
                    instances.update(_annotation_names(node.annotation))
                if node_type is ast.AnnAssign and node.value is not None:
                    instances.add(_called(node.value))
            fields = _CHILD_FIELDS.get(node_type)
            if fields is None:
                fields = _CHILD_FIELDS[node_type] = tuple(  # none for a name in `global x`
                    name for name in getattr(node_type, "_fields", ()) if name not in _NOT_CHILDREN
                )
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    stack.extend(value)
                elif value is not None and not isinstance(value, _LEAF_VALUES):
                    stack.append(value)
        dotted.update(instances)
        dotted.discard("")
        return all(name.isascii() for name in dotted) and all(
            local.isascii() and imported.isascii() for local, imported in imports
        )


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a chain of attributes on a name (as `python_rule.dotted_name`)."""
    parts = []
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is not ast.Name:
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _called(value: ast.AST) -> str:
    """The callee of `Thing(...)` or `await Thing(...)` bound to a name: what the rule
    takes the name's class to be."""
    if type(value) is ast.Await:
        value = value.value
    return (_dotted(value.func) or "") if type(value) is ast.Call else ""


def _annotation_names(annotation: ast.AST) -> Iterable[str]:
    """Every dotted name in an annotation, the words of quoted ones included (the rule
    reads `"models.Thing | None"` without parsing it)."""
    for node in ast.walk(annotation):
        if type(node) is ast.Constant and isinstance(node.value, str):
            yield from TYPE_NAME.findall(node.value)
        else:
            name = _dotted(node)
            if name is not None:
                yield name


# A walk by hand over each node type's fields: `ast.walk` spends most of its time in
# generators. `ctx` (Load/Store) and the plain values are not walked.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_NOT_CHILDREN = frozenset({"ctx", "type_comment", "kind"})
_LEAF_VALUES = (str, int, float, complex, bytes, bool, type(...))
