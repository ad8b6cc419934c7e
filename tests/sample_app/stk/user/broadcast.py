"""In-process fan-out of activity events to websocket listeners."""

import asyncio
from typing import Any

_listeners: set[asyncio.Queue] = set()


def subscribe() -> asyncio.Queue:
    queue: asyncio.Queue = asyncio.Queue(maxsize=100)
    _listeners.add(queue)
    return queue


def unsubscribe(queue: asyncio.Queue) -> None:
    _listeners.discard(queue)


def publish(event: dict[str, Any]) -> int:
    """Queue `event` for every listener; a listener that is full misses it. Returns the count."""
    delivered = 0
    for queue in list(_listeners):
        try:
            queue.put_nowait(event)
            delivered += 1
        except asyncio.QueueFull:
            pass
    return delivered
