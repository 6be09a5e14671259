"""Users chatting together: a crowd in one chat, bursts of sends, and the audit at the end."""

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from .clients import Send, Sender, register_and_login
from .figures import Figures, audit
from .system import ChaosSystem

__all__ = ["BURST_LIMIT", "Progress", "burst", "chaos_system", "crowd", "finish"]

# Acknowledged sends must all be in by then, faults included.
BURST_LIMIT = 300.0


class Progress:
    """Counts acknowledgements so faults can be timed to a point in the burst."""

    def __init__(self) -> None:
        self.acked = 0
        self.last_ack = time.monotonic()
        self._changed = asyncio.Condition()

    async def ack(self) -> None:
        async with self._changed:
            self.acked += 1
            self.last_ack = time.monotonic()
            self._changed.notify_all()

    async def reached(self, count: int, timeout: float = BURST_LIMIT) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.acked >= count)

    async def next_ack(self, timeout: float = BURST_LIMIT) -> float:
        """Wait for the next acknowledgement; the seconds that took."""
        started = time.monotonic()
        await self.reached(self.acked + 1, timeout)
        return time.monotonic() - started


@contextlib.asynccontextmanager
async def chaos_system(root: Path | None) -> AsyncIterator[ChaosSystem]:
    """A fresh system in ``root`` (default: a temporary directory)."""
    with contextlib.ExitStack() as stack:
        root = root or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        async with ChaosSystem(root) as system:
            yield system


async def crowd(system: ChaosSystem, count: int) -> tuple[list[Sender], str]:
    """``count`` connected users, all members of one public chat; the chat id."""
    async with httpx.AsyncClient(base_url=system.url, timeout=10) as http:
        tokens = [await register_and_login(http, f"chaos{i}") for i in range(count)]
    senders = [Sender(system.url, f"chaos{i}", token) for i, token in enumerate(tokens)]
    await asyncio.gather(*(sender.connect() for sender in senders))
    chat = await senders[0].ok("chats:create", {"name": "chaos"})
    await asyncio.gather(*(sender.ok("chats:join", {"chat_id": chat["id"]}) for sender in senders))
    return senders, chat["id"]


async def burst(
    senders: list[Sender],
    chat_id: str,
    total: int,
    progress: Progress,
    *,
    spread: float = 0.0,
) -> list[Send]:
    """Every sender sends its share of ``total`` messages, one after another, until acked.

    With ``spread`` the n-th message of a share goes no earlier than n/count of it.
    """

    async def share(sender: Sender, count: int) -> list[Send]:
        sends = []
        started = time.monotonic()
        for n in range(count):
            if spread:
                await asyncio.sleep(max(0.0, started + spread * n / count - time.monotonic()))
            name = f"{sender.username}-m{n}"
            send = await sender.send(chat_id, Send(name, f"{name} says hi"), within=BURST_LIMIT)
            if send.acked:
                await progress.ack()
            sends.append(send)
        return sends

    if not senders:
        return []
    counts = [total // len(senders) + (i < total % len(senders)) for i in range(len(senders))]
    shares = await asyncio.gather(*(share(s, c) for s, c in zip(senders, counts, strict=True)))
    return [send for sends in shares for send in sends]


async def finish(
    system: ChaosSystem, figures: Figures, sends: list[Send], senders: list[Sender], chat_id: str
) -> Figures:
    """Read the chat back and audit it; close the clients."""
    history = await senders[0].history_after(chat_id, 0)
    audit(figures, sends, history, senders, chat_id=chat_id)
    await asyncio.gather(*(sender.disconnect() for sender in senders))
    figures.tracebacks = sum(system.tracebacks.values())
    return figures


# -- the scenarios ---------------------------------------------------------------
