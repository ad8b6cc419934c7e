"""Whether a file belongs to an stk project: the one test every integration that runs by
itself (the Claude Code hook, editors) asks before it reports anything.

`stk-lint check` named by hand checks whatever it is given; an integration that runs on
every edit must not tell a Flask project to become Quart. It decides from what is on disk:

1. The nearest pyproject.toml with a ``[tool.stk-lint]`` table (the one `stk-lint check`
   reads): the project asked for stk-lint, so it is in scope unless the table says
   ``stk-project = false``.
2. Otherwise the project's Python: a module that imports ``stk``, or Quart (``quart``,
   ``quart_*``) together with SQLAlchemy's async API (``sqlalchemy.ext.asyncio``). A Flask
   project, or Quart without async SQLAlchemy, is not an stk project.

The scan is bounded (it runs after every edit): the edited file first, then the folders
nearest to it, outward to the project root (the nearest folder above the file holding a
pyproject.toml, setup.py, setup.cfg or .git; without one, the folder above the file's
outermost package), reading the head of at most `MAX_FILES` Python files among
`MAX_ENTRIES` folder entries, skipping virtual environments, hidden and build folders. It
stops at the first proof. What it does not reach counts as "not stk": a large project
whose stk code is far from the edited file says so with a ``[tool.stk-lint]`` table.

Standard library only (with stk_lint.config's table look-up): the Claude Code plugin runs
it with the system Python before any environment with stk-lint's dependencies exists.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stk_lint.config import DEFAULT_EXCLUDE, SCOPE_SWITCH, ConfigError, find_config

ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
MAX_FILES = 300  # Python files read
MAX_ENTRIES = 5000  # folder entries listed
HEAD_BYTES = 16384  # imports sit at the top of a module

_SKIPPED_FOLDERS = frozenset(name for name in DEFAULT_EXCLUDE if "*" not in name)
_STK = re.compile(
    rb"^[ \t]*(?:from[ \t]+stk(?:\.[\w.]+)?[ \t]+import\b|import[ \t]+stk\b(?!_))", re.M
)
_QUART = re.compile(rb"^[ \t]*(?:from|import)[ \t]+quart(?:_\w+)?\b", re.M)
_ASYNC_SQLALCHEMY = re.compile(
    rb"^[ \t]*(?:(?:from|import)[ \t]+sqlalchemy\.ext\.asyncio\b"
    rb"|from[ \t]+sqlalchemy\.ext[ \t]+import\b[^\n]*\basyncio\b)",
    re.M,
)


@dataclass(frozen=True)
class Scope:
    """The verdict for one file: `stk`, why (for messages), and the project root."""

    stk: bool
    reason: str
    root: Path


def project_scope(path: Path) -> Scope:
    """Whether `path` (a file or folder) belongs to an stk project. Never raises for a
    missing or unreadable file: what cannot be read proves nothing."""
    path = Path(os.path.abspath(path))
    folder = path if path.is_dir() else path.parent
    root = project_root(folder)
    try:
        config = find_config(folder)
    except ConfigError:
        config = None  # an unreadable pyproject.toml: decide from the code
    if config is not None:
        switch = _switch(config)
        if switch is False:
            return Scope(False, f"{config}: [tool.stk-lint] {SCOPE_SWITCH} = false", root)
        return Scope(True, f"{config} has a [tool.stk-lint] table", root)
    return _from_code(path, root)


def project_root(folder: Path) -> Path:
    """The nearest folder at or above `folder` with a project marker; without one, the
    import root of the package nearest above `folder` (the folder above its outermost
    `__init__.py`: a package's `templates/` or `static/` folder is no package itself),
    or `folder` when no folder above it is a package."""
    ancestors = (folder, *folder.parents)
    for candidate in ancestors:
        if any(os.path.exists(candidate / marker) for marker in ROOT_MARKERS):
            return candidate
    package = next((a for a in ancestors if (a / "__init__.py").is_file()), None)
    if package is None:
        return folder
    while (package / "__init__.py").is_file() and package.parent != package:
        package = package.parent
    return package


def _switch(config: Path) -> bool | None:
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
        value = data["tool"]["stk-lint"].get(SCOPE_SWITCH)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, AttributeError):
        return None
    return value if isinstance(value, bool) else None


def _from_code(path: Path, root: Path) -> Scope:
    quart = sqlalchemy = None
    for candidate in _python_files(path, root):
        head = _head(candidate)
        # A substring test first: the anchored patterns cost far more than reading.
        if b"stk" in head and _STK.search(head):
            return Scope(True, f"{candidate} imports stk", root)
        if not quart and b"quart" in head and _QUART.search(head):
            quart = candidate
        if not sqlalchemy and b"sqlalchemy" in head and _ASYNC_SQLALCHEMY.search(head):
            sqlalchemy = candidate
        if quart and sqlalchemy:
            reason = f"{quart} imports quart and {sqlalchemy} sqlalchemy.ext.asyncio"
            return Scope(True, reason, root)
    return Scope(False, f"no stk, or quart with sqlalchemy.ext.asyncio, under {root}", root)


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read(HEAD_BYTES)
    except OSError:
        return b""


def _python_files(path: Path, root: Path) -> Iterator[Path]:
    """The edited file, then the Python files of the folders nearest to it, widening one
    ancestor at a time up to `root` (breadth first below each), within the bounds."""
    if path.suffix in (".py", ".pyi") and path.is_file():
        yield path
    files = entries = 0
    done: Path | None = None  # the subtree already walked
    start = path if path.is_dir() else path.parent
    if start != root and root not in start.parents:
        start = root
    for ancestor in (start, *start.parents):
        queue = deque([ancestor])
        while queue:
            folder = queue.popleft()
            try:
                with os.scandir(folder) as listing:
                    children = sorted(listing, key=lambda entry: entry.name)
            except OSError:
                continue
            entries += len(children)
            for entry in children:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name.startswith(".") or entry.name in _SKIPPED_FOLDERS:
                            continue
                        child = Path(entry.path)
                        if child != done:
                            queue.append(child)
                    elif (
                        entry.name.endswith(".py")
                        and entry.path != str(path)
                        and entry.is_file()  # regular: reading a pipe would block the hook
                    ):
                        files += 1
                        yield Path(entry.path)
                except OSError:
                    continue
                if files >= MAX_FILES:
                    return
            if entries >= MAX_ENTRIES:
                return
        if ancestor == root:
            return
        done = ancestor
