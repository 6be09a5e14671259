"""Read markers as the chats service keeps them: a watched copy, forward-only writes and
the ``read`` event.

A marker moves forward in two ways: ``reads:mark`` (here), and a message the user sends
(the messages service moves it: services/messages/sender_reads.py), which keeps a
user's own messages out of their ``unread`` count. The copy follows both. Every move is
announced on ``chat.user.<username>.read``, to every socket of the user.
"""

import logging

from nats.aio.client import Client
from nats.js.kv import KeyValue

from services.contracts import ReadMarker, subjects
from services.storage.bucket_copy import BucketCopy
from services.storage.jetstream import publish_event
from services.storage.read_markers import decode_marker, marker_key, move_forward

log = logging.getLogger("chatbus.chats.reads")


class ReadState:
    """Every user's read marker in every chat: read from a copy, written with compare-and-set."""

    def __init__(self, nc: Client, bucket: KeyValue) -> None:
        self._nc = nc
        self._bucket = bucket
        self._copy: BucketCopy[int] = BucketCopy(bucket, "reads", decode_marker)

    async def start(self) -> None:
        """Load the copy and follow the bucket."""
        await self._copy.start()

    async def stop(self) -> None:
        """Stop following."""
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
