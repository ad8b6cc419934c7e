"""Finding the files to check: directory walks honouring .gitignore and `exclude`."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from stk_lint.config import Settings
from stk_lint.languages import JS, PYTHON, TEMPLATE
from stk_lint.paths import exists, is_dir, is_file

if TYPE_CHECKING:
    from stk_lint.patterns import Patterns, PatternSet

LANGUAGE_BY_SUFFIX = {
    ".py": PYTHON,
    ".pyi": PYTHON,
    ".html": TEMPLATE,
    ".htm": TEMPLATE,
    ".jinja": TEMPLATE,
    ".jinja2": TEMPLATE,
    ".j2": TEMPLATE,
    ".js": JS,
    ".mjs": JS,
}


DEFAULT_MAX_FILE_SIZE_KB = 1024  # STK003's `max-file-size-kb`, for reads before options load


def read_source(path: Path | str, limit: int) -> bytes | int:
    """A file's bytes, or its size when it holds more than `limit` bytes: no more than
    `limit` + 1 bytes are ever read (a 2 GB file is not loaded to be found too large).
    OSError when it cannot be read or is not a regular file (a pipe would block)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if status.st_size > limit:
            return status.st_size
        data = handle.read(limit + 1)
        if len(data) > limit:  # it grew since: as large as it now is
            return max(os.fstat(descriptor).st_size, len(data))
        return data


def size_limit(options: dict[str, object]) -> int:
    """The size above which a file is not checked, in bytes (`max-file-size-kb`; the
    default while an invalid value waits to be reported)."""
    value = options.get("max-file-size-kb")
    if type(value) is not int or value <= 0:
        value = DEFAULT_MAX_FILE_SIZE_KB
    return value * 1024


def language_of(path: Path | str) -> str | None:
    """The checker a file goes to, or None when stk-lint does not handle its type."""
    name = os.path.basename(str(path)).lower()
    if name.endswith(".min.js"):
        return None
    return LANGUAGE_BY_SUFFIX.get(os.path.splitext(name)[1])


class _GitIgnores:
    """The .gitignore rules that apply in a directory, each relative to its own folder.

    Folders and paths are absolute, so the rules of folders above a relative path given
    on the command line match its files too.
    """

    def __init__(self, specs: tuple[tuple[Path, PatternSet], ...] = ()) -> None:
        self.specs = specs

    def entering(self, directory: Path, absolute: Path) -> _GitIgnores:
        """The rules inside `directory` (at `absolute`, the path the walk matches with)."""
        gitignore = directory / ".gitignore"
        if not is_file(gitignore):
            return self
        try:
            lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return self
        return _GitIgnores((*self.specs, (absolute, _gitignore_patterns(lines))))

    def below(self, start: Path) -> _GitIgnores:
        """The rules of folders above `start` as they apply below it, when it is walked
        (see stk_lint.patterns): git ignoring `start` itself does not count."""
        return _GitIgnores(
            tuple(
                (base, patterns.below(start.relative_to(base).as_posix()))
                for base, patterns in self.specs
            )
        )

    def ignored(self, path: Path, is_dir: bool) -> bool:
        """Whether git ignores `path` (absolute, as given to `entering`)."""
        for base, spec in self.specs:
            try:
                relative = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.matches(relative + "/" if is_dir else relative):
                return True
        return False


def _gitignore_patterns(lines: list[str]) -> Patterns:
    """The rules of a .gitignore file; a line git cannot read is skipped, as git does
    (pathspec would refuse the whole file)."""
    from stk_lint.patterns import Patterns

    try:
        return Patterns(lines)
    except ValueError:
        return Patterns([line for line in lines if _readable(line)])


def _readable(line: str) -> bool:
    from stk_lint.patterns import pattern_problem

    return pattern_problem(line) is None


def _ancestor_ignores(directory: Path) -> _GitIgnores:
    """.gitignore files above `directory` (resolved), up to the enclosing git work tree's
    top, as they apply below it."""
    chain = []
    for candidate in (directory, *directory.parents):
        chain.append(candidate)
        if exists(candidate / ".git"):
            break
    else:
        chain = [directory]  # not in a git work tree: only the walked folders count
    ignores = _GitIgnores()
    for folder in reversed(chain[1:]):
        ignores = ignores.entering(folder, folder)
    return ignores.below(directory)


