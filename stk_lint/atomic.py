"""Whole-file writes: a reader sees the old content or the new, never a part; and the
matching read of the JSON files stk-lint keeps (the cache)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomically(destination: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temporary file beside `destination`, then rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".stk-lint-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path`; empty when the file is missing, unreadable or not one
    (a kept file that cannot be used is a miss, never an error)."""
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
