"""Whole-file writes: a reader sees the old content or the new, never a part; and the
matching read of the JSON files stk-lint keeps (the cache)."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any


def write_atomically(destination: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temporary file beside `destination`, then rename it into place (not
    flushed to disk: for what stk-lint keeps, a lost write costs only time)."""
    temporary = _temporary_beside(destination, data, durable=False)
    try:
        os.chmod(temporary, mode)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _temporary_beside(destination: Path, data: bytes, durable: bool = True) -> str:
    """A new file holding `data` (flushed to disk if `durable`) in `destination`'s folder."""
    handle, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".stk-lint.tmp"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def read_only(status: os.stat_result, path: Path) -> bool:
    """Whether the user may not write the file, as its permission bits say: no write
    access for this user, or (root may write anything) no write bit set at all."""
    return not os.access(path, os.W_OK) or not status.st_mode & 0o222


def replace_content(path: Path, data: bytes, original: bytes) -> None:
    """Give the regular file at `path` (no symlink) the content `data` and keep all the
    rest: its inode's other names (hard links), mode, owner, group and extended
    attributes (ACLs among them).

    The new content is written to a temporary file that takes the old one's place in
    one rename, so a reader sees the old content or the new, never a part; when that
    file cannot carry all the old one had (several hard links, an owner or attribute
    this user cannot set, a folder this user cannot write), the file is rewritten in
    place instead, and put back as it was if that write fails. Raises OSError.
    """
    status = os.stat(path)
    if status.st_nlink == 1:
        try:
            temporary = _temporary_beside(path, data)
        except OSError:
            temporary = None  # a folder we cannot write: the file itself may still be
        if temporary is not None:
            try:
                if _carry_over(path, temporary, status):
                    os.replace(temporary, path)
                    return
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            Path(temporary).unlink(missing_ok=True)
    _rewrite_in_place(path, data, original)


def _carry_over(source: Path, temporary: str, status: os.stat_result) -> bool:
    """Give `temporary` the mode, owner, group and extended attributes of `source`;
    False when some of them cannot be given."""
    os.chmod(temporary, stat.S_IMODE(status.st_mode))
    new = os.stat(temporary)
    if (new.st_uid, new.st_gid) != (status.st_uid, status.st_gid):
        try:
            os.chown(temporary, status.st_uid, status.st_gid)
        except OSError:
            return False
        os.chmod(temporary, stat.S_IMODE(status.st_mode))  # chown may clear set-id bits
    if not hasattr(os, "listxattr"):
        return True
    try:
        names = os.listxattr(source)
    except OSError:  # a file system without extended attributes: nothing to carry
        return True
    for name in names:
        try:
            value = os.getxattr(source, name)
            with contextlib.suppress(OSError):
                if os.getxattr(temporary, name) == value:
                    continue  # set by the system already (a security label)
            os.setxattr(temporary, name, value)
        except OSError:
            return False
    return True


def _rewrite_in_place(path: Path, data: bytes, original: bytes) -> None:
    with open(path, "r+b") as stream:
        try:
            stream.write(data)
            stream.truncate()
            stream.flush()
            os.fsync(stream.fileno())
        except OSError:
            with contextlib.suppress(OSError):  # the old content fits where it was
                stream.seek(0)
                stream.write(original)
                stream.truncate()
                stream.flush()
            raise


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path`; empty when the file is missing, unreadable or not one
    (a kept file that cannot be used is a miss, never an error)."""
    try:
        data = json.loads(read_regular_file(path))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def read_regular_file(path: Path | str) -> bytes:
    """The content of `path`; OSError unless it is a regular file (a named pipe in its
    place would block the reader until someone writes to it)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(f"{path}: not a regular file")
        return handle.read()
