import asyncio

from stk.extensions import async_session_factory

_running = set()


async def run_in_background(coroutine):
    task = asyncio.create_task(coroutine)
    _running.add(task)
    task.add_done_callback(_running.discard)


async def run_with_session(function):
    """Commits when `function` returns, rolls back if it raises.

    As the sample app's does, and as stk's original example implies (its task function
    changes a row and never commits).
    """

    async def job():
        async with async_session_factory() as session:
            try:
                await function(session)
                await session.commit()
            except Exception:
                await session.rollback()
                raise

    await run_in_background(job())
