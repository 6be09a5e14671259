"""Waiting for a condition that no event announces."""

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]], timeout: float = 10, every: float = 0.02
) -> float:
    """Poll ``condition`` (plain or async) until it holds; the seconds it took.

    Fails with ``TimeoutError`` after ``timeout``. A test waits for an event where there is
    one (``ChatClient.wait_for``, ``Inbox.wait_for``); this is for state that changes unseen,
    such as a watched bucket copy catching up or a process exiting.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(timeout):
        while not await _holds(condition):
            await asyncio.sleep(every)
    return loop.time() - started


async def _holds(condition: Callable[[], bool | Awaitable[bool]]) -> bool:
    result = condition()
    if inspect.isawaitable(result):
        return bool(await result)
    return bool(result)
