"""The app index: the templates and `url_for` endpoints a Quart app has, across its files.

STK601 (template-not-found), STK602 (unknown-endpoint) and STK603 (undefined-block)
answer from it. It is built before the first file is checked, from three sources:

- *App facts* of each Python module (`python_facts`): the `Quart(...)` apps and
  `Blueprint(...)`s it creates (name, `template_folder`, `static_folder`), the routes
  it adds (route decorators, `add_url_rule`), the blueprints it registers (and under
  which `name=`), whether it swaps Jinja's loader. A pure function of the module's
  text, cached per file like the project summaries; only modules whose text mentions
  one of these constructs are parsed (CPython's parser).
- The installed Quart/Flask extensions the project imports (`quart_*`, `flask_*`),
  read the same way without importing them: quart-security's `security` blueprint
  brings its routes and its `security/*.html` templates.
- The template folders those facts name, listed on disk; a parent template's blocks
  are read when a child asks for them.

Precision comes first. Each answer says "unknown" when the index cannot be sure: no
app found, a folder or name computed at run time, a loader of the app's own, a
blueprint registered under a name built at run time, a route added to an object the
index cannot follow. The rules are silent on "unknown".
"""

from __future__ import annotations

import ast
import bisect
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib.machinery import PathFinder
from pathlib import PurePosixPath
from typing import Any

from stk_lint import cpython
from stk_lint.files import DEFAULT_MAX_FILE_SIZE_KB, read_source
from stk_lint.summaries import absolute_import

Facts = dict[str, Any]

ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete", "websocket"})
ADD_RULE = frozenset({"add_url_rule", "add_websocket"})
_APP_CLASSES = frozenset({"quart.Quart", "quart.app.Quart", "flask.Flask", "flask.app.Flask"})
_BLUEPRINT_CLASSES = frozenset(
    {
        "quart.Blueprint",
        "quart.blueprints.Blueprint",
        "flask.Blueprint",
        "flask.blueprints.Blueprint",
    }
)
# Names whose use means the app finds templates some other way than its folders.
_LOADER_WORDS = frozenset(
    {"jinja_loader", "create_global_jinja_loader", "ChoiceLoader", "FileSystemLoader"}
    | {"PackageLoader", "PrefixLoader", "DictLoader", "FunctionLoader", "ModuleLoader"}
)
# A module needs a parse only when its text mentions one of these.
_SCREEN = re.compile(
    r"(?:Blueprint|Quart|Flask)\s*[(),]|add_url_rule|add_websocket|register_blueprint|"
    r"Loader\b|jinja_loader|@\s*[\w.]+\.(?:route|get|post|put|patch|delete|websocket)\("
)
# Installed packages read for their blueprints and templates: Quart and Flask
# extensions by their naming convention.
EXTENSION_PREFIXES = ("quart_", "flask_")


# --- facts of one Python module ----------------------------------------------------------


def python_facts(source: str, module: str, is_package: bool = False) -> Facts:
    """What the app index needs from one module: a pure function of its text.

    ``objects``: variable -> {kind: app|blueprint, name, template_folder, static,
    root}; ``routes``: [target, endpoint or None when computed]; ``registrations``:
    [target, [blueprint refs] or None, name (None: its own, False: computed)];
    ``unknown``: why the module keeps the index from being sure of anything, if it does;
    ``loader``: why it keeps it from knowing the app's templates (a loader of its own).
    A target or blueprint ref is `local:var`, `import:qualified.name` or `unknown:`.
    """
    if not _SCREEN.search(source):
        return {}
    tree = cpython.tree_or_none(source)
    if tree is None:
        return {"unknown": f"{module} does not parse"}
    collector = _Collector(module, is_package, _interesting_lines(source))
    collector.visit(tree)
    facts: Facts = {}
    if collector.objects:
        facts["objects"] = collector.objects
    if collector.routes:
        facts["routes"] = collector.routes
    if collector.registrations:
        facts["registrations"] = collector.registrations
    if collector.unknown:
        facts["unknown"] = collector.unknown
    if collector.loader:
        facts["loader"] = collector.loader
    return facts


