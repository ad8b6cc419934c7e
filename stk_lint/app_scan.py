"""Building the app index (stk_lint.app_index) from the files on disk: the I/O edge.

A run knows some files (those it checks, already read); the app they belong to may
have more (a run over one folder, the hook's one file). The index reads every Python
module under the import roots of the files checked, and the template folders the
app's facts name. Each module's facts are cached per content (files of the run) or
per size and mtime (the others), so a warm run parses nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeGuard

from stk_lint.app_index import AppIndexes, Module, build, imported_top_levels, python_facts
from stk_lint.cache import Cache, digest
from stk_lint.config import Settings
from stk_lint.decoding import decode
from stk_lint.files import PYTHON, TEMPLATE, discover, read_source, size_limit

# The rules that read the app index (STK601-603).
APP_RULES = ("STK601", "STK602", "STK603")


def index_apps(
    project: Any,
    enabled: Iterable[str],
    checked: Iterable[tuple[Path, str, str, bytes | None]],
    paths: list[Path],
    settings: Settings,
    cache: Cache | None,
    packages: Any = None,
) -> bool:
    """The one builder of the app index for `stk-lint check`, the hook and the server:
    when a rule reading it is among the `enabled` codes, set on the project index
    (`project.app_index`) the index of the apps the `checked` files belong to (see
    `app_index_for`); whether it did."""
    if project is None or not any(code in APP_RULES for code in enabled):
        return False
    search_path = project.libraries.search_path
    project.app_index = app_index_for(checked, paths, settings, cache, search_path, packages)
    return True


def app_index_for(
    checked: Iterable[tuple[Path, str, str, bytes | None]],
    paths: list[Path],
    settings: Settings,
    cache: Cache | None,
    search_path: list[str],
    packages: Any = None,
) -> AppIndexes:
    """The indexes of the apps the checked files (path, display, language, content if
    read) belong to, one per import root; `paths` are what the run walked (their files
    need no second look)."""
    from stk_lint.project import Packages

    packages = packages or Packages()
    limit = size_limit(settings.options)
    by_root: dict[Path, _Root] = {}
    file_roots: dict[str, str] = {}
    seen: set[str] = set()
    owners: dict[Path, Path] = {}  # import root -> the app's root (see app_root)

    def owner(root: Path) -> Path:
        if root not in owners:
            owners[root] = app_root(root)
        return owners[root]

    for path, display, language, data in checked:
        if language == TEMPLATE:
            root = _package_root(path, packages)
            if root is not None:
                entry = by_root.setdefault(root, _Root())
                if display != str(path):  # the hook shows paths relative to its session
                    entry.displayed[display] = str(path)
                file_roots[display] = str(root)
            continue
        if language != PYTHON:
            continue
        try:
            content = read_source(path, limit) if data is None else data
            module, is_package, root, resolved = packages.locate(path)
        except (OSError, RuntimeError):  # unreadable; a symlink loop (RuntimeError before 3.13)
            continue
        if isinstance(content, int):
            continue  # too large to check (STK003): read no further than the limit
        root = owner(root)
        entry = by_root.setdefault(root, _Root())
        file_roots[display] = str(root)
        entry.module_paths[os.path.abspath(path)] = (module, is_package)
        if display != str(path):
            entry.displayed[display] = str(path)
        seen.add(str(resolved))
        entry.add(
            module, resolved, _facts_of_content(path, display, module, is_package, content, cache)
        )
    walked = [path.resolve() for path in paths if path.is_dir()]
    others = [path for root in by_root for path in _unwalked(root, walked)]
    if others:
        for path, language in discover(others, settings, force_exclude=True):
            if language != PYTHON:
                continue
            try:
                module, is_package, root, resolved = packages.locate(path)
            except (OSError, RuntimeError):
                continue
            root = owner(root)
            if str(resolved) in seen or root not in by_root:
                continue
            seen.add(str(resolved))
            by_root[root].add(
                module, resolved, _facts_on_disk(resolved, module, is_package, cache, limit)
            )

    def library(path: str, module: str, is_package: bool) -> dict[str, Any] | None:
        found = _facts_on_disk(Path(path), module, is_package, cache, limit)
        return found[0] if found is not None else None

    indexes = {}
    for root, entry in by_root.items():
        packages_here = {m.name.split(".", 1)[0] for m in entry.modules}
        with contextlib.suppress(OSError):
            packages_here |= {
                item.name.removesuffix(".py")
                for item in os.scandir(root)
                if item.name.endswith(".py") or (item.is_dir() and not item.name.startswith("."))
            }
        index = build(entry.modules, entry.imported, packages_here, search_path, None, library)
        index.module_paths = entry.module_paths
        index.displayed = entry.displayed
        indexes[str(root)] = index
    return AppIndexes(indexes, file_roots)


def app_root(root: Path) -> Path:
    """The import root a folder of plain modules belongs to: `tests/` (test modules, a
    `conftest.py`, no package) beside the app's package tests the app, whose import root
    is the folder above."""
    try:
        if any(_is_package(child) for child in root.iterdir()):
            return root
        parent = root.parent
        if parent != root and any(_is_package(child) for child in parent.iterdir()):
            return parent
    except OSError:
        pass
    return root


def _is_package(folder: Path) -> bool:
    return (folder / "__init__.py").is_file()


class _Root:
    """What is gathered for one import root."""

    def __init__(self) -> None:
        self.modules: list[Module] = []
        self.imported: set[str] = set()
        self.module_paths: dict[str, tuple[str, bool]] = {}
        self.displayed: dict[str, str] = {}

    def add(
        self, module: str, resolved: Path, found: tuple[dict[str, Any], list[str]] | None
    ) -> None:
        if found is not None:
            facts, names = found
            self.modules.append(Module(module, str(resolved.parent), facts))
            self.imported |= set(names)


def _unwalked(folder: Path, walked: list[Path]) -> list[Path]:
    """The parts of a folder a run did not walk: the folder itself, or, when the run walked
    some of its sub-folders, its other entries (files are not walked twice)."""
    if any(folder.is_relative_to(w) for w in walked):
        return []
    if not any(w.is_relative_to(folder) for w in walked):
        return [folder]
    parts: list[Path] = []
    with contextlib.suppress(OSError):
        for child in sorted(folder.iterdir()):
            if child.is_dir() and not child.is_symlink():
                parts.extend(_unwalked(child, walked))
            elif child.suffix == ".py":
                parts.append(child)
    return parts


def _package_root(path: Path, packages: Any) -> Path | None:
    """The import root of the package a template sits in (`stk/templates/x.html`: the
    folder holding `stk/`), or None outside any package."""
    try:
        folder = path.resolve().parent
        for candidate in (folder, *folder.parents):
            if (candidate / "__init__.py").is_file():
                return packages.locate(candidate / "__init__.py")[2]
    except (OSError, RuntimeError):
        pass
    return None


_KIND = "facts:app"


def _facts_of_content(
    path: Path, display: str, module: str, is_package: bool, data: bytes, cache: Cache | None
) -> tuple[dict[str, Any], list[str]] | None:
    name = f"{display}\0{os.path.abspath(path)}"
    key = digest(hashlib.sha256(data).hexdigest(), module, is_package)
    return _facts(data, module, is_package, cache, name, key)


def _facts_on_disk(
    path: Path, module: str, is_package: bool, cache: Cache | None, limit: int
) -> tuple[dict[str, Any], list[str]] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    name = f"{path}\0{path}"
    key = digest(info.st_mtime_ns, info.st_size, module, is_package)
    if cache is not None:
        known = cache.get_sealed(name, key, _KIND)
        if _valid(known):
            return known[0], known[1]
    try:
        data = read_source(path, limit)
    except OSError:
        return None
    if isinstance(data, int):
        return None  # larger than max-file-size-kb: not read
    return _facts(data, module, is_package, cache, name, key)


def _facts(
    data: bytes, module: str, is_package: bool, cache: Cache | None, name: str, key: str
) -> tuple[dict[str, Any], list[str]] | None:
    if cache is not None:
        known = cache.get_sealed(name, key, _KIND)
        if _valid(known):
            return known[0], known[1]
    text, _ = decode(data, PYTHON)
    if text is None:
        return None
    facts = python_facts(text, module, is_package)
    names = sorted(imported_top_levels(text))
    if cache is not None and (facts or names):
        # Most modules have neither, found again by two regular expressions: not worth
        # an entry in every run's cache file.
        cache.put_sealed(name, key, [facts, names], _KIND)
    return facts, names


def _valid(value: Any) -> TypeGuard[list[Any]]:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], dict)
        and isinstance(value[1], list)
    )


# Texts of a file that may reference what the index knows: only such files' findings
# depend on it (and are keyed on its digest in the cache).
_REFERENCES = {
    PYTHON: (b"render_template", b"stream_template", b"url_for"),
    TEMPLATE: (b"{%", b"url_for"),
}


def references_app(language: str, data: bytes) -> bool:
    return any(text in data for text in _REFERENCES.get(language, ()))


def index_digest(index: AppIndexes) -> str:
    return digest(index.digest_parts())
