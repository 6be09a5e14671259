"""The queue of packets waiting to be written to one Engine.IO socket, or read from a websocket.

Follows the part of ``asyncio.Queue``'s interface that python-engineio 4.15.1
``AsyncSocket`` (``poll``, ``send``, ``close``: ``put``, ``get``, their
``_nowait`` forms, ``qsize``, ``empty``, ``task_done``, ``join``) and uvicorn 0.54.0
``WebSocketsSansIOProtocol`` (``put_nowait``, ``get``, ``empty``) call. Both give
every connection an ``asyncio.Queue``: three deques and an ``Event`` with a fourth,
even while nothing waits in it. ``PacketQueue`` has one deque that exists only
while packets wait, and futures made only while someone waits.

Upstream, a queue factory in uvicorn's protocol and an ``asyncio.Queue`` that
made its deques lazily would make this module unnecessary; python-engineio already
takes it through ``AsyncServer.create_queue``.
"""

import asyncio
from collections import deque
from typing import Any

__all__ = ["PacketQueue"]


class PacketQueue:
    """An unbounded FIFO with ``asyncio.Queue``'s semantics for Engine.IO's calls."""

    __slots__ = ("_items", "_getters", "_joiners", "_unfinished")

    def __init__(self) -> None:
        self._items: deque[Any] | None = None
        self._getters: list[asyncio.Future[None]] | None = None
        self._joiners: list[asyncio.Future[None]] | None = None
        self._unfinished = 0

    def qsize(self) -> int:
        """Packets waiting."""
        return len(self._items) if self._items else 0

    def empty(self) -> bool:
        """True when nothing waits."""
        return not self._items

    def put_nowait(self, item: Any) -> None:
        """Queue ``item`` and wake the first waiting ``get``."""
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        self._unfinished += 1
        self._wake_next_getter()

    async def put(self, item: Any) -> None:
        """Queue ``item`` (never waits: the queue is unbounded)."""
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        """The oldest item; ``asyncio.QueueEmpty`` when there is none."""
        if not self._items:
            raise asyncio.QueueEmpty
        item = self._items.popleft()
        if not self._items:
            self._items = None  # an empty deque still holds its first block of items
        return item

    async def get(self) -> Any:
        """The oldest item, waiting for one if needed."""
        while not self._items:
            getter = asyncio.get_running_loop().create_future()
            if self._getters is None:
                self._getters = []
            self._getters.append(getter)
            try:
                await getter
            except BaseException:
                if getter in self._getters:
                    self._getters.remove(getter)
                elif not getter.cancelled() and self._items:
                    # Woken, then cancelled before it ran: pass the wake-up on.
                    self._wake_next_getter()
                raise
            if not self._getters:
                self._getters = None
        return self.get_nowait()

    def task_done(self) -> None:
        """One item taken earlier is fully handled."""
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if self._unfinished == 0 and self._joiners:
            for joiner in self._joiners:
                if not joiner.done():
                    joiner.set_result(None)
            self._joiners = None

    async def join(self) -> None:
        """Wait until every item put has been taken and marked done."""
        if self._unfinished == 0:
            return
        joiner = asyncio.get_running_loop().create_future()
        if self._joiners is None:
            self._joiners = []
        self._joiners.append(joiner)
        await joiner

    def _wake_next_getter(self) -> None:
        while self._getters:
            getter = self._getters.pop(0)
            if not getter.done():
                getter.set_result(None)
                return