def _constant(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _argument(call: ast.Call, position: int, name: str) -> tuple[bool, ast.AST | None]:
    """(given, value) of an argument that may be passed by position or by keyword."""
    if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return True, None  # `*args`: given, value unknown
    if len(call.args) > position:
        return True, call.args[position]
    value = _keyword(call, name)
    if value is not None:
        return True, value
    if any(keyword.arg is None for keyword in call.keywords):
        return True, None  # `**kwargs`
    return False, None


def _folder_value(call: ast.Call, position: int, name: str, default: str | None) -> Any:
    """A folder argument: its constant (None for `None`), the default, or False if computed."""
    given, value = _argument(call, position, name)
    if not given:
        return default
    if isinstance(value, ast.Constant) and value.value is None:
        return None
    constant = _constant(value)
    return constant if constant is not None else False


# Calls and stores found inside any statement (the rest is found from statement headers):
# only the simple statements on lines that mention one are walked whole.
_INSIDE = re.compile(r"register_blueprint|add_url_rule|add_websocket|loader", re.I)
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _interesting_lines(source: str) -> list[int]:
    lines = []
    for match in _INSIDE.finditer(source):
        lines.append(source.count("\n", 0, match.start()) + 1)
    return lines


def _root(call: ast.Call, position: int) -> str | bool:
    """ "module" when an app's or blueprint's root path is its module's folder (made with
    `__name__` and no `root_path=`), else False (unknown)."""
    _, import_name = _argument(call, position, "import_name")
    if _keyword(call, "root_path") is not None:
        return False
    return "module" if isinstance(import_name, ast.Name) and import_name.id == "__name__" else False


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, lines: list[int]) -> None:
        self.module = module
        self.is_package = is_package
        self.lines = lines
        self.imports: dict[str, str] = {}
        self.assigned: dict[str, str] = {}  # variable -> "call:qualified" / "other"
        self.sequences: dict[str, list[str]] = {}  # `BLUEPRINTS = (a, b)`
        self.loops: list[dict[str, list[str]]] = []  # `for bp in BLUEPRINTS:` bindings
        self.objects: dict[str, dict[str, Any]] = {}
        self.routes: list[list[Any]] = []
        self.registrations: list[list[Any]] = []
        self.unknown = ""  # why nothing the module adds can be known
        self.loader = ""  # why the app's templates cannot be known

    def generic_visit(self, node: ast.AST) -> None:
        """Statements, and the expressions of the simple statements on interesting lines:
        a parse tree's expressions are most of its nodes, and nearly all say nothing here."""
        if not isinstance(node, ast.stmt) or not hasattr(node, "end_lineno"):
            super().generic_visit(node)
            return
        compound = any(hasattr(node, name) for name in _BODIES)
        if not compound and self._on_interesting_line(node):
            super().generic_visit(node)
            return
        for name in _BODIES:
            for child in getattr(node, name, ()):
                if isinstance(child, ast.match_case):
                    for statement in child.body:
                        self.visit(statement)
                else:
                    self.visit(child)

    def _on_interesting_line(self, node: ast.stmt) -> bool:
        index = bisect.bisect_left(self.lines, node.lineno)
        return index < len(self.lines) and self.lines[index] <= (node.end_lineno or node.lineno)

    # names

    def qualify(self, node: ast.AST) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.imports.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])

    def ref(self, node: ast.AST) -> str:
        """How a route's or registration's object is named."""
        if isinstance(node, ast.Name):
            if node.id in self.objects:
                return f"local:{node.id}"
            if node.id in self.imports:
                return f"import:{self.imports[node.id]}"
            origin = self.assigned.get(node.id, "")
            if origin.startswith("call:"):
                return origin
        return "unknown:"

    # statements

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.imports[alias.asname] = alias.name
            else:
                head = alias.name.split(".", 1)[0]
                self.imports[head] = head

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = absolute_import("." * node.level + (node.module or ""), self.module, self.is_package)
        if not base:
            return  # above the top-level package: fails at run time
        for alias in node.names:
            if alias.name == "*":
                continue
            self.imports[alias.asname or alias.name] = (
                f"{base}.{alias.name}" if base else alias.name
            )
            if alias.name in _LOADER_WORDS:
                self.loader = self.loader or f"{self.module} uses Jinja's `{alias.name}`"

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            qualified = self.qualify(base)
            if qualified in _APP_CLASSES or qualified in _BLUEPRINT_CLASSES:
                # Instances of a subclass are apps or blueprints the index does not follow.
                self.unknown = self.unknown or f"{self.module} subclasses `{qualified}`"
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in (
                "jinja_loader",
                "jinja_env",
                "loader",
            ):
                self.loader = self.loader or f"{self.module} sets `{target.attr}`"
            if not isinstance(target, ast.Name):
                continue
            name = target.id
            value = node.value
            if isinstance(value, (ast.Tuple, ast.List)) and all(
                isinstance(e, ast.Name) for e in value.elts
            ):
                self.sequences[name] = [e.id for e in value.elts]  # type: ignore[attr-defined]
            made = self._made(value) if isinstance(value, ast.Call) else None
            if made is not None:
                self.objects[name] = made
                self.assigned.pop(name, None)
            else:
                self.objects.pop(name, None)
                called = self.qualify(value.func) if isinstance(value, ast.Call) else None
                # `router = APIRouter()`: what it is depends on where the callee comes from.
                imported = (
                    isinstance(value, ast.Call)
                    and called is not None
                    and called != getattr(value.func, "id", None)
                )
                self.assigned[name] = f"call:{called}" if imported else "other"

    def _made(self, call: ast.Call) -> dict[str, Any] | None:
        """An app or blueprint made by this call, with what the index needs of it."""
        qualified = self.qualify(call.func)
        if qualified in _APP_CLASSES:
            return {
                "kind": "app",
                "root": _root(call, 0),
                "static": _folder_value(call, 2, "static_folder", "static") is not None,
                "template_folder": _folder_value(call, 4, "template_folder", "templates"),
            }
        if qualified in _BLUEPRINT_CLASSES:
            _, name_node = _argument(call, 0, "name")
            name = _constant(name_node)
            return {
                "kind": "blueprint",
                "name": name if name is not None and "." not in name else False,
                "root": _root(call, 1),
                "static": _folder_value(call, 2, "static_folder", None) is not None,
                "template_folder": _folder_value(call, 4, "template_folder", None),
            }
        return None

    def visit_For(self, node: ast.For) -> None:
        bound: dict[str, list[str]] = {}
        if isinstance(node.target, ast.Name):
            if isinstance(node.iter, ast.Name) and node.iter.id in self.sequences:
                bound[node.target.id] = self.sequences[node.iter.id]
            elif isinstance(node.iter, (ast.Tuple, ast.List)) and all(
                isinstance(e, ast.Name) for e in node.iter.elts
            ):
                bound[node.target.id] = [e.id for e in node.iter.elts]  # type: ignore[attr-defined]
        self.loops.append(bound)
        self.generic_visit(node)
        self.loops.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                continue
            method = decorator.func.attr
            if method not in ROUTE_DECORATORS:
                continue
            target = self.ref(decorator.func.value)
            dotted = not isinstance(decorator.func.value, ast.Name)
            if target == "unknown:" and dotted and method not in ("route", "websocket"):
                continue  # `@mock.patch.object(...)`, `@self.client.get(...)`: not an app's
            endpoint = _keyword(decorator, "endpoint")
            if endpoint is not None:
                name = _constant(endpoint)
            elif any(k.arg is None for k in decorator.keywords):
                name = None
            else:
                name = node.name
            self.routes.append([target, name])
        self.generic_visit(node)

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        if func.attr in ADD_RULE:
            self.routes.append([self.ref(func.value), self._rule_endpoint(node)])
        elif func.attr == "register_blueprint":
            given, blueprint = _argument(node, 0, "blueprint")
            refs = self._blueprint_refs(blueprint) if given and blueprint is not None else None
            name_node = _keyword(node, "name")
            if name_node is None and any(k.arg is None for k in node.keywords):
                name: Any = False
            elif name_node is None:
                name = None
            else:
                constant = _constant(name_node)
                name = constant if constant is not None else False
            self.registrations.append([self.ref(func.value), refs, name])

    def _blueprint_refs(self, node: ast.AST) -> list[str] | None:
        if isinstance(node, ast.Name):
            for loop in reversed(self.loops):
                if node.id in loop:
                    return [self.ref(ast.Name(id=n)) for n in loop[node.id]]
        ref = self.ref(node)
        return None if ref == "unknown:" else [ref]

    def _rule_endpoint(self, call: ast.Call) -> str | None:
        """`add_url_rule(rule, endpoint=None, view_func=None)`'s endpoint, None if computed."""
        given, endpoint = _argument(call, 1, "endpoint")
        if given and not (isinstance(endpoint, ast.Constant) and endpoint.value is None):
            return _constant(endpoint)
        given, view = _argument(call, 2, "view_func")
        if isinstance(view, ast.Name):
            return view.id
        if isinstance(view, ast.Attribute):
            return view.attr
        if (
            isinstance(view, ast.Call)
            and isinstance(view.func, ast.Attribute)
            and view.func.attr == "as_view"
        ):
            return _constant(view.args[0]) if view.args else None
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in ("jinja_loader", "create_global_jinja_loader") and isinstance(
            node.ctx, ast.Store
        ):
            self.loader = self.loader or f"{self.module} sets `{node.attr}`"
        if node.attr == "loader" and isinstance(node.ctx, ast.Store):
            self.loader = self.loader or f"{self.module} sets a Jinja loader"
        self.generic_visit(node)


