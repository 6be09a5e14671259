"""Read markers as the chats service keeps them: a watched copy, forward-only writes, the
``read`` event, and the sender's own marker moved past what they send.

A marker moves forward in two ways: ``reads:mark``, and a message the user sends (one
has read a chat up to what one writes in it). The second keeps a user's own messages
out of their ``unread`` count, written here off the send's path: after each round of
writes the writer rests ``SENDER_MARKS_EVERY_SECONDS``, and the sends that arrive
meanwhile fold into one write per user and chat. A person's occasional message costs
one marker write; a bot posting many a second costs a few, not one per message (a
write per send would double what JetStream writes for every message sent).
Every move is announced on ``chat.user.<username>.read``, to every socket of the user.
"""

import asyncio
import contextlib
import logging

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.kv import KeyValue
from pydantic import BaseModel, ConfigDict, ValidationError

from services.contracts import ReadMarker, subjects
from services.storage.bucket_copy import BucketCopy
from services.storage.jetstream import publish_event
from services.storage.newest_seqs import NewestSeqHints
from services.storage.read_markers import decode_marker, marker_key, move_forward

log = logging.getLogger("chatbus.chats.reads")

QUEUE = "chats"
# How long the sender-marker writer rests between rounds: the longest a user's own
# message can count as unread on their other devices.
SENDER_MARKS_EVERY_SECONDS = 0.5


class _Sent(BaseModel):
    """The fields of a ``message`` event that say who sent what where."""

    model_config = ConfigDict(extra="ignore")

    chat_id: str
    seq: int
    sender: str


class ReadState:
    """Every user's read marker in every chat: read from a copy, written with compare-and-set."""

    def __init__(self, nc: Client, bucket: KeyValue, newest_seqs: NewestSeqHints) -> None:
        self._nc = nc
        self._newest_seqs = newest_seqs
        self._bucket = bucket
        self._copy: BucketCopy[int] = BucketCopy(bucket, "reads", decode_marker)
        # (sender, chat) -> the newest seq they sent there that their marker is not past yet.
        self._sent: dict[tuple[str, str], int] = {}
        self._woken = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        """Load the copy, follow the bucket and the messages sent."""
        await self._copy.start()
        self._writer = asyncio.create_task(self._write_senders_markers(), name="sender-markers")
        self._subscription = await self._nc.subscribe(
            subjects.room_event("*", "message"), queue=QUEUE, cb=self._message_sent
        )

    async def stop(self) -> None:
        """Stop following."""
        if self._subscription is not None:
            with contextlib.suppress(Exception):
                await self._subscription.unsubscribe()
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        await self._copy.stop()

    def read_seq(self, username: str, chat_id: str) -> int:
        """The user's marker in the chat as the copy holds it (0: none)."""
        return self._copy.get(marker_key(username, chat_id)) or 0

    async def move_forward(self, username: str, chat_id: str, seq: int) -> int:
        """Raise the marker to ``seq`` (never lower it) and announce a move; the marker now."""
        key = marker_key(username, chat_id)
        read_seq, value, revision = await move_forward(
            self._bucket, username, chat_id, seq, self._copy.entry(key)
        )
        if value is not None:
            self._copy.apply(key, value, revision)
            marker = ReadMarker(chat_id=chat_id, read_seq=read_seq)
            await publish_event(self._nc, subjects.user_event(username, "read"), marker)
        return read_seq

    async def _message_sent(self, msg: Msg) -> None:
        try:
            sent = _Sent.model_validate_json(msg.data)
        except ValidationError:
            return
        if msg.subject != subjects.room_event(sent.chat_id, "message"):
            return
        if sent.seq > self._newest_seqs.get(sent.chat_id):
            self._newest_seqs.learn({sent.chat_id: sent.seq})
        key = (sent.sender, sent.chat_id)
        self._sent[key] = max(self._sent.get(key, 0), sent.seq)
        self._woken.set()

    async def _write_senders_markers(self) -> None:
        while True:
            await self._woken.wait()
            self._woken.clear()
            # This round writes what has arrived; what arrives meanwhile waits for the next.
            due, self._sent = self._sent, {}
            for (sender, chat_id), seq in due.items():
                try:
                    await self.move_forward(sender, chat_id, seq)
                except Exception:
                    log.exception("could not move %s's read marker in %s", sender, chat_id)
            await asyncio.sleep(SENDER_MARKS_EVERY_SECONDS)
