"""The chats bucket: compare-and-set writes, reads from a local mirror."""

from collections.abc import Callable

from nats.js.errors import KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from services.chat_records import ChatRecord, read_chat
from services.errors import Unavailable
from services.kvmirror import KvMirror

MAX_WRITE_ATTEMPTS = 20


class ChatDirectory:
    """Every chat, by id."""

    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket
        self._mirror = KvMirror(bucket, "chats", ChatRecord.model_validate_json)

    async def start(self) -> None:
        """Load all chats and follow changes."""
        await self._mirror.start()

    async def stop(self) -> None:
        """Stop following changes."""
        await self._mirror.stop()

    def all(self) -> list[tuple[ChatRecord, int]]:
        """Every chat this process knows of, with its revision (from the mirror)."""
        return list(self._mirror.entries())

    async def get(self, chat_id: str) -> tuple[ChatRecord, int]:
        """A chat and its revision, read from JetStream (authoritative)."""
        return await read_chat(self._bucket, chat_id)

    async def create(self, record: ChatRecord) -> int | None:
        """Store a new chat: its revision, or None if the id is taken."""
        value = record.model_dump_json().encode()
        try:
            revision = await self._bucket.create(record.id, value)
        except KeyWrongLastSequenceError:
            return None
        self._mirror.apply(record.id, value, revision)
        return revision

    async def change(
        self, chat_id: str, mutate: Callable[[ChatRecord], ChatRecord | None]
    ) -> tuple[ChatRecord, int, bool]:
        """Apply ``mutate`` under compare-and-set; it returns None when nothing changes.

        Returns the chat as it now is, its revision, and whether this call changed it.
        """
        for _ in range(MAX_WRITE_ATTEMPTS):
            record, revision = await self.get(chat_id)
            changed = mutate(record.model_copy(deep=True))
            if changed is None:
                return record, revision, False
            value = changed.model_dump_json().encode()
            try:
                new_revision = await self._bucket.update(chat_id, value, last=revision)
            except KeyWrongLastSequenceError:
                continue  # someone else changed it first: read again and retry
            self._mirror.apply(chat_id, value, new_revision)
            return changed, new_revision, True
        raise Unavailable("the chat is changing too fast; try again")
