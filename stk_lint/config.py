"""``[tool.stk-lint]`` settings, step one: read and check the table as written.

Configuration comes in two steps, as fixit's does. This module is step one: it reads
the TOML, checks its shape (types, patterns, empty codes) and normalises the rule codes,
without the rule registry (every rule, and libcst): its result, `Settings`, is also the
cache key (stk_lint.runner.configuration_digest), so a run answered from the cache never
imports the registry. Step two, stk_lint.resolve, checks the codes and option keys
against the registry and resolves the rules and options, in one place.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stk_lint import paths

# pathspec is only needed for patterns: imported where used, so a run answered from the
# cache stays light.
if TYPE_CHECKING:
    import pathspec

    from stk_lint.patterns import Patterns

DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".stk_lint_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pycache__",
    "__pypackages__",
    "_build",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "*.min.js",
)

# Files that cannot be parsed or read (STK001-STK003) are reported whatever the
# selection, as ruff always reports syntax errors: a subset of rules must not make a
# file nothing could check look clean. Only an ignore naming them turns them off.
ALWAYS_SELECTED = ("STK001", "STK002", "STK003")

# Whether this is an stk project, for the integrations that run by themselves (see
# stk_lint.scope); `stk-lint check` ignores it.
SCOPE_SWITCH = "stk-project"

_LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude")
CODE_KEYS = ("select", "extend-select", "ignore")
# The keys of [tool.stk-lint] that are not rule options.
TABLE_KEYS = (*_LIST_KEYS, "per-file-ignores", SCOPE_SWITCH)


class ConfigError(Exception):
    """Invalid configuration or command-line selection: exit code 2."""


def check_patterns(patterns: list[str], where: str) -> None:
    """Raise ConfigError naming `where` if a gitignore-style pattern cannot be read."""
    from stk_lint.patterns import pattern_problem

    for pattern in patterns:
        problem = pattern_problem(pattern)
        if problem is not None:
            raise ConfigError(f"{where}: invalid pattern `{pattern}` ({problem})")


def _selected(code: str, select: list[str], ignore: list[str]) -> bool:
    """The most specific matching prefix decides; on a tie, ignore wins."""
    best_select = max((len(p) for p in select if p == "ALL" or code.startswith(p)), default=-1)
    if best_select < 0:
        return False
    best_ignore = max((len(p) for p in ignore if p == "ALL" or code.startswith(p)), default=-1)
    return best_select > best_ignore


@dataclass
class Settings:
    """Effective settings for one run: file config merged with command-line options."""

    root: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None
    select: list[str] = field(default_factory=list)  # empty: every default-on rule
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # as written
    # What step two (stk_lint.resolve) checks against the rule registry, in the order it
    # was written: ("codes", where, codes as written) and ("option", where, key).
    pending: list[tuple[str, str, Any]] = field(default_factory=list, repr=False, compare=False)

    def selects(self, code: str, default_enabled: bool = True) -> bool:
        """Whether a rule code is enabled (before per-file ignores); needs no registry."""
        select = (self.select or ["STK"]) + self.extend_select
        if code in ALWAYS_SELECTED:
            select = [*select, "STK"]  # the least specific selector: any ignore of it wins
        if not _selected(code, select, self.ignore):
            return False
        explicit = [p for p in select if p not in ("ALL", "STK")]
        return default_enabled or _selected(code, explicit, self.ignore)

    @cached_property
    def _exclusions(self) -> Patterns:
        from stk_lint.patterns import Patterns

        return Patterns([*self.exclude, *self.extend_exclude])

    @cached_property
    def _per_file(self) -> list[tuple[pathspec.PathSpec, list[str]]]:
        import pathspec

        return [
            (pathspec.GitIgnoreSpec.from_lines([pattern]), codes)
            for pattern, codes in self.per_file_ignores.items()
        ]

    @cached_property
    def _root_prefix(self) -> str:
        root = str(self.root.resolve())
        return root if root.endswith(os.sep) else root + os.sep

    def relative(self, path: Path, resolved: Path | None = None) -> str:
        """The path relative to the project root, in POSIX form, for pattern matching.

        `resolved` is `path.resolve()` when the caller already knows it (discovery does).
        """
        try:
            text = str(resolved or path.resolve())
        except (OSError, RuntimeError):  # a symlink loop
            return path.as_posix()
        prefix = self._root_prefix
        if text.startswith(prefix):
            return text[len(prefix) :].replace(os.sep, "/")
        if text + os.sep == prefix:
            return "."
        return path.as_posix()

    def is_excluded(self, path: Path, resolved: Path | None = None) -> bool:
        return self._exclusions.matches(self.relative(path, resolved))

    def exclusion_below(self, directory: Path) -> Callable[[Path, Path | None], bool]:
        """`is_excluded` for the paths below a folder named on the command line, which is
        walked even if its own path is excluded (see stk_lint.patterns)."""
        below = self._exclusions.below(self.relative(directory))

        def excluded(path: Path, resolved: Path | None = None) -> bool:
            return below.matches(self.relative(path, resolved))

        return excluded

    def ignored_for(self, path: Path) -> list[str]:
        """The codes and prefixes `per-file-ignores` turns off for this file."""
        if not self.per_file_ignores:
            return []
        relative = self.relative(path)
        return [c for spec, codes in self._per_file if spec.match_file(relative) for c in codes]

    def add_codes(self, key: str, raw: list[str], where: str) -> None:
        """Codes given on the command line (`--select` replaces, the others add), checked
        by step two like the table's."""
        codes = [code.upper() for code in raw]
        if key == "select":
            self.select = codes
        else:
            setattr(self, key.replace("-", "_"), getattr(self, key.replace("-", "_")) + codes)
        self.pending.append(("codes", where, raw))


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.stk-lint] table."""
    start = start.resolve()
    directory = start if paths.is_dir(start) else start.parent
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if paths.is_file(pyproject):
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
                raise ConfigError(f"{pyproject}: cannot read: {error}") from error
            if "stk-lint" in _tool_table(data, pyproject):
                return pyproject
    return None


def _tool_table(data: dict[str, Any], pyproject: Path) -> dict[str, Any]:
    """The [tool] table of a parsed pyproject.toml (empty when there is none)."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{pyproject}: `tool` must be a table, got {tool!r}")
    return tool


