"""The results cache, `.stk_lint_cache/` in the project root.

One JSON file per configuration holds every checked file's findings and project
facts. An entry is used only when its key matches: the file's content hash, the
stk-lint build (version plus a fingerprint of its own source files, so an edited rule
never reads stale results), the effective configuration, the file's path and
language, and a digest of the cross-file project facts the file depends on. Reading
it needs neither libcst nor the rules, so a run where nothing changed never imports
them. Beside it, `summaries.json` keeps the summaries of modules read on demand
(installed libraries; stk_lint.project).

Writes go to a temporary file renamed into place, so a reader sees a whole file or
none; a file or an entry that cannot be read or decoded is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from stk_lint import __version__
from stk_lint.atomic import read_json_object, write_atomically
from stk_lint.findings import Edit, Finding, Fix

CACHE_DIR_NAME = ".stk_lint_cache"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by stk-lint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def digest(*parts: object) -> str:
    """A stable hex digest of JSON-able parts."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_fingerprint() -> str:
    """stk-lint's version and the size and mtime of each of its source files."""
    package = Path(__file__).resolve().parent
    stats = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                stats.append(
                    (
                        os.path.relpath(os.path.join(folder, name), package),
                        info.st_size,
                        info.st_mtime_ns,
                    )
                )
    return digest(__version__, stats)[:16]


def finding_to_json(finding: Finding) -> dict[str, Any]:
    return finding.to_json()


def finding_from_json(data: dict[str, Any]) -> Finding:
    """The finding kept in `data`; ValueError when it is not one (a damaged entry)."""
    fix = data["fix"]
    return Finding(
        path=_typed(data["path"], str),
        line=_typed(data["line"], int),
        column=_typed(data["column"], int),
        code=_typed(data["code"], str),
        message=_typed(data["message"], str),
        name=_typed(data["name"], str),
        end_line=_typed(data["end_line"], int),
        end_column=_typed(data["end_column"], int),
        fix=None
        if fix is None
        else Fix(
            _typed(fix["message"], str),
            _typed(fix["applicability"], str),
            tuple(
                Edit(_typed(e["start"], int), _typed(e["end"], int), _typed(e["content"], str))
                for e in fix["edits"]
            ),
        ),
    )


def _typed(value: Any, kind: type) -> Any:
    if type(value) is not kind:  # exactly: True is no line number
        raise ValueError(f"{value!r} is not {kind.__name__}")
    return value


class Cache:
    """Entries for one stk-lint build and one effective configuration.

    They live in one file, read once when first needed and written back once at the
    end of a run (`save`): a run where nothing changed opens one cache file, not one
    per checked file. Two runs at once each write a whole file; the entries of the one
    that writes first are lost, which costs the next run time, never correctness.
    """

    def __init__(self, root: Path, configuration: str) -> None:
        self.base = root / CACHE_DIR_NAME
        self.build = build_fingerprint()
        self.configuration = configuration
        self.directory = self.base / self.build
        self.file = self.directory / f"{digest('entries', configuration)[:32]}.json"
        self.hits = 0
        self.misses = 0
        # path -> kind -> [key, value]; None until first read.
        self._entries: dict[str, Any] | None = None
        self._touched: set[str] = set()

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = read_json_object(self.file)
        return self._entries

    def get(self, path: str, key: str, kind: str = "findings") -> Any | None:
        """The cached value for `path` if its key is still `key`, else None."""
        entry = self._load().get(path)
        stored = entry.get(kind) if isinstance(entry, dict) else None
        if not (isinstance(stored, list) and len(stored) == 2 and stored[0] == key):
            self.misses += 1
            return None
        self.hits += 1
        return stored[1]

    def get_findings(self, path: str, key: str) -> list[Finding] | None:
        value = self.get(path, key)
        if value is None:
            return None
        shown = path.partition("\0")[0]  # the entry's name starts with the displayed path
        try:
            findings = [finding_from_json(item) for item in value]
            if any(finding.path != shown for finding in findings):
                raise ValueError("a finding of another file")
            return findings
        except (KeyError, TypeError, ValueError, AttributeError):
            self.hits -= 1
            self.misses += 1
            return None

    def put(self, path: str, key: str, value: Any, kind: str = "findings") -> None:
        entries = self._load()
        entry = entries.get(path)
        if not isinstance(entry, dict):
            entry = entries[path] = {}
        entry[kind] = [key, value]
        self._touched.add(path)

    def get_sealed(self, path: str, key: str, kind: str) -> Any | None:
        """A value `put_sealed` stored, or None when it was changed since: for values
        too deeply shaped to check field by field (the app index's facts), a damaged
        entry is a miss, never an error."""
        stored = self.get(path, key, kind)
        if isinstance(stored, list) and len(stored) == 2 and stored[0] == digest(stored[1]):
            return stored[1]
        if stored is not None:
            self.hits -= 1
            self.misses += 1
        return None

    def put_sealed(self, path: str, key: str, value: Any, kind: str) -> None:
        self.put(path, key, [digest(value), value], kind)

    def put_findings(self, path: str, key: str, findings: list[Finding]) -> None:
        self.put(path, key, [finding_to_json(f) for f in findings])

    def save(self) -> None:
        """Write the entries back if this run changed any (atomically: a reader sees the
        old file or the new one). A read-only tree or a full disk only costs time."""
        if not self._touched or self._entries is None:
            return
        # Entries of files that no longer exist would only grow the file.
        entries = {
            name: entry
            for name, entry in self._entries.items()
            if name in self._touched or os.path.exists(name.rpartition("\0")[2])
        }
        # ASCII: a file name that is not valid UTF-8 is kept as escapes and read back.
        data = json.dumps(entries, separators=(",", ":")).encode("ascii")
        with contextlib.suppress(OSError):
            self._prepare(self.directory)
            write_atomically(self.file, data)
        self._touched.clear()

    def load_summaries(self) -> None:
        """Let stk_lint.project use the module summaries kept by earlier runs."""
        from stk_lint.summary_store import SUMMARIES

        SUMMARIES.load(self.directory / "summaries.json")

    def save_summaries(self) -> None:
        """Keep the module summaries this run read on demand for the next one."""
        from stk_lint.summary_store import SUMMARIES

        if SUMMARIES.has_added():
            with contextlib.suppress(OSError):
                self._prepare(self.directory)
                SUMMARIES.save()

    def _prepare(self, folder: Path) -> None:
        if folder.is_dir():
            return
        if not self.base.is_dir():
            self.base.mkdir(parents=True, exist_ok=True)
            _write_if_missing(self.base / "CACHEDIR.TAG", _TAG)
            _write_if_missing(self.base / ".gitignore", "# Created by stk-lint.\n*\n")
        if not self.directory.is_dir():
            self._forget_other_builds()
        folder.mkdir(parents=True, exist_ok=True)

    def _forget_other_builds(self) -> None:
        """Entries of other stk-lint builds can never match again: remove them."""
        for child in self.base.iterdir():
            if child.is_dir() and child.name != self.build:
                shutil.rmtree(child, ignore_errors=True)


def _write_if_missing(path: Path, text: str) -> None:
    if not path.exists():
        path.write_text(text, encoding="utf-8")
