"""``[tool.stk-lint]`` settings: loading, validation and rule selection."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stk_lint import paths

# The registry imports every rule and so libcst, and pathspec is only needed for
# patterns: both are imported where used, so a run answered from the cache stays light.
if TYPE_CHECKING:
    import pathspec

    from stk_lint.patterns import Patterns
    from stk_lint.registry import Rule

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


class ConfigError(Exception):
    """Invalid configuration or command-line selection: exit code 2."""


def validate_codes(codes: list[str], where: str) -> list[str]:
    """Upper-case the codes and check each names at least one rule (or is a prefix of one)."""
    from stk_lint.registry import ALL_RULES

    result = []
    for raw in _named(codes, where):
        code = raw.strip().upper()
        if code != "ALL" and not any(rule.code.startswith(code) for rule in ALL_RULES):
            raise ConfigError(
                f"{where}: unknown rule code or prefix `{raw}` (see `stk-lint rules`)"
            )
        result.append(code)
    return result


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
    options: dict[str, Any] = field(default_factory=dict)
    # Checks of rule codes and option keys need the registry (every rule, and libcst).
    # Loading with `defer_checks` postpones them to `validate()`, called as soon as any
    # file has to be checked: a run answered wholly from the cache never needs them, and
    # the cache only holds entries made under a configuration that passed them.
    deferred_checks: list[Callable[[], object]] = field(
        default_factory=list, repr=False, compare=False
    )

    def validate(self) -> None:
        """Run the postponed checks (raises ConfigError)."""
        checks, self.deferred_checks = self.deferred_checks, []
        for check in checks:
            check()

    @cached_property
    def rules(self) -> tuple[type[Rule], ...]:
        """Rules enabled for every file (before per-file ignores).

        Opt-in rules need a selector naming them more specifically than `STK`/`ALL`.
        """
        from stk_lint.registry import ALL_RULES

        self.validate()
        return tuple(rule for rule in ALL_RULES if self.selects(rule.code, rule.default_enabled))

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
        return lambda path, resolved=None: below.matches(self.relative(path, resolved))

    def rules_for(self, path: Path) -> tuple[type[Rule], ...]:
        if not self.per_file_ignores:
            return self.rules
        relative = self.relative(path)
        ignored = [c for spec, codes in self._per_file if spec.match_file(relative) for c in codes]
        if not ignored:
            return self.rules
        return tuple(
            r for r in self.rules if not any(c == "ALL" or r.code.startswith(c) for c in ignored)
        )

    def option(self, key: str) -> Any:
        from stk_lint.registry import options_by_key

        return self.options.get(key, options_by_key()[key].default)

    def resolved_options(self) -> dict[str, Any]:
        from stk_lint.registry import options_by_key

        self.validate()
        return {key: self.option(key) for key in options_by_key()}


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


def load_settings(config_path: Path | None, defer_checks: bool = False) -> Settings:
    """Settings from a pyproject.toml's [tool.stk-lint] table; defaults when there is none.

    With `defer_checks`, rule codes and option keys are checked by `Settings.validate()`.
    """
    if config_path is None:
        return Settings()
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{config_path}: cannot read: {error}") from error
    table = _tool_table(data, config_path).get("stk-lint", {})
    if not defer_checks:
        return settings_from_table(table, config_path)
    settings = settings_from_table(table, config_path, check_rules=False)
    settings.deferred_checks.append(lambda: settings_from_table(table, config_path))
    return settings


def _upper_codes(codes: list[str], where: str) -> list[str]:
    return [code.strip().upper() for code in _named(codes, where)]


def _named(codes: list[str], where: str) -> list[str]:
    """The codes, refusing an empty one (`[""]` names no rule: a typo, not a choice)."""
    for code in codes:
        if not code.strip():
            raise ConfigError(f"{where}: an empty rule code; name a code or prefix, or `ALL`")
    return codes


def settings_from_table(
    table: dict[str, Any], config_path: Path, check_rules: bool = True
) -> Settings:
    """Settings from a table. Without `check_rules` the codes are only normalised and
    options kept as written (see `Settings.deferred_checks`)."""
    where = f"{config_path} [tool.stk-lint]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    settings = Settings(root=config_path.parent, config_path=config_path)
    if check_rules:
        from stk_lint.registry import options_by_key

        known_options = options_by_key()
        codes = validate_codes
    else:
        known_options = {}
        codes = _upper_codes
    valid_keys = {*_LIST_KEYS, "per-file-ignores", SCOPE_SWITCH, *known_options}
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
            if key in ("select", "extend-select", "ignore"):
                value = codes(value, f"{where} `{key}`")
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
                settings.per_file_ignores[pattern] = codes(
                    listed, f"{where} `per-file-ignores` `{pattern}`"
                )
        elif not check_rules:
            settings.options[key] = value  # checked against the registry when needed
        elif key not in known_options:
            raise ConfigError(
                f"{where}: unknown key `{key}`; valid keys: {', '.join(sorted(valid_keys))}"
            )
        else:
            try:
                settings.options[key] = known_options[key].validate(key, value)
            except ValueError as error:
                raise ConfigError(f"{where}: {error}") from error
    return settings
