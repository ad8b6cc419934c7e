"""Gitignore-style patterns (a .gitignore file, `exclude`), and how they apply below a
folder named on the command line.

pathspec matches a path when a pattern matches it or any folder above it. For a
folder given on the command line that is wrong: as in ruff, exclusions apply to what
lies below it, not to the folder's own path (`stk-lint check build/proj` checks the
project even though `build` is excluded by default).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from functools import cached_property
from typing import Any

# A pattern that is a plain name (`build`, `.venv`, `*.min.js`, `dist/`): it matches a
# file or folder of that name at any depth, so one regular expression over each part of
# a path decides it. Anything else (a slash inside, `!`, brackets, escapes, spaces)
# goes to pathspec.
_PLAIN_NAME = re.compile(r"[\w.*?+-]+/?")


class Patterns:
    """Patterns relative to one folder; paths are given relative to it, in POSIX form."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        patterns = [line for line in self.lines if line and not line.startswith("#")]
        self._names: tuple[re.Pattern[str], re.Pattern[str]] | None = None
        if all(_PLAIN_NAME.fullmatch(line) and "**" not in line for line in patterns):
            # The default exclusions, and most `extend-exclude` lists: decided without
            # pathspec, which tries every pattern's expression on every path.
            anywhere = [line for line in patterns if not line.endswith("/")]
            self._names = (_any_of(anywhere), _any_of(line.rstrip("/") for line in patterns))
        else:
            self.spec.match_file("")  # refuse a pattern pathspec cannot read, now

    @cached_property
    def spec(self) -> Any:
        import pathspec

        try:
            return pathspec.GitIgnoreSpec.from_lines(self.lines)
        except re.error as error:  # `[z-a]`: pathspec's expression does not compile
            raise ValueError(f"invalid pattern: {error}") from error

    def matches(self, relative: str) -> bool:
        if self._names is None:
            return self.spec.match_file(relative)
        files, folders = self._names
        parts = relative.split("/")
        last = len(parts) - 1
        if not parts[last]:  # `name/`: a folder
            parts.pop()
            last = len(parts)
        return any(
            (folders if index < last else files).fullmatch(part)
            for index, part in enumerate(parts)
            if part not in ("", ".")
        )

    def below(self, start: str) -> PatternSet:
        """The patterns as they apply to the paths below the folder `start` when it is
        walked: a pattern matching `start` itself or a folder above it does not exclude
        everything below it."""
        if start in ("", ".") or not self.matches(start + "/"):
            return self
        return _Rebased(self.lines, start)


def pattern_problem(line: str) -> str | None:
    """Why a gitignore-style line cannot be used (git skips such a line in a
    .gitignore), or None: it does not compile (`[z-a]`, a trailing backslash), or it can
    match nothing (`[`: an unclosed bracket)."""
    import pathspec

    try:
        spec = pathspec.GitIgnoreSpec.from_lines([line])
    except (ValueError, re.error) as error:
        return str(error)
    text = line.strip()
    if text and not text.startswith("#") and all(p.regex is None for p in spec.patterns):
        return "it can match nothing (an unclosed `[`?)"
    return None


def _any_of(names: Iterable[str]) -> re.Pattern[str]:
    """One expression matching a path part that any of the glob names match."""
    alternatives = [fnmatch.translate(name) for name in names]
    return re.compile("|".join(alternatives) if alternatives else "(?!)")


class _Rebased:
    """Patterns below a folder they exclude. A pattern that matches the folder (or one
    above it) is matched against the paths below the folder instead when it names
    files or folders at any depth (`build`, `**/node_modules/`), and is dropped when it
    is anchored to a place (`/build`, `build/proj`): that place is the folder or above."""

    def __init__(self, lines: list[str], start: str) -> None:
        import pathspec

        self.prefix = start + "/"
        self.rules: list[tuple[Any, bool]] = []  # (pattern, matched below the folder)
        for line in lines:
            for pattern in pathspec.GitIgnoreSpec.from_lines([line]).patterns:
                if pattern.include is None:
                    continue  # a comment
                if pattern.match_file(self.prefix) is None:
                    self.rules.append((pattern, False))
                elif _at_any_depth(line):
                    self.rules.append((pattern, True))

    def matches(self, relative: str) -> bool:
        """Last matching pattern wins, as in git."""
        excluded = False
        below = relative[len(self.prefix) :] if relative.startswith(self.prefix) else None
        for pattern, rebased in self.rules:
            path = below if rebased else relative
            if path is not None and pattern.match_file(path) is not None:
                excluded = bool(pattern.include)
        return excluded

    def below(self, start: str) -> _Rebased:
        return self


def _at_any_depth(line: str) -> bool:
    """`build`, `*.min.js`, `**/node_modules/`: a name matched wherever it is."""
    text = line.strip().removeprefix("!")
    while text.startswith("**/"):
        text = text[3:]
    return "/" not in text.rstrip("/")


# What `.below()` gives: the patterns themselves, or the same rebased below a folder.
PatternSet = Patterns | _Rebased
