"""The chats bucket: compare-and-set writes, reads from a local mirror."""

from collections import defaultdict
from collections.abc import Callable

from nats.js.errors import KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from services.chat_records import ChatRecord, read_chat
from services.errors import Unavailable
from services.kvmirror import KvMirror

MAX_WRITE_ATTEMPTS = 20


Known = tuple[ChatRecord, int]  # a chat and its revision


class ChatDirectory:
    """Every chat, by id."""

    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket
        self._mirror = KvMirror(bucket, "chats", ChatRecord.model_validate_json)
        # Who sees what (``ChatRecord.can_see``), as of the mirror's ``_indexed_version``:
        # the public chats, and each member's private ones, by chat id. Each change moves
        # its chat; a reload of the mirror rebuilds the whole index.
        self._public: dict[str, Known] = {}
        self._public_listed: list[Known] | None = None  # its values, made again after a change
        self._private_of: defaultdict[str, dict[str, Known]] = defaultdict(dict)
        self._indexed: dict[str, ChatRecord] = {}  # each chat as it was indexed
        self._indexed_version = -1

    async def start(self) -> None:
        """Load all chats and follow changes."""
        await self._mirror.start()

    async def stop(self) -> None:
        """Stop following changes."""
        await self._mirror.stop()

    def visible_to(self, username: str) -> list[Known]:
        """Public chats and ``username``'s private ones, with their revisions (from the mirror).

        Scanning every chat on each ``chats:list`` cost each connect time in proportion
        to all the chats there are; the index follows the mirror's changes instead.
        """
        if self._indexed_version != self._mirror.version:
            changed = self._mirror.keys_changed_since(self._indexed_version)
            if changed is None:
                self._public.clear()
                self._public_listed = None
                self._private_of.clear()
                self._indexed.clear()
                changed = self._mirror.keys()
            for chat_id in dict.fromkeys(changed):
                self._unindex(chat_id)
                known = self._mirror.entry(chat_id)
                if known is not None:
                    self._index(chat_id, known)
            self._indexed_version = self._mirror.version
        if self._public_listed is None:
            self._public_listed = list(self._public.values())
        return self._public_listed + list(self._private_of.get(username, {}).values())

    def _index(self, chat_id: str, known: Known) -> None:
        record = self._indexed[chat_id] = known[0]
        if not record.private:
            self._public[chat_id] = known
            self._public_listed = None
        for member in record.members if record.private else ():
            self._private_of[member][chat_id] = known

    def _unindex(self, chat_id: str) -> None:
        record = self._indexed.pop(chat_id, None)
        if record is None:
            return
        if self._public.pop(chat_id, None) is not None:
            self._public_listed = None
        for member in record.members if record.private else ():
            private = self._private_of.get(member)
            if private is not None:
                private.pop(chat_id, None)
                if not private:
                    del self._private_of[member]

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
