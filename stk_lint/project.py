"""The project index: which functions are `async def`, across the project and its libraries.

Every module of the run is registered with its summary (`stk_lint.summaries`); names are
resolved through the modules' imports, bindings and classes, into installed libraries
on demand (`stk_lint.libraries`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stk_lint import paths
from stk_lint.libraries import LibraryIndex, project_root_above, project_site_packages
from stk_lint.summaries import (
    BUILTIN_CLASSES,
    COROUTINE_CALLABLE,
    ModuleEntry,
    Summary,
    annotation_class,
    class_object_class,
    generator_arguments,
    summarise,
    top_level_items,
)
from stk_lint.summary_store import SUMMARIES


def module_name_for(path: Path) -> tuple[str, bool, Path]:
    """(dotted module name, is package, import root) by walking up `__init__.py` folders."""
    module, is_package, root, _ = Packages().locate(path)
    return module, is_package, root


class Packages:
    """Where files sit among packages, each folder looked at once: a run over a
    thousand files resolves and walks up a few dozen folders, not a thousand paths.
    One instance per run (folders may gain an `__init__.py` between runs)."""

    def __init__(self) -> None:
        # folder as given -> (resolved folder, its package's dotted name, import root)
        self._folders: dict[Path, tuple[Path, str, Path]] = {}

    def locate(self, path: Path) -> tuple[str, bool, Path, Path]:
        """(dotted module name, is package, import root, resolved path) of a file."""
        if path.is_symlink():
            resolved = path.resolve()
            folder, package, root = self._package_of(resolved.parent, resolved.parent)
        else:
            folder, package, root = self._folder(path.parent)
            resolved = folder / path.name
        is_package = resolved.name == "__init__.py"
        module = package if is_package else ".".join(filter(None, (package, resolved.stem)))
        return module, is_package, root, resolved

    def _folder(self, given: Path) -> tuple[Path, str, Path]:
        known = self._folders.get(given)
        if known is None:
            resolved = given.resolve()
            known = self._folders[given] = self._package_of(resolved, resolved)
        return known

    def _package_of(self, resolved: Path, key: Path) -> tuple[Path, str, Path]:
        """(folder, dotted package name or "", import root) for a resolved folder."""
        known = self._folders.get(key)
        if known is not None:
            return known
        if resolved.parent != resolved and paths.is_file(resolved / "__init__.py"):
            _, parent_package, root = self._package_of(resolved.parent, resolved.parent)
            package = f"{parent_package}.{resolved.name}" if parent_package else resolved.name
            known = (resolved, package, root)
        else:
            known = (resolved, "", resolved)
        self._folders[key] = known
        return known


@dataclass(frozen=True)
class Target:
    """What a qualified name resolves to."""

    kind: str  # "function", "class" or "module"
    qualified: str  # e.g. "stk.user.models.Activity.register"
    is_async: bool = False
    where: str = ""  # "stk/user/models.py:212"
    origin: str = "project"  # "project", "library" or "stdlib"


class ProjectIndex:
    """Every module of the project being checked, plus installed libraries on demand.

    ``add`` registers a file already read by the engine; modules of the project that
    were not among the checked files are found on demand under the import roots of
    the files that were (so checking one file still resolves its sibling imports).
    """

    def __init__(self, libraries: LibraryIndex | None = None) -> None:
        self.libraries = libraries if libraries is not None else LibraryIndex()
        self.modules: dict[str, ModuleEntry] = {}
        self.by_path: dict[str, str] = {}  # display path and resolved path -> module name
        self.roots: list[Path] = []
        self.top_level: set[str] = set()  # first components of the registered modules
        self._missing: set[str] = set()
        self._resolved: dict[str, Target | None] = {}
        # Names being resolved, and answers of searches cut short: see `resolve`.
        self._in_progress: set[str] = set()
        self._this_query: dict[str, Target | None] = {}
        self._cut_off = False
        self._heads: dict[str, bool] = {}  # top-level name -> found under a root
        self._folders: dict[str, bool] = {}  # dotted name -> a folder under a root
        self._placed: dict[str, tuple[str, bool]] = {}  # files checked without `add`
        self._registered: list[str] = []  # modules given to add_summary, in order
        self._session_jobs: set[str] | None = None  # see receives_session
        self._coroutine_classes: dict[str, bool] = {}  # see class_has_coroutines_at
        self._reaching: dict[str, bool] = {}  # see class_reaches_coroutines
        # The app's templates and endpoints (stk_lint.app_index), set by the front end.
        self.app_index: Any = None

    def add(self, path: Path, source: str, display: str | None = None) -> Summary:
        module, is_package, root = module_name_for(path)
        summary = summarise(source, module, is_package)
        self.add_summary(path, summary, display, root)
        return summary

    def add_summary(
        self,
        path: Path,
        summary: Summary,
        display: str | None = None,
        root: Path | None = None,
        resolved: Path | None = None,
    ) -> None:
        """Register a summary computed elsewhere (e.g. from a cache); `root` and
        `resolved` (the file's real path) when the caller knows them already."""
        display = display or path.as_posix()
        self._resolved.clear()
        self._coroutine_classes.clear()
        self._reaching.clear()
        self._heads.clear()
        name = summary["module"]
        if name not in self.modules or name not in self._registered:  # not a new summary
            self._registered.append(name)
        self.modules[name] = ModuleEntry(summary, display)
        self._session_jobs = None
        self.top_level.add(summary["module"].split(".", 1)[0])
        self.by_path[display] = summary["module"]
        self.by_path[str(resolved or path.resolve())] = summary["module"]
        if root is None:
            root = module_name_for(path)[2]
        self._add_root(root)

    def remove(self, path: Path, display: str | None = None) -> None:
        """Forget a module given to `add_summary` (its file was deleted)."""
        name = self.by_path.pop(str(path.resolve()), None)
        if display is not None:
            name = self.by_path.pop(display, None) or name
        if name is None:
            return
        self.modules.pop(name, None)
        self._registered = [module for module in self._registered if module != name]
        self._resolved.clear()
        self._coroutine_classes.clear()
        self._heads.clear()
        self._session_jobs = None

    def _add_root(self, root: Path) -> None:
        if root in self.roots:
            return
        self.roots.append(root)
        self._missing.clear()
        self._resolved.clear()
        self._coroutine_classes.clear()
        self._reaching.clear()
        self._heads.clear()
        self._folders.clear()
        self.libraries.extend(project_site_packages(root))
        project = project_root_above(root)
        if project is not None:
            self.add_project_root(project)

    def add_project_root(self, folder: Path) -> None:
        """Search a project's root folder (and its `src/`) after the files' own import
        roots: a test in `tests/` (no `__init__.py`, so its import root is `tests/`)
        imports the package beside it, as pytest run from the project root does."""
        for candidate in (folder, folder / "src"):
            if paths.is_dir(candidate):
                self._add_root(candidate.resolve())

    def place(self, path: str | Path, display: str | None = None) -> tuple[str, bool]:
        """(module name, is package) of a file not registered with `add`; its import root
        joins the roots searched on demand, so its imports of sibling modules resolve.

        A front end that checks one file under another name than its path (the Claude
        Code hook shows paths relative to the session's folder) places the real path
        first, with the name its findings use: `project.place(path, shown)`.
        """
        key = display or str(path)
        known = self._placed.get(key)
        if known is not None:
            return known
        try:
            module, is_package, root = module_name_for(Path(path))
        except OSError:
            return "", False
        self._add_root(root)
        self._placed[key] = (module, is_package)
        return module, is_package

    def module_of(self, path: str) -> ModuleEntry | None:
        """The summary of a checked file, by the path its findings use."""
        name = self.by_path.get(path)
        if name is None:
            name = self.by_path.get(str(Path(path).resolve()))
        return self.modules.get(name) if name is not None else None

    def receives_session(self, qualified: str) -> bool:
        """Whether a module of the run hands this function to `run_with_session`."""
        if self._session_jobs is None:
            self._session_jobs = self._find_session_jobs()
        return qualified in self._session_jobs

    def _find_session_jobs(self) -> set[str]:
        found: set[str] = set()
        for module in dict.fromkeys(self._registered):
            summary = self.modules[module].summary
            for handed in summary.get("run_with_session", ()):
                absolute = self._name_in(summary, handed)
                if not absolute:
                    continue
                target = self.resolve(absolute)  # a re-export names the definition
                found.add(target.qualified if target is not None else absolute)
        return found

    # -- finding modules -------------------------------------------------------------

    def _project_module(self, module: str) -> ModuleEntry | None:
        known = self.modules.get(module)
        if known is not None or module in self._missing:
            return known
        relative = Path(*module.split("."))
        for root in self.roots:
            for candidate in (root / relative.with_suffix(".py"), root / relative / "__init__.py"):
                if paths.is_file(candidate):
                    summary = SUMMARIES.summary(candidate, module, candidate.name == "__init__.py")
                    if summary is None:
                        continue
                    # Named from its import root, as in `stk/user/models.py:212`.
                    entry = ModuleEntry(summary, candidate.relative_to(root).as_posix())
                    self.modules[module] = entry
                    return entry
        self._missing.add(module)
        return None

    def _is_project_package(self, name: str) -> bool:
        known = self._heads.get(name)
        if known is None:
            known = any(
                paths.is_dir(root / name) or paths.is_file(root / f"{name}.py")
                for root in self.roots
            )
            self._heads[name] = known
        return known

    def _split(self, qualified: str) -> tuple[ModuleEntry, str, str] | None:
        """(deepest module holding the name, the name inside it, origin)."""
        parts = qualified.split(".")
        in_project = parts[0] in self.top_level or self._is_project_package(parts[0])
        best: tuple[ModuleEntry, str, str] | None = None
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if in_project:
                entry = self._project_module(name)
                origin = "project"
            else:
                if not self.libraries.has_module(name):
                    break
                entry = self.libraries.summary(name)
                origin = "stdlib" if entry is not None and entry.standard else "library"
            if entry is not None:
                best = (entry, ".".join(parts[i:]), origin)
            elif in_project and not self._is_folder(name):
                break  # not even a namespace package (a folder without __init__.py)
        return best

    def _is_folder(self, name: str) -> bool:
        """Whether the dotted name is a folder under one of the roots (memoised: names
        that are not modules are looked up again and again, once per root)."""
        known = self._folders.get(name)
        if known is None:
            relative = Path(*name.split("."))
            known = any(paths.is_dir(root / relative) for root in self.roots)
            self._folders[name] = known
        return known

    # -- resolving names -------------------------------------------------------------

    def resolve(self, qualified: str, depth: int = 0) -> Target | None:
        """What `stk.user.models.Activity.register` (or any dotted name) is, if known.

        A search cut short (by the depth limit, or by a cycle of imports back to a name
        being resolved) is remembered only until the outermost call returns: kept for
        good, the answer would depend on which name was asked about first.
        """
        if not qualified:
            return None
        if depth > 8 or qualified in self._in_progress:
            self._cut_off = True
            return None
        if qualified in self._resolved:
            return self._resolved[qualified]
        if not self._in_progress:
            self._this_query.clear()
        elif qualified in self._this_query:
            self._cut_off = True
            return self._this_query[qualified]
        cut_before, self._cut_off = self._cut_off, False
        self._in_progress.add(qualified)
        try:
            found = self._resolve(qualified, depth)
        finally:
            self._in_progress.discard(qualified)
        if self._cut_off:
            self._this_query[qualified] = found
        else:
            self._resolved[qualified] = found
        self._cut_off = self._cut_off or cut_before
        return found

    def _resolve(self, qualified: str, depth: int) -> Target | None:
        if "" in qualified.split("."):
            return None  # `.foo`, `a..b`: no module has an empty name
        split = self._split(qualified)
        if split is None:
            return None
        entry, rest, origin = split
        if not rest:
            return Target("module", qualified, origin=origin)
        return self._in_module(entry, rest, origin, depth)

    def resolve_in(self, entry: ModuleEntry, rest: str, origin: str = "project") -> Target | None:
        """What `rest` (`Thing.from_dict`) names inside one module's namespace."""
        return self._in_module(entry, rest, origin, 0)

    def _in_module(self, entry: ModuleEntry, rest: str, origin: str, depth: int) -> Target | None:
        summary = entry.summary
        module = summary["module"]
        qualified = f"{module}.{rest}" if module else rest
        function = summary["functions"].get(rest)
        if function is not None:
            line, is_async = function
            where = f"{entry.display}:{line}"
            return Target("function", qualified, bool(is_async), where, origin)
        parts = rest.split(".")
        for i in range(len(parts), 0, -1):
            class_name = ".".join(parts[:i])
            bases = summary["classes"].get(class_name)
            if bases is None:
                continue
            if i == len(parts):
                return Target("class", qualified, origin=origin)
            member = ".".join(parts[i:])
            if "." in member:
                # `Config.log.warning`: a member of what a property (a method used
                # without a call) is annotated to return.
                first, _, tail = member.partition(".")
                held_by = self._in_module(entry, f"{class_name}.{first}", origin, depth + 1)
                held = self.returned_class(held_by, entry) if held_by is not None else None
                if held is not None and held_by is not None and not held_by.is_async:
                    return self.resolve(f"{held}.{tail}", depth + 1)
                if held_by is None:
                    # `context.terminated.wait` where the class body says `terminated: Event`
                    annotated = self.attribute_class(entry, f"{class_name}.{first}")
                    if annotated is not None and not annotated[1]:
                        return self.resolve(f"{annotated[0]}.{tail}", depth + 1)
                return None
            for base in bases:
                found = self._inherited(entry, base, member, origin, depth + 1)
                if found is not None:
                    return found
            return None
        head = parts[0]
        if len(parts) > 1 and head in summary.get("bindings", ()):
            # `session.execute` where `session = async_scoped_session(...)`
            held = self._bound_class(entry, head)
            return self.resolve(held + rest[len(head) :], depth + 1) if held else None
        if head in summary["imports"]:
            tail = rest[len(head) :]
            return self.resolve(summary["imports"][head] + tail, depth + 1)
        for star_module in summary["star"]:
            found = self.resolve(f"{star_module}.{rest}", depth + 1)
            if found is not None:
                return found
        return None

    def resolve_in_bases(self, entry: ModuleEntry, class_name: str, member: str) -> Target | None:
        """What `super().member` names in a method of `class_name` (defined in `entry`)."""
        for base in entry.summary["classes"].get(class_name, ()):
            found = self._inherited(entry, base, member, "project", 1)
            if found is not None:
                return found
        return None

    def _inherited(
        self, entry: ModuleEntry, base: str, member: str, origin: str, depth: int
    ) -> Target | None:
        """`member` as the base class `base` (an expression in `entry`'s module) has it."""
        if depth > 8:
            return None
        if base in entry.summary["classes"]:
            # Defined in the same module: looked up in this entry, which may be a file
            # checked under a name the index cannot find on disk.
            return self._in_module(entry, f"{base}.{member}", origin, depth)
        base_target = self._name_in(entry.summary, base)
        if not base_target:
            return None
        return self.resolve(f"{base_target}.{member}", depth)

    def class_has_coroutines_at(self, qualified: str) -> bool:
        """Whether the class `qualified` (as `resolve` names it) or a base of it has a
        method that is an `async def`; True when its module cannot be told."""
        known = self._coroutine_classes.get(qualified)
        if known is None:
            split = self._split(qualified)
            known = split is None or not split[1] or self.class_has_coroutines(*split[:2])
            self._coroutine_classes[qualified] = known
        return known

    def class_reaches_coroutines(self, qualified: str) -> bool:
        """Whether a method of the class `qualified` is an `async def`, or what one of its
        methods or properties is annotated to return (or to yield) is such a class, a
        few steps on: every class whose methods STK202 may look up from an instance of
        this one. True when unsure (its module cannot be told, the chain goes on)."""
        known = self._reaching.get(qualified)
        if known is None:
            known = self._reaching[qualified] = self._reaches(qualified, set(), 0)
        return known

    def _reaches(self, qualified: str, seen: set[str], depth: int) -> bool:
        if qualified in seen:
            return False  # explored already on this search: its answer is given there
        if depth > 3:
            return True
        known = self._reaching.get(qualified)
        if known is not None:
            return known
        seen.add(qualified)
        if self.class_has_coroutines_at(qualified):
            return True
        split = self._split(qualified)
        if split is None or not split[1]:
            return True
        entry, class_name = split[0], split[1]
        prefix = class_name + "."
        for name in entry.summary.get("returns", ()):
            if not name.startswith(prefix) or "." in name[len(prefix) :]:
                continue
            target = self._in_module(entry, name, "project", 0)
            if target is None:
                continue
            for held in (self.returned_class(target, entry), self.yielded_class(target, entry)):
                if held and self._reaches(held, seen, depth + 1):
                    return True
        for name in entry.summary.get("bindings", ()):
            # `terminated: Event`, `event_class: type[Event]` in the class body
            if name.startswith(prefix) and "." not in name[len(prefix) :]:
                annotated = self.attribute_class(entry, name)
                if annotated is not None and self._reaches(annotated[0], seen, depth + 1):
                    return True
        return False

    def class_has_coroutines(
        self, entry: ModuleEntry, class_name: str, seen: set[tuple[str, str]] | None = None
    ) -> bool:
        """Whether `class_name` of `entry`'s module, or a base of it, has a method (or a
        nested class's method) that is an `async def`: the members `_in_module` and
        `_inherited` could find."""
        seen = set() if seen is None else seen
        summary = entry.summary
        if (summary["module"], class_name) in seen:
            return False
        seen.add((summary["module"], class_name))
        prefix = class_name + "."
        for name, (_, is_async) in summary["functions"].items():
            if is_async and name.startswith(prefix):
                return True
        for base in summary["classes"].get(class_name, ()):
            if base in summary["classes"]:
                if self.class_has_coroutines(entry, base, seen):
                    return True
                continue
            base_target = self._name_in(summary, base)
            target = self.resolve(base_target) if base_target else None
            if target is not None and target.kind == "class":
                split = self._split(target.qualified)
                if split is None or not split[1]:
                    return True
                if self.class_has_coroutines(split[0], split[1], seen):
                    return True
        return False

    def _name_in(self, summary: Summary, dotted: str) -> str | None:
        """The absolute name a dotted expression in a module's namespace refers to."""
        head, dot, tail = dotted.partition(".")
        if head in summary["imports"]:
            return summary["imports"][head] + dot + tail
        if head in summary["classes"] or head in summary["functions"]:
            return f"{summary['module']}.{dotted}"
        if head in summary.get("bindings", ()):
            return f"{summary['module']}.{dotted}" if summary["module"] else dotted
        return None

    # -- what values are -------------------------------------------------------------
    # Read from annotations and module-level bindings, only when a call on the value
    # could be a coroutine (STK202 asks at calls whose answer can change a finding).

    def returned_class(self, target: Target, entry: ModuleEntry | None = None) -> str | None:
        """The class of what calling `target` gives: a class's own name; for a function,
        the one class its return annotation names (`Self`: the method's class), which
        for an `async def` is what awaiting the call gives. `entry`: the module the
        target was resolved in, when it may not be found by name (a file checked alone)."""
        if target.kind == "class":
            return target.qualified
        annotated = self._return_annotation(target, entry)
        if annotated is None:
            return None
        entry, rest, annotation = annotated
        name = annotation_class(annotation)
        if name is None:
            return None
        if name.rsplit(".", 1)[-1] == "Self":
            owner = rest.rpartition(".")[0]
            if owner not in entry.summary["classes"]:
                return None
            module = entry.summary["module"]
            return f"{module}.{owner}" if module else owner
        return self.class_named(entry, name)

    def alias_classes(self, entry: ModuleEntry, name: str, depth: int = 0) -> list[str] | None:
        """The classes a module-level alias of a union names, written in `entry`'s module
        (`ResponseTypes = Union["Response", "WerkzeugResponse"]`, here or imported):
        each qualified as `resolve` names it, or its plain name for a built-in class of
        `BUILTIN_CLASSES`; None when a member is anything else (a TypeVar, `Any`...)."""
        if depth > 4:
            return None
        summary = entry.summary
        binding = summary.get("bindings", {}).get(name)
        if binding is None:
            absolute = self._name_in(summary, name) if name in summary["imports"] else None
            split = self._split(absolute) if absolute else None
            if split is None or not split[1] or "." in split[1]:
                return None
            return self.alias_classes(split[0], split[1], depth + 1)
        if not binding.startswith("alias:"):
            return None
        text = binding[len("alias:") :].replace('"', "").replace("'", "").strip()
        origin, bracket, inner = text.partition("[")
        if not bracket or origin.strip().rsplit(".", 1)[-1] not in ("Union", "Optional"):
            return None
        classes = []
        for item in top_level_items(inner.rstrip().removesuffix("]").replace("|", ",")):
            written = item.split("[", 1)[0].strip()
            if written == "None":
                continue
            if written in BUILTIN_CLASSES and not self._name_in(summary, written):
                classes.append(written)
                continue
            held = self.class_named(entry, written) if written else None
            members = [held] if held else self.alias_classes(entry, written, depth + 1)
            if not members:
                return None
            classes.extend(members)
        return classes or None

    def is_protocol(self, qualified: str, entry: ModuleEntry | None = None) -> bool:
        """Whether a class (as `resolve` names it; `entry`: its module, when it may not
        be found by name) is a `Protocol` by its written bases, or cannot be told."""
        if entry is not None:
            module = entry.summary["module"]
            name = qualified[len(module) + 1 :] if module else qualified
        else:
            split = self._split(qualified)
            if split is None or not split[1]:
                return True
            entry, name = split[0], split[1]
        bases = entry.summary["classes"].get(name)
        if bases is None:
            return True
        return any(base.split("[", 1)[0].rsplit(".", 1)[-1] == "Protocol" for base in bases)

    def attribute_class(self, entry: ModuleEntry, attribute: str) -> tuple[str, bool] | None:
        """(qualified class, whether the attribute holds the class itself) for a class
        body's annotation in `entry`'s module: `Context.terminated` from `terminated:
        Event` is an Event; `Context.event_class` from `event_class: type[Event]` holds
        the class, whose call makes an Event."""
        binding = entry.summary.get("bindings", {}).get(attribute)
        if binding is None or "." not in attribute or not binding.startswith("type:"):
            return None
        text = binding[len("type:") :]
        written = class_object_class(text)
        is_class = written is not None
        written = written or annotation_class(text)
        held = self.class_named(entry, written) if written else None
        return (held, is_class) if held is not None else None

    def qualified_attribute_class(self, qualified: str) -> tuple[str, bool] | None:
        """`attribute_class` of `pkg.mod.Context.event_class` (the class as `resolve`
        names it, then one of its annotated attributes)."""
        owner, _, attribute = qualified.rpartition(".")
        target = self.resolve(owner) if owner else None
        if target is None or target.kind != "class":
            return None
        split = self._split(f"{target.qualified}.{attribute}")
        return self.attribute_class(split[0], split[1]) if split is not None else None

    def yielded_class(self, target: Target, entry: ModuleEntry | None = None) -> str | None:
        """The class a generator function is annotated to yield (`-> AsyncIterator[X]`,
        `Generator[X, None, None]`): what `with`/`async with` on it gives when a
        `contextmanager`/`asynccontextmanager` decorator (not seen by the line scan)
        wraps it."""
        annotated = self._return_annotation(target, entry)
        arguments = generator_arguments(annotated[2]) if annotated else None
        name = annotation_class(arguments[0]) if arguments else None
        return self.class_named(annotated[0], name) if annotated and name else None

    def returns_instance_of_owner(self, target: Target, entry: ModuleEntry | None = None) -> bool:
        """Whether a method's `__await__` gives an instance of its own class: annotated
        `Generator[Any, None, Owner]` (or `Self`)."""
        annotated = self._return_annotation(target, entry)
        arguments = generator_arguments(annotated[2]) if annotated else None
        if not annotated or not arguments:
            return False
        owner = annotated[1].rpartition(".")[0]
        return arguments[-1].rsplit(".", 1)[-1] in ("Self", owner.rsplit(".", 1)[-1])

    def returns_coroutine_function(self, target: Target, entry: ModuleEntry | None = None) -> bool:
        """Whether calling `target` gives a function that makes an awaitable: its return
        annotation is `Callable[..., Awaitable[T]]` (or `Coroutine`, or an alias of one)."""
        annotated = self._return_annotation(target, entry)
        return annotated is not None and self.is_coroutine_function_type(annotated[0], annotated[2])

    def _return_annotation(
        self, target: Target, entry: ModuleEntry | None
    ) -> tuple[ModuleEntry, str, str] | None:
        """(module entry, name inside it, return annotation) of a function that has one."""
        if target.kind != "function":
            return None
        located = self._definition(target.qualified, entry)
        if located is None:
            return None
        annotation = located[0].summary.get("returns", {}).get(located[1])
        return (*located, annotation) if annotation else None

    def is_coroutine_function_type(
        self, entry: ModuleEntry, annotation: str, depth: int = 0
    ) -> bool:
        """Whether an annotation written in `entry`'s module is a callable returning an
        awaitable: `Callable[..., Awaitable[None]]`, or a module-level alias of one
        (`ASGISendCallable`), here or imported."""
        text = annotation.strip().strip("\"'")
        if COROUTINE_CALLABLE.match(text):
            return True
        name = annotation_class(text)
        if name is None or depth > 4:
            return False
        summary = entry.summary
        binding = summary.get("bindings", {}).get(name)
        if binding is not None:
            return binding.startswith("alias:") and self.is_coroutine_function_type(
                entry, binding[len("alias:") :], depth + 1
            )
        absolute = self._name_in(summary, name)
        split = self._split(absolute) if absolute else None
        if split is None or "." in split[1] or not split[1]:
            return False
        return self.is_coroutine_function_type(split[0], split[1], depth + 1)

    def names_coroutine_function_type(self, qualified: str) -> bool:
        """Whether a module-level name (`hypercorn.typing.ASGISendCallable`) is an alias
        of `Callable[..., Awaitable[T]]`."""
        split = self._split(qualified)
        if split is None or not split[1] or "." in split[1]:
            return False
        return self.is_coroutine_function_type(split[0], split[1])

    def _definition(
        self, qualified: str, entry: ModuleEntry | None
    ) -> tuple[ModuleEntry, str] | None:
        """(module entry, name inside it) of a function the index resolved."""
        if entry is not None:
            module = entry.summary["module"]
            rest = qualified[len(module) + 1 :] if module else qualified
            if (not module or qualified.startswith(module + ".")) and rest in entry.summary[
                "functions"
            ]:
                return entry, rest
        split = self._split(qualified)
        if split is None or not split[1]:
            return None
        return split[0], split[1]

    def class_named(self, entry: ModuleEntry, dotted: str) -> str | None:
        """The qualified name of the class a dotted name written in `entry`'s module
        names, or None when it is not a class."""
        summary = entry.summary
        if dotted in summary["classes"]:
            module = summary["module"]
            return f"{module}.{dotted}" if module else dotted
        absolute = self._name_in(summary, dotted) or dotted
        target = self.resolve(absolute)
        return target.qualified if target is not None and target.kind == "class" else None

    def _bound_class(self, entry: ModuleEntry, name: str) -> str | None:
        """The class of a module-level name's value, from its `bindings` entry."""
        binding = entry.summary["bindings"][name]
        kind, _, text = binding.partition(":")
        if kind == "type":
            written = annotation_class(text)
            return self.class_named(entry, written) if written else None
        if kind != "call":
            return None
        if text.endswith("()"):
            # `Session = async_sessionmaker(engine)()`: what the factory makes.
            text = text[:-2]
            if text.rsplit(".", 1)[-1] != "async_sessionmaker":
                return None
            target = self.resolve("sqlalchemy.ext.asyncio.AsyncSession")
            return target.qualified if target is not None and target.kind == "class" else None
        absolute = self._name_in(entry.summary, text)
        target = self.resolve(absolute) if absolute else None
        if target is None:
            return None
        return self.returned_class(target)
