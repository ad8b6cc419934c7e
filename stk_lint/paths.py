"""Questions about paths that never raise: pathlib's `is_file()`, `is_dir()` and
`exists()` answer False for a missing path but let "permission denied" through (a
folder under /proc, a folder the user cannot enter), which must not end a run."""

from __future__ import annotations

from pathlib import Path


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False
