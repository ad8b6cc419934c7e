"""The summary store: summaries of files read on demand, kept between runs."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from stk_lint.atomic import read_json_object, write_atomically
from stk_lint.summaries import (
    Summary,
    summarise,
    valid_summary,
)


def _read_text(path: Path) -> str | None:
    try:
        # utf-8-sig: a byte order mark would glue itself to the first line's `def`.
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return None


class SummaryStore:
    """Summaries of the files read on demand (installed libraries, project modules a
    run did not check), by path and module name, valid while the file's size and
    mtime are unchanged.

    One store serves the whole process. `load`/`save` keep it in the results cache
    between runs, so a one-file run (the Claude Code hook, pre-commit) does not read
    and scan the same library modules every time. Worker processes hand back what
    they added (`added`), and the parent `merge`s it before saving.
    """

    def __init__(self) -> None:
        self._entries: dict[str, list[Any]] = {}  # key -> [mtime_ns, size, summary]
        self._added: dict[str, list[Any]] = {}
        self._file: Path | None = None
        self._unread = False  # `_file` not read yet: a run answered from the cache never does

    @staticmethod
    def _key(path: str, module: str, is_package: bool) -> str:
        return f"{path}\0{module}\0{int(is_package)}"

    def summary(self, path: Path, module: str, is_package: bool) -> Summary | None:
        try:
            info = path.stat()
        except OSError:
            return None
        key = self._key(str(path), module, is_package)
        if self._unread:
            self._read()
        known = self._entries.get(key)
        if known is not None and known[0] == info.st_mtime_ns and known[1] == info.st_size:
            return known[2]
        text = _read_text(path)
        if text is None:
            return None
        summary = summarise(text, module, is_package)
        self._entries[key] = self._added[key] = [info.st_mtime_ns, info.st_size, summary]
        return summary

    def has_added(self) -> bool:
        return bool(self._added)

    def take_added(self) -> dict[str, list[Any]]:
        """The entries added since the last call (a worker hands them to its parent)."""
        added, self._added = self._added, {}
        return added

    def merge(self, entries: dict[str, list[Any]]) -> None:
        self._entries.update(entries)
        self._added.update(entries)

    def clear(self) -> None:
        """Forget every entry and the file they were kept in."""
        self._entries.clear()
        self._added.clear()
        self._file = None
        self._unread = False

    def load(self, file: Path) -> None:
        """Use the entries kept in `file` (read when first needed; a missing or
        unreadable file holds none)."""
        self._file = file
        self._unread = True

    def _read(self) -> None:
        self._unread = False
        for key, entry in read_json_object(self._file).items():  # type: ignore[arg-type]
            if (
                isinstance(entry, list)
                and len(entry) == 3
                and type(entry[0]) is int
                and type(entry[1]) is int
                and valid_summary(entry[2])
            ):
                self._entries.setdefault(key, entry)

    def save(self) -> None:
        """Write the entries back when this run added some (atomically; a failure to
        write costs only the next run's time)."""
        if self._file is None or not self._added:
            return
        if self._unread:
            self._read()  # keep what earlier runs kept
        data = json.dumps(self._entries, separators=(",", ":"))  # ASCII: any file name
        with contextlib.suppress(OSError):
            self._file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self._file, data.encode("utf-8"))
        self._added.clear()


# The process's store (see SummaryStore).
SUMMARIES = SummaryStore()
