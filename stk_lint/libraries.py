"""Installed-library lookup: summaries of installed modules, found without importing them.

Installed libraries are found without importing them: ``PathFinder.find_spec`` one
dotted component at a time (``importlib.util.find_spec("a.b")`` would import ``a``),
then the same line scan over the source file (`stk_lint.summaries`), cached by path and
mtime (`stk_lint.summary_store`). A project's own virtualenv is searched too.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import PathFinder
from pathlib import Path

from stk_lint import paths
from stk_lint.summaries import (
    ModuleEntry,
)
from stk_lint.summary_store import SUMMARIES

# The standard library's folder: where `os` itself was found.
_STANDARD_LIBRARY = os.path.dirname(os.path.realpath(os.__file__)) + os.sep


def _in_standard_library(origin: str) -> bool:
    path = os.path.realpath(origin)
    parts = Path(path).parts
    return (
        path.startswith(_STANDARD_LIBRARY)
        and "site-packages" not in parts
        and "dist-packages" not in parts
    )


# Where an installed module is: (its .py source or None, its package folders or None).
_Location = tuple[str | None, list[str] | None]


class LibraryIndex:
    """Summaries of installed modules, found and read without importing anything."""

    def __init__(self, search_path: list[str] | None = None) -> None:
        self.search_path = list(sys.path if search_path is None else search_path)
        self._locations: dict[str, _Location | None] = {}
        self._entries: dict[str, ModuleEntry | None] = {}

    def _locate(self, module: str) -> _Location | None:
        """(source file or None, submodule folders or None), or None when not found."""
        if module in self._locations:
            return self._locations[module]
        parent, _, _ = module.rpartition(".")
        if parent:
            found_parent = self._locate(parent)
            if found_parent is None or found_parent[1] is None:
                self._locations[module] = None
                return None
            search = found_parent[1]
        else:
            search = self.search_path
        try:
            # The last component alone: with a dotted name, namespace packages look their
            # parent up in sys.modules, which holds only what the linter itself imported.
            spec = PathFinder.find_spec(module.rpartition(".")[2], search)
        except (ImportError, ValueError, OSError, KeyError):
            spec = None
        if spec is None:
            result: _Location | None = None
        else:
            origin = spec.origin if spec.origin and spec.origin.endswith(".py") else None
            locations = spec.submodule_search_locations
            result = (origin, list(locations) if locations is not None else None)
        self._locations[module] = result
        return result

    def extend(self, entries: list[str]) -> None:
        """Search these folders too (after the current ones), e.g. the project's venv."""
        new = [entry for entry in entries if entry not in self.search_path]
        if new:
            self.search_path.extend(new)
            self._locations.clear()
            self._entries.clear()

    def has_module(self, module: str) -> bool:
        return self._locate(module) is not None

    def summary(self, module: str) -> ModuleEntry | None:
        if module in self._entries:
            return self._entries[module]
        entry = None
        found = self._locate(module)
        if found is not None and found[0] is not None:
            origin = found[0]
            is_package = Path(origin).name == "__init__.py"
            summary = SUMMARIES.summary(Path(origin), module, is_package)
            if summary is not None:
                entry = ModuleEntry(summary, self._display(origin), _in_standard_library(origin))
        self._entries[module] = entry
        return entry

    def _display(self, origin: str) -> str:
        for entry in self.search_path:
            if entry and origin.startswith(entry.rstrip("/") + "/"):
                return origin[len(entry.rstrip("/")) + 1 :]
        return origin


_PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def project_root_above(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` holding a Python project's own file."""
    for candidate in (folder, *folder.parents):
        if any(paths.is_file(candidate / name) for name in _PROJECT_FILES):
            return candidate
    return None


def project_site_packages(root: Path) -> list[str]:
    """site-packages of a virtualenv kept in the project (`.venv`, `venv`, `env`): stk-lint
    is often installed on its own (pipx, a hook's environment), away from the project's
    libraries, and reads them from there."""
    found: list[str] = []
    for name in (".venv", "venv", "env"):
        venv = root / name
        if not paths.is_file(venv / "pyvenv.cfg"):
            continue
        found.extend(str(p) for p in sorted(venv.glob("lib/python3*/site-packages")))
        if paths.is_dir(venv / "Lib" / "site-packages"):
            found.append(str(venv / "Lib" / "site-packages"))
    return found
