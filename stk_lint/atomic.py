"""Whole-file writes: a reader sees the old content or the new, never a part."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
