"""The chats bucket as the chats service writes it: compare-and-set writes, reads from a copy."""

from collections.abc import Callable

from nats.js.errors import KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from services.core.errors import Unavailable
from services.storage.chat_records import (
    ChatRecord,
    MemberRecord,
    member_key,
    read_chat,
    read_member,
)
from services.storage.chats_copy import ChatsCopy

MAX_WRITE_ATTEMPTS = 20


class ChatDirectory:
    """Every chat and membership: written to JetStream, read from the copy."""

    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket
        self.copy = ChatsCopy(bucket)

    async def start(self) -> None:
        """Load the copy and follow changes."""
        await self.copy.start()

    async def stop(self) -> None:
        """Stop following changes."""
        await self.copy.stop()

    async def get(self, chat_id: str) -> tuple[ChatRecord, int]:
        """A chat and its record's revision, read from JetStream (authoritative)."""
        return await read_chat(self._bucket, chat_id)

    async def membership(self, chat_id: str, username: str) -> MemberRecord | None:
        """A membership, current or not, read from JetStream (authoritative)."""
        record, _ = await read_member(self._bucket, chat_id, username)
        return record

    async def create(self, record: ChatRecord) -> int | None:
        """Store a new chat: its revision, or None if the id is taken."""
        value = record.model_dump_json().encode()
        try:
            revision = await self._bucket.create(record.id, value)
        except KeyWrongLastSequenceError:
            return None
        self.copy.apply(record.id, value, revision)
        return revision

    async def change(
        self, chat_id: str, mutate: Callable[[ChatRecord], ChatRecord | None]
    ) -> tuple[ChatRecord, int, bool]:
        """Apply ``mutate`` to a chat's record under compare-and-set; None from it: no change.

        Returns the record as it now is, its revision, and whether this call changed it.
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
            self.copy.apply(chat_id, value, new_revision)
            return changed, new_revision, True
        raise Unavailable("the chat is changing too fast; try again")

    async def change_membership(
        self,
        chat_id: str,
        username: str,
        mutate: Callable[[MemberRecord | None], MemberRecord | None],
    ) -> tuple[MemberRecord | None, int, bool]:
        """Apply ``mutate`` to one membership (None: there is none yet) under compare-and-set.

        ``mutate`` returns the membership to write, or None for no change. Returns the
        membership as it now is, the revision of this write (0 without one), and whether
        this call changed it.
        """
        key = member_key(chat_id, username)
        for _ in range(MAX_WRITE_ATTEMPTS):
            current, revision = await read_member(self._bucket, chat_id, username)
            changed = mutate(current.model_copy() if current else None)
            if changed is None:
                return current, 0, False
            value = changed.model_dump_json().encode()
            try:
                if revision:
                    new_revision = await self._bucket.update(key, value, last=revision)
                else:
                    new_revision = await self._bucket.create(key, value)
            except KeyWrongLastSequenceError:
                continue
            self.copy.apply(key, value, new_revision)
            return changed, new_revision, True
        raise Unavailable("the chat is changing too fast; try again")
