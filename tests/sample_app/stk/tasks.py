"""Background work on the app's own event loop (stk has no Celery).

`await run_in_background(coro)` schedules a coroutine and returns its task;
`await run_with_session(func, *args)` does the same for `func(session, *args)` with a
session of its own, committed when `func` returns and rolled back if it raises.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import stk.extensions as ext

log = logging.getLogger(__name__)

# The event loop keeps only weak references to tasks: hold them until they finish.
_running: set[asyncio.Task] = set()


async def run_in_background(coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
    task = asyncio.create_task(coro)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


async def run_with_session(
    func: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any
) -> asyncio.Task:
    return await run_in_background(_with_session(func, *args, **kwargs))


async def _with_session(func: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
    async with ext.async_session_factory() as session:
        try:
            result = await func(session, *args, **kwargs)
            await session.commit()
            return result
        except Exception:
            await session.rollback()
            raise


def _finished(task: asyncio.Task) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("Background task failed", exc_info=task.exception())


async def wait_for_background_tasks() -> None:
    """Let every scheduled task finish (used at shutdown and by tests)."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)