# --- facts of one template -----------------------------------------------------------------


@dataclass
class TemplateFacts:
    parent: str | None  # the constant `{% extends %}` target
    parent_known: bool  # False: an `{% extends %}` that is computed or conditional
    blocks: frozenset[str]  # every `{% block %}` name (and `self.name()` it calls)


def template_facts(source: str) -> TemplateFacts | None:
    """Blocks and parent of a template; None when Jinja cannot parse it."""
    from jinja2 import TemplateSyntaxError, nodes

    from stk_lint.templates.jinja import environment, normalize_newlines

    try:
        tree = environment().parse(normalize_newlines(source))
    except (TemplateSyntaxError, RecursionError):
        return None
    return facts_of_tree(tree, nodes)


def facts_of_tree(tree: Any, nodes: Any) -> TemplateFacts:
    extends = list(tree.find_all(nodes.Extends))
    parent: str | None = None
    known = True
    if extends:
        only = extends[0]
        parent = only.template.value if isinstance(only.template, nodes.Const) else None
        known = (
            len(extends) == 1
            and any(node is only for node in tree.body)
            and isinstance(parent, str)
        )
    blocks = {block.name for block in tree.find_all(nodes.Block)}
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == "self":
            blocks.add(node.attr)
    return TemplateFacts(parent if known else None, known, frozenset(blocks))


