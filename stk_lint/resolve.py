"""Configuration, step two: the rules and options a run checks with, in one place.

Step one (stk_lint.config) read the `[tool.stk-lint]` table and the command line's
codes without the rule registry; here the codes and option keys are checked against it
(the messages name where each came from) and resolved: the rules enabled for every
file, those enabled for one file (after `per-file-ignores`), and every option with its
default. Called once a file must really be checked: a run answered from the cache never
imports the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stk_lint.config import TABLE_KEYS, ConfigError, Settings
from stk_lint.registry import ALL_RULES, options_by_key
from stk_lint.rule import Rule


@dataclass(frozen=True, eq=False)
class Resolved:
    """Step one's settings, resolved against the rule registry."""

    config: Settings
    rules: tuple[type[Rule], ...]  # enabled for every file (before per-file ignores)
    options: dict[str, Any]  # every option: as configured, else its default
    known: tuple[type[Rule], ...] = ALL_RULES  # every rule there is
    _by_ignores: dict[tuple[str, ...], tuple[type[Rule], ...]] = field(
        default_factory=dict, repr=False
    )

    def rules_for(self, path: Path) -> tuple[type[Rule], ...]:
        """The rules enabled for this file, after `per-file-ignores`."""
        ignored = tuple(self.config.ignored_for(path))
        if not ignored:
            return self.rules
        found = self._by_ignores.get(ignored)
        if found is None:
            found = self._by_ignores[ignored] = tuple(
                r
                for r in self.rules
                if not any(c == "ALL" or r.code.startswith(c) for c in ignored)
            )
        return found

    def is_excluded(self, path: Path) -> bool:
        return self.config.is_excluded(path)

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def config_path(self) -> Path | None:
        return self.config.config_path


def resolve(settings: Settings) -> Resolved:
    """Check what step one left to check (raises ConfigError) and resolve the rules and
    options. Opt-in rules need a selector naming them more specifically than `STK`/`ALL`."""
    known_options = options_by_key()
    for kind, where, value in settings.pending:
        if kind == "codes":
            validate_codes(value, where)
            continue
        key = value
        if key not in known_options:
            valid_keys = sorted({*TABLE_KEYS, *known_options})
            raise ConfigError(f"{where}: unknown key `{key}`; valid keys: {', '.join(valid_keys)}")
        try:
            known_options[key].validate(key, settings.options[key])
        except ValueError as error:
            raise ConfigError(f"{where}: {error}") from error
    rules = tuple(rule for rule in ALL_RULES if settings.selects(rule.code, rule.default_enabled))
    resolved_options = {
        key: settings.options.get(key, option.default) for key, option in known_options.items()
    }
    return Resolved(settings, rules, resolved_options)


def validate_codes(codes: list[str], where: str) -> None:
    """Check each code names at least one rule (or is a prefix of one); `where` says where
    the codes were written."""
    for raw in codes:  # none is empty: step one refused those
        code = raw.strip().upper()
        if code != "ALL" and not any(rule.code.startswith(code) for rule in ALL_RULES):
            raise ConfigError(
                f"{where}: unknown rule code or prefix `{raw}` (see `stk-lint rules`)"
            )
