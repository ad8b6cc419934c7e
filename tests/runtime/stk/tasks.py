import asyncio

from stk.extensions import async_session_factory

_running = set()


async def run_in_background(coroutine):
    task = asyncio.create_task(coroutine)
    _running.add(task)
    task.add_done_callback(_running.discard)


async def run_with_session(function):
    async def job():
        async with async_session_factory() as session:
            await function(session)

    await run_in_background(job())