def _identity(path: Path) -> Path:
    """The real path, to see each file once; a symlink loop has none, so its own path."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop, on Python < 3.13
        return path.absolute()


def _is_virtualenv(directory: Path) -> bool:
    return is_file(directory / "pyvenv.cfg")


def _is_symlink(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True  # resolved like one: a real path, or its own when it has none


_SPECIAL_FILES = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


def special_file_kind(mode: int) -> str | None:
    """What a file that is not a regular file is (None for a regular one)."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _SPECIAL_FILES if test(mode)), "a device or special file")


def _is_regular_or_unreadable(entry: os.DirEntry[str]) -> bool:
    """False for a pipe, socket or device: reading a pipe blocks until someone writes
    to it, and the others are not source files. A broken link or a link loop stays in,
    to be reported as unreadable."""
    try:
        # From the directory listing: no system call for a plain file.
        return entry.is_file() or special_file_kind(entry.stat().st_mode) is None
    except OSError:
        return True


def discover(
    paths: list[Path],
    settings: Settings,
    force_exclude: bool = False,
    warn: Callable[[str], None] | None = None,
) -> Iterator[tuple[Path, str]]:
    """Yield (file, language) for every checkable file under `paths`, each once, in order.

    Files named explicitly are checked even if excluded, as in ruff, unless
    `force_exclude` (what pre-commit hooks want). `warn` hears why a file named
    explicitly is not checked.
    """
    seen: set[Path] = set()
    for path in paths:
        if is_dir(path):
            if force_exclude and settings.is_excluded(path):
                continue
            resolved = path.resolve()
            seen.add(resolved)
            ignores = _ancestor_ignores(resolved)
            excluded = settings.exclusion_below(path)
            yield from _walk(path, resolved, resolved, excluded, ignores, seen, warn)
        else:
            language = language_of(path)
            if language is None:
                if warn is not None:
                    warn(f"{path.as_posix()}: skipped: {_why_not_checked(path)}")
                continue
            if force_exclude and settings.is_excluded(path):
                continue
            kind = _special_kind(path)
            if kind is not None:
                if warn is not None:
                    warn(f"{path.as_posix()}: not a regular file ({kind}); skipped")
                continue
            key = _identity(path)
            if key not in seen and language is not None:
                seen.add(key)
                yield path, language


def _why_not_checked(path: Path) -> str:
    if path.name.lower().endswith(".min.js"):
        return "minified JavaScript is not checked"
    return "not a file type stk-lint checks (Python, Jinja templates, JavaScript)"


def _special_kind(path: Path) -> str | None:
    try:
        return special_file_kind(path.stat().st_mode)
    except OSError:
        return None  # unreadable: reported when it is read


def _walk(
    directory: Path,
    absolute: Path,
    resolved_dir: Path,
    excluded: Callable[[Path, Path | None], bool],
    ignores: _GitIgnores,
    seen: set[Path],
    warn: Callable[[str], None] | None = None,
) -> Iterator[tuple[Path, str]]:
    """`absolute`: where the walk is, symlinks kept (what .gitignore rules match);
    `resolved_dir`: the real folder (what identifies files); `excluded`: the
    configuration's exclusions below the folder the walk started from. A folder that
    cannot be listed is named to `warn` and skipped; the walk goes on."""
    ignores = ignores.entering(directory, absolute)
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        if warn is not None:
            reason = error.strerror or type(error).__name__
            warn(f"{directory.as_posix()}: cannot list the folder ({reason}); skipped")
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()  # follows symlinks; loops end at `seen` below
        except OSError:
            is_dir = False  # a link loop: reported as unreadable when it is read
        language = None if is_dir else language_of(entry.name)
        if not is_dir and language is None:
            continue  # not a file stk-lint checks: no need to match it against patterns
        path = directory / entry.name if str(directory) != "." else Path(entry.name)
        # Inside a resolved folder only a symlink needs resolving again.
        key = _identity(path) if _is_symlink(entry) else resolved_dir / entry.name
        if ignores.ignored(absolute / entry.name, is_dir) or excluded(path, key):
            continue
        if is_dir:
            if _is_virtualenv(path):
                continue
            if key in seen:
                continue
            seen.add(key)
            yield from _walk(path, absolute / entry.name, key, excluded, ignores, seen, warn)
        else:
            if not _is_regular_or_unreadable(entry):
                continue
            if key not in seen and language is not None:
                seen.add(key)
                yield path, language
