"""A sender's read marker moved past what they send, off the send's path.

One has read a chat up to what one writes in it, so a user's own messages never count
as unread. The messages service knows every send as it stores it, so it notes the seq
here (a dict update, no I/O) and a writer moves the markers: after each round of writes
it rests ``SENDER_MARKS_EVERY_SECONDS``, and the sends that arrive meanwhile fold into
one write per user and chat. A person's occasional message costs one marker write; a
bot posting many a second costs a few, not one per message. Each move is announced on
``chat.user.<username>.read``, as a ``reads:mark`` is.
"""

import asyncio
import logging

from nats.aio.client import Client
from nats.js.kv import KeyValue

from services.contracts import ReadMarker, subjects
from services.storage.jetstream import publish_event
from services.storage.read_markers import move_forward

__all__ = ["SENDER_MARKS_EVERY_SECONDS", "SenderReads"]

log = logging.getLogger("chatbus.messages.sender_reads")

# How long the writer rests between rounds: the longest a user's own message can count as
# unread on their other devices.
SENDER_MARKS_EVERY_SECONDS = 0.5


class SenderReads:
    """``sent(sender, chat_id, seq)`` after each stored message; the writer does the rest."""

    def __init__(self, nc: Client, reads: KeyValue) -> None:
        self._nc = nc
        self._reads = reads
        # (sender, chat) -> the newest seq they sent there that their marker may not be past.
        self._sent: dict[tuple[str, str], int] = {}
        self._woken = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer."""
        self._writer = asyncio.create_task(self._write_markers(), name="sender-reads")

    async def stop(self) -> None:
        """Stop the writer; markers not yet written stay where they are."""
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)

    def sent(self, sender: str, chat_id: str, seq: int) -> None:
        """``sender`` stored ``seq`` in ``chat_id``: their marker goes past it soon."""
        key = (sender, chat_id)
        if seq > self._sent.get(key, 0):
            self._sent[key] = seq
        self._woken.set()

    async def _write_markers(self) -> None:
        while True:
            await self._woken.wait()
            self._woken.clear()
            # This round writes what has arrived; what arrives meanwhile waits for the next.
            due, self._sent = self._sent, {}
            for (sender, chat_id), seq in due.items():
                try:
                    read_seq, value, _ = await move_forward(self._reads, sender, chat_id, seq, None)
                    if value is not None:
                        marker = ReadMarker(chat_id=chat_id, read_seq=read_seq)
                        await publish_event(self._nc, subjects.user_event(sender, "read"), marker)
                except Exception:
                    log.exception("could not move %s's read marker in %s", sender, chat_id)
            await asyncio.sleep(SENDER_MARKS_EVERY_SECONDS)