# --- the index ---------------------------------------------------------------------------


class FileSystem:
    """Where the index reads folders and templates: the disk, by absolute path."""

    def key(self, path: str) -> str:
        return os.path.abspath(path)

    def join(self, folder: str, relative: str) -> str:
        return os.path.normpath(os.path.join(folder, relative))

    def list_templates(self, folder: str) -> list[tuple[str, int, int]]:
        """(name, mtime, size) of every file under a template folder."""
        found = []
        for base, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            relative = os.path.relpath(base, folder)
            for name in files:
                path = os.path.join(base, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                template = name if relative == "." else f"{relative}/{name}".replace(os.sep, "/")
                found.append((template, info.st_mtime_ns, info.st_size))
        return sorted(found)

    def read(self, path: str) -> str | None:
        """A template's text; None when it cannot be read, is not a regular file (a pipe
        would block) or is larger than STK003's default limit (what is not known is
        silence)."""
        try:
            data = read_source(path, DEFAULT_MAX_FILE_SIZE_KB * 1024)
        except OSError:
            return None
        return None if isinstance(data, int) else data.decode("utf-8-sig", errors="replace")


class MemoryFileSystem(FileSystem):
    """Files given as text (a rule's example project): posix paths, no disk."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = {str(PurePosixPath(path)): text for path, text in files.items()}

    def key(self, path: str) -> str:
        return str(PurePosixPath(path))

    def join(self, folder: str, relative: str) -> str:
        return os.path.normpath(str(PurePosixPath(folder) / relative)).replace(os.sep, "/")

    def list_templates(self, folder: str) -> list[tuple[str, int, int]]:
        if os.path.isabs(folder):  # an installed package's folder
            return super().list_templates(folder)
        prefix = folder.rstrip("/") + "/"
        return sorted(
            (path[len(prefix) :], 0, len(text))
            for path, text in self.files.items()
            if path.startswith(prefix)
        )

    def read(self, path: str) -> str | None:
        if os.path.isabs(path):
            return super().read(path)
        return self.files.get(self.key(path))


@dataclass
class Module:
    """A Python module the index knows: its name, its folder and its app facts."""

    name: str
    folder: str
    facts: Facts
    library: bool = False


@dataclass
class _Object:
    module: str
    variable: str
    info: dict[str, Any]
    library: bool

    @property
    def is_app(self) -> bool:
        return self.info.get("kind") == "app"


@dataclass
class _Structure:
    endpoints: dict[str, set[str]]  # by prefix ("" for the app's own)
    incomplete: set[str]  # prefixes whose endpoints are not all known
    unknown_prefixes: bool  # blueprints the index cannot name may exist
    app_incomplete: bool  # the app's own endpoints are not all known
    prefixes: dict[tuple[str, str], set[str]]  # (module, variable) of a blueprint -> names
    unknown_routes: bool  # routes added to objects the index cannot follow: any endpoint


@dataclass
class EndpointAnswer:
    known: bool  # False: the index cannot tell
    exists: bool = True
    suggestion: str | None = None


@dataclass
class AppIndex:
    """The app's template folders and endpoints, with what is unknown about them."""

    modules: list[Module]
    fs: FileSystem = field(default_factory=FileSystem)
    # Top-level names of the project's modules (all of them, not only those with facts).
    project_packages: frozenset[str] = frozenset()
    # Checked file (as `fs.key` gives it, or its displayed path) -> (module, is package).
    module_paths: dict[str, tuple[str, bool]] = field(default_factory=dict)
    # Displayed path -> real path, for a front end that shows other names (the hook).
    displayed: dict[str, str] = field(default_factory=dict)

    # -- structure ------------------------------------------------------------------------

    @cached_property
    def _by_name(self) -> dict[str, Module]:
        return {module.name: module for module in self.modules}

    @cached_property
    def unknown(self) -> list[str]:
        """Why the app's structure is not fully known (project modules only)."""
        return [
            m.facts["unknown"] for m in self.modules if m.facts.get("unknown") and not m.library
        ]

    @cached_property
    def loaders(self) -> list[str]:
        """Why the app finds templates elsewhere than in its folders (project modules only)."""
        return [m.facts["loader"] for m in self.modules if m.facts.get("loader") and not m.library]

    @cached_property
    def _objects(self) -> dict[tuple[str, str], _Object]:
        return {
            (module.name, variable): _Object(module.name, variable, info, module.library)
            for module in self.modules
            for variable, info in module.facts.get("objects", {}).items()
        }

    def _resolve(self, module: str, ref: str, depth: int = 0) -> _Object | str:
        """The object a ref names, or "unknown" / "foreign" (not an app or blueprint)."""
        kind, _, name = ref.partition(":")
        if kind == "local":
            return self._objects.get((module, name), "unknown")
        if kind == "call":
            # `app = create_app()`: unknown when the factory is the project's own.
            return "unknown" if self._is_project_name(name) else "foreign"
        if kind != "import" or depth > 8:
            return "unknown"
        owner, _, variable = name.rpartition(".")
        found = self._objects.get((owner, variable))
        if found is not None:
            return found
        if owner in self._by_name or name in self._by_name:
            return "unknown"  # a project module, but not an object the index knows
        if self._is_project_name(name):
            return "unknown"  # `from stk.things import bp`, a re-export the index does not follow
        return "foreign"  # a library's name

    def _is_project_name(self, qualified: str) -> bool:
        return qualified.split(".", 1)[0] in self.project_packages

    @cached_property
    def apps(self) -> list[_Object]:
        return [obj for obj in self._objects.values() if obj.is_app and not obj.library]

    @cached_property
    def _structure(self) -> _Structure:
        endpoints: dict[str, set[str]] = {"": set()}
        incomplete: set[str] = set()
        unknown_prefixes = app_incomplete = unknown_routes = False
        registrations: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
        for module in self.modules:
            for target_ref, refs, name in module.facts.get("registrations", ()):
                target = self._resolve(module.name, target_ref)
                parent = target if isinstance(target, _Object) and not target.is_app else None
                resolved = [self._resolve(module.name, ref) for ref in refs] if refs else None
                if resolved is None or any(not isinstance(r, _Object) for r in resolved):
                    if name is False or parent is not None:
                        unknown_prefixes = True
                    elif isinstance(name, str):
                        endpoints.setdefault(name, set())
                        incomplete.add(name)
                    continue
                for blueprint in resolved:
                    assert isinstance(blueprint, _Object)
                    key = (blueprint.module, blueprint.variable)
                    registrations.setdefault(key, []).append((parent, name))

        def names(blueprint: _Object, seen: frozenset[tuple[str, str]] = frozenset()) -> set[str]:
            nonlocal unknown_prefixes
            key = (blueprint.module, blueprint.variable)
            own = blueprint.info.get("name")
            if key in seen or own is False:
                unknown_prefixes = True
                return set()
            found: set[str] = set()
            for parent, name in registrations.get(key, [(None, None)]):
                if name is False:
                    unknown_prefixes = True
                    continue
                base = name or own
                if not isinstance(base, str):  # a blueprint whose name is not known
                    unknown_prefixes = True
                    continue
                if parent is None:
                    found.add(base)
                else:
                    found |= {f"{p}.{base}" for p in names(parent, seen | {key})}
            return found

        prefixes: dict[tuple[str, str], set[str]] = {}
        for key, obj in self._objects.items():
            if obj.is_app:
                if obj.info.get("static"):
                    endpoints[""].add("static")
            else:
                prefixes[key] = names(obj)
                for prefix in prefixes[key]:
                    endpoints.setdefault(prefix, set())
                    if obj.info.get("static"):
                        endpoints[prefix].add("static")
        for module in self.modules:
            for target_ref, endpoint in module.facts.get("routes", ()):
                target = self._resolve(module.name, target_ref)
                if target == "foreign":
                    continue
                if not isinstance(target, _Object):
                    unknown_routes = True
                    continue
                owners = (
                    [""]
                    if target.is_app
                    else sorted(prefixes.get((target.module, target.variable), ()))
                )
                for prefix in owners:
                    if endpoint is None or "." in endpoint:
                        if prefix:
                            incomplete.add(prefix)
                        else:
                            app_incomplete = True
                    else:
                        endpoints.setdefault(prefix, set()).add(endpoint)
        return _Structure(
            endpoints, incomplete, unknown_prefixes, app_incomplete, prefixes, unknown_routes
        )

    @cached_property
    def all_endpoints(self) -> list[str]:
        endpoints = self._structure.endpoints
        return sorted(f"{p}.{e}" if p else e for p, names in endpoints.items() for e in names)

    def endpoint(self, endpoint: str, blueprints: Iterable[str] | None = None) -> EndpointAnswer:
        """Whether `url_for(endpoint)` builds. A relative `.name` resolves against the
        request's blueprint: `blueprints` when the caller knows the candidates, else any
        blueprint (or the app, outside a blueprint's request)."""
        if not self.apps or self.unknown or self._structure.unknown_routes:
            return EndpointAnswer(False)
        structure = self._structure
        endpoints, incomplete = structure.endpoints, structure.incomplete
        unknown_prefixes, app_incomplete = structure.unknown_prefixes, structure.app_incomplete
        if endpoint.startswith("."):
            name = endpoint[1:]
            if not name or "." in name:
                return EndpointAnswer(False)
            if blueprints is None:
                if unknown_prefixes or app_incomplete or incomplete:
                    return EndpointAnswer(False)
                candidates = [""] + [p for p in endpoints if p]
            else:
                candidates = list(blueprints)
                if any(p in incomplete or p not in endpoints for p in candidates):
                    return EndpointAnswer(False)
                if "" in candidates and app_incomplete:
                    return EndpointAnswer(False)
            if any(name in endpoints.get(p, ()) for p in candidates):
                return EndpointAnswer(True)
            pool = sorted({f".{e}" for p in candidates for e in endpoints.get(p, ())})
            return EndpointAnswer(True, False, _closest(endpoint, pool))
        prefix, _, name = endpoint.rpartition(".")
        if prefix:
            if prefix not in endpoints:
                if unknown_prefixes:
                    return EndpointAnswer(False)
            elif prefix in incomplete:
                return EndpointAnswer(False)
        elif app_incomplete:
            return EndpointAnswer(False)
        if name in endpoints.get(prefix, ()):
            return EndpointAnswer(True)
        return EndpointAnswer(True, False, _closest(endpoint, self.all_endpoints))

    def blueprint_prefixes(self, module: str, variable: str) -> set[str] | None:
        """The endpoint prefixes of a blueprint object of a module, if it is one."""
        return self._structure.prefixes.get((module, variable))

    def module_of(self, path: str) -> tuple[str, bool] | None:
        """(module name, is package) of a checked Python file."""
        return self.module_paths.get(self.fs.key(self.displayed.get(path, path)))

    def request_blueprints(self, module: str, ref: str) -> set[str] | None:
        """The blueprint names a request of a route on this object has (`request.blueprint`;
        "" for the app's own routes), or None when the object is not known."""
        target = self._resolve(module, ref)
        if not isinstance(target, _Object):
            return None
        if target.is_app:
            return {""}
        return self.blueprint_prefixes(target.module, target.variable)

    # -- templates ------------------------------------------------------------------------

    @cached_property
    def template_folders(self) -> list[str] | None:
        """The folders the app's loader searches, app folders first; None when unknown."""
        if not self.apps or self.unknown or self.loaders:
            return None
        app_folders: list[str] = []
        others: list[str] = []
        for obj in self._objects.values():
            folder = obj.info.get("template_folder")
            if folder is None:
                continue
            if folder is False or obj.info.get("root") != "module":
                if obj.library:
                    continue  # a library's own computed folder: its templates stay unknown
                return None
            module = self._by_name[obj.module]
            path = self.fs.join(module.folder, folder)
            (app_folders if obj.is_app else others).append(path)
        return list(dict.fromkeys(app_folders + others))

    @cached_property
    def _app_folder_count(self) -> int:
        return len(
            {
                self.fs.join(self._by_name[o.module].folder, o.info["template_folder"])
                for o in self.apps
                if isinstance(o.info.get("template_folder"), str)
            }
        )

    @cached_property
    def listing(self) -> dict[str, list[tuple[str, int, int]]]:
        return {folder: self.fs.list_templates(folder) for folder in self.template_folders or ()}

    @cached_property
    def _where(self) -> dict[str, list[str]]:
        """Template name -> the folders holding it, in search order."""
        found: dict[str, list[str]] = {}
        for folder, names in self.listing.items():
            for name, _, _ in names:
                found.setdefault(name, []).append(folder)
        return found

    def template_exists(self, name: str) -> bool | None:
        """Whether the app's loader finds the template; None when the index cannot tell."""
        if self.template_folders is None:
            return None
        return _normal(name) in self._where

    def similar_template(self, name: str) -> str | None:
        return _closest(name, list(self._where))

    def template_name_of(self, path: str) -> str | None:
        """The name a file has in the app's loader, when it is in one of its folders."""
        if self.template_folders is None:
            return None
        key = self.fs.key(self.displayed.get(path, path))
        for folder in self.template_folders:
            prefix = folder.rstrip("/" + os.sep) + os.sep
            alt = folder.rstrip("/") + "/"
            for start in (prefix, alt):
                if key.startswith(start):
                    return key[len(start) :].replace(os.sep, "/")
        return None

    def _template_path(self, name: str) -> str | None:
        """The file the loader picks for a name: certain when the app's folders hold it or
        only one folder does (blueprint folders are searched in registration order)."""
        folders = self._where.get(_normal(name))
        if not folders:
            return None
        app = self.template_folders[: self._app_folder_count] if self.template_folders else []
        in_app = [f for f in folders if f in app]
        if in_app:
            return self.fs.join(in_app[0], name)
        if len(folders) == 1:
            return self.fs.join(folders[0], name)
        return None

    @cached_property
    def _facts_cache(self) -> dict[str, TemplateFacts | None]:
        return {}

    def facts_of(self, name: str) -> TemplateFacts | None:
        path = self._template_path(name)
        if path is None:
            return None
        if path not in self._facts_cache:
            text = self.fs.read(path)
            self._facts_cache[path] = template_facts(text) if text is not None else None
        return self._facts_cache[path]

    def chain_blocks(self, parent: str, own_name: str | None = None) -> frozenset[str] | None:
        """Every block the templates from `parent` up define; None unless the whole chain
        is known (each template found for certain, parsed, with a constant parent)."""
        blocks: set[str] = set()
        seen = {own_name}
        name: str | None = parent
        while name is not None:
            if name in seen:
                return None  # a cycle: Jinja fails on it anyway
            seen.add(name)
            facts = self.facts_of(name)
            if facts is None or not facts.parent_known:
                return None
            blocks |= facts.blocks
            name = facts.parent
        return frozenset(blocks)

    # -- the cache ------------------------------------------------------------------------

    def digest_parts(self) -> list[Any]:
        """What the findings of STK601-603 depend on beyond the checked file itself."""
        return [
            sorted(([m.name, m.facts] for m in self.modules if m.facts), key=repr),
            self.template_folders,
            sorted(self.listing.items()),
        ]


def _normal(name: str) -> str:
    """The name as Jinja's loader splits it (`./a//b.html` finds `a/b.html`)."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    return "/".join(parts)


def _closest(word: str, pool: list[str]) -> str | None:
    import difflib  # only when there is something to report

    found = difflib.get_close_matches(word, pool, n=1, cutoff=0.75)
    return found[0] if found else None


@dataclass
class AppIndexes:
    """One index per import root of a run (two apps in one repository each have a `stk`
    package of their own), and which root each checked file belongs to."""

    by_root: dict[str, AppIndex]
    roots: dict[str, str]  # checked file (displayed path) -> its import root

    def for_file(self, path: str) -> AppIndex | None:
        root = self.roots.get(path)
        return self.by_root.get(root) if root is not None else None

    def digest_parts(self) -> list[Any]:
        return [(root, index.digest_parts()) for root, index in sorted(self.by_root.items())]

    def to_json(self) -> dict[str, Any]:
        """What the index was built from, JSON-able (a warm run reads it back whole)."""
        return {
            # by root: the files of each (a root's name once, not once per file)
            "roots": {
                root: [path for path, owner in self.roots.items() if owner == root]
                for root in sorted(set(self.roots.values()))
            },
            "by_root": {
                root: {
                    "modules": [[m.name, m.folder, m.facts, m.library] for m in index.modules],
                    "packages": sorted(index.project_packages),
                    "module_paths": index.module_paths,
                    "displayed": index.displayed,
                }
                for root, index in self.by_root.items()
            },
        }

    @classmethod
    def from_json(cls, data: Any) -> AppIndexes | None:
        """The indexes `to_json` gave, or None when the data is not such a thing."""
        try:
            by_root = {
                root: AppIndex(
                    [Module(n, f, facts, bool(lib)) for n, f, facts, lib in entry["modules"]],
                    FileSystem(),
                    frozenset(entry["packages"]),
                    {k: (v[0], bool(v[1])) for k, v in entry["module_paths"].items()},
                    dict(entry["displayed"]),
                )
                for root, entry in data["by_root"].items()
            }
            roots = {path: root for root, paths in data["roots"].items() for path in paths}
            return cls(by_root, roots)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def of(project: Any, path: str) -> AppIndex | None:
    """The index of the app a checked file belongs to (set on the project index), if any."""
    found = getattr(project, "app_index", None)
    if isinstance(found, AppIndexes):
        return found.for_file(path)
    return found


# --- building it -------------------------------------------------------------------------


# (path, module name, is package) -> the module's app facts, None when unreadable.
FactsOf = Callable[[str, str, bool], "Facts | None"]


def library_modules(
    imported: Iterable[str], search_path: list[str], facts_of: FactsOf
) -> list[Module]:
    """App facts of the installed extensions among the top-level names imported."""
    found: list[Module] = []
    for name in sorted(set(imported)):
        if not name.startswith(EXTENSION_PREFIXES):
            continue
        try:
            spec = PathFinder.find_spec(name, search_path)
        except (ImportError, ValueError, OSError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            found.extend(_package_modules(name, os.path.abspath(location), facts_of))
    return found


def _package_modules(package: str, folder: str, facts_of: FactsOf) -> list[Module]:
    modules = []
    for base, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d.isidentifier())
        relative = os.path.relpath(base, folder)
        parts = [package] + ([] if relative == "." else relative.split(os.sep))
        for file in sorted(files):
            if not file.endswith(".py"):
                continue
            is_package = file == "__init__.py"
            name = ".".join(parts if is_package else [*parts, file[:-3]])
            facts = facts_of(os.path.join(base, file), name, is_package)
            if facts:
                modules.append(Module(name, base, facts, library=True))
    return modules


def read_facts(fs: FileSystem) -> FactsOf:
    """Facts read and computed afresh each time (no cache)."""

    def facts_of(path: str, module: str, is_package: bool) -> Facts | None:
        text = fs.read(path)
        return None if text is None else python_facts(text, module, is_package)

    return facts_of


_IMPORTED = re.compile(r"^\s*(?:from\s+([\w]+)|import\s+([\w]+))", re.M)


def imported_top_levels(source: str) -> set[str]:
    """Top-level packages a module imports (`from quart_security import x` -> quart_security)."""
    if "quart_" not in source and "flask_" not in source:
        return set()
    return {a or b for a, b in _IMPORTED.findall(source)}


def build(
    modules: list[Module],
    imported: Iterable[str],
    project_packages: Iterable[str],
    search_path: list[str],
    fs: FileSystem | None = None,
    facts_of: FactsOf | None = None,
) -> AppIndex:
    """The index of the project's modules and of the installed extensions they import
    (their facts from `facts_of`, which may remember them between runs)."""
    fs = fs or FileSystem()
    libraries = library_modules(imported, search_path, facts_of or read_facts(fs))
    return AppIndex(modules + libraries, fs, frozenset(project_packages))


def example_index(files: dict[str, str]) -> AppIndex:
    """The index of a rule's example project (`Rule.example_files`), in memory; installed
    extensions are read from the running Python's path."""
    import sys

    fs = MemoryFileSystem(files)
    modules = []
    imported: set[str] = set()
    paths: dict[str, tuple[str, bool]] = {}
    for path, text in fs.files.items():
        if not path.endswith(".py"):
            continue
        pure = PurePosixPath(path)
        is_package = pure.name == "__init__.py"
        parts = pure.parent.parts if is_package else (*pure.parent.parts, pure.stem)
        facts = python_facts(text, ".".join(parts), is_package)
        modules.append(Module(".".join(parts), str(pure.parent), facts))
        paths[path] = (".".join(parts), is_package)
        imported |= imported_top_levels(text)
    packages = {m.name.split(".", 1)[0] for m in modules}
    index = build(modules, imported, packages, sys.path, fs)
    index.module_paths = paths
    return index
