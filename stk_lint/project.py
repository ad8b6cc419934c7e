"""The hook for cross-file facts (e.g. STK202 missing-await's index of `async def`s).

A project pass has three pure parts:

- ``summarize(source, path) -> facts``: one file's facts, JSON-able, from its text alone.
  Cached per file by content, so an unchanged file is never read for facts again.
  Keep it cheap (it runs on every file, before checking): bail out on a substring
  test (`"async def" not in source`) and use ``ast`` rather than a second libcst parse.
- ``combine({path: facts}) -> project``: the index handed to every checker as `project`.
- ``dependency_digest(project, path, facts) -> str``: a digest of exactly the index
  facts this file's findings can depend on (say, the async-ness of the names it
  imports). It is part of the file's cache key: a file is re-checked when those facts
  change, and only then.

Register one by assigning ``PROJECT_PASS`` (the runner reads it at run time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProjectPass:
    name: str
    summarize: Callable[[str, str], Any]
    combine: Callable[[dict[str, Any]], Any]
    dependency_digest: Callable[[Any, str, Any], str]


PROJECT_PASS: ProjectPass | None = None