def load_settings(config_path: Path | None) -> Settings:
    """Settings from a pyproject.toml's [tool.stk-lint] table; defaults when there is none
    (step one: rule codes and option keys are checked by stk_lint.resolve)."""
    if config_path is None:
        return Settings()
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{config_path}: cannot read: {error}") from error
    table = _tool_table(data, config_path).get("stk-lint", {})
    return settings_from_table(table, config_path)


def _upper_codes(codes: list[str], where: str) -> list[str]:
    return [code.strip().upper() for code in _named(codes, where)]


def _named(codes: list[str], where: str) -> list[str]:
    """The codes, refusing an empty one (`[""]` names no rule: a typo, not a choice)."""
    for code in codes:
        if not code.strip():
            raise ConfigError(f"{where}: an empty rule code; name a code or prefix, or `ALL`")
    return codes


def settings_from_table(table: dict[str, Any], config_path: Path) -> Settings:
    """Settings from a table: its shape checked, codes upper-cased, options as written
    (their keys and values, and the codes, are checked by stk_lint.resolve)."""
    where = f"{config_path} [tool.stk-lint]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    settings = Settings(root=config_path.parent, config_path=config_path)
    for key, value in table.items():
        if key == SCOPE_SWITCH:
            # Read by stk_lint.scope for the integrations that run by themselves (the
            # Claude Code hook); a check named by hand checks what it is given.
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `{key}` must be true or false")
        elif key in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: `{key}` must be a list of strings")
            if key == "select" and not value:
                raise ConfigError(
                    f"{where}: `select` is empty, which would enable no rule; leave it out "
                    "for the default rules, or name codes, prefixes or `ALL`"
                )
            if key in CODE_KEYS:
                settings.pending.append(("codes", f"{where} `{key}`", value))
                value = _upper_codes(value, f"{where} `{key}`")
            else:
                check_patterns(value, f"{where} `{key}`")
            setattr(settings, key.replace("-", "_"), list(value))
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")
            for pattern, listed in value.items():
                if not isinstance(listed, list) or not all(isinstance(c, str) for c in listed):
                    raise ConfigError(
                        f"{where}: `per-file-ignores` entry `{pattern}` must be a list of codes"
                    )
                check_patterns([pattern], f"{where} `per-file-ignores`")
                codes_where = f"{where} `per-file-ignores` `{pattern}`"
                settings.pending.append(("codes", codes_where, listed))
                settings.per_file_ignores[pattern] = _upper_codes(listed, codes_where)
        else:
            settings.options[key] = value  # a rule option: checked by stk_lint.resolve
            settings.pending.append(("option", where, key))
    return settings
