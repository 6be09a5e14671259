"""Set-up steps done the way a bot does them, on NATS as one user, from a browser test."""

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import nats

from tests.support.nats_programs import NatsUser

T = TypeVar("T")
STEPS_WITHIN_SECONDS = 15


def as_nats_user(nats_url: str, username: str, steps: Callable[[NatsUser], Awaitable[T]]) -> T:
    """Run ``steps`` as ``username`` on NATS; their result.

    In a thread and event loop of its own: Playwright's sync API owns this thread's loop.
    """

    async def run() -> T:
        nc = await nats.connect(nats_url)
        try:
            return await steps(NatsUser(nc, username))
        finally:
            await nc.drain()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=STEPS_WITHIN_SECONDS)
