"""Who may post in or read a chat, answered from a watched copy of the chats bucket when it is
new enough.

Reading the chat from JetStream costs every send a round trip: a fifth of the
messages service's CPU and 0.3 ms of latency (and a history page a request to
nats-server). A watched copy costs none, but it may be a few milliseconds behind
a change. The edge tells us the newest revision of the chat it has seen, from
events and from its users' replies (``CHAT_REVISION_HEADER``). A copy at least
that new holds every change the user can know of: whoever has just left, and
was told so, cannot post (or read a private chat) through a copy that does not
know it yet.

JetStream is read instead when the copy is older than that, when there is no
edge proof (a program on NATS says what it likes in headers), and before a
refusal (a join the copy has not seen yet must not be refused).
"""

from collections.abc import Callable

from nats.js.kv import KeyValue

from services.chat_records import ChatRecord, read_chat
from services.kvmirror import KvMirror


class ChatMembers:
    """The chats bucket, read through a watched copy where that is safe."""

    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket
        self._copy = KvMirror(bucket, "chats", ChatRecord.model_validate_json)

    async def start(self) -> None:
        """Load the copy and keep it following the bucket."""
        await self._copy.start()

    async def stop(self) -> None:
        """Stop following the bucket."""
        await self._copy.stop()

    def copied_revision(self, chat_id: str) -> int:
        """The chat's revision in the copy (0: not in it)."""
        copy = self._copy.entry(chat_id)
        return copy[1] if copy else 0

    def _copied_chat(
        self, chat_id: str, seen_revision: int | None, allowed: Callable[[ChatRecord], bool]
    ) -> ChatRecord | None:
        """The copy's chat, if it is at least ``seen_revision`` (the newest the edge has seen;
        None: trust no copy) and ``allowed`` holds for it; None means: read JetStream."""
        if seen_revision is None:
            return None
        copy = self._copy.entry(chat_id)
        if copy is None or copy[1] < seen_revision:
            return None
        record = copy[0]
        return record if allowed(record) else None

    async def chat_where(
        self, chat_id: str, seen_revision: int | None, allowed: Callable[[ChatRecord], bool]
    ) -> ChatRecord:
        """The chat: from the copy when ``_copied_chat`` gives it, otherwise from JetStream."""
        record = self._copied_chat(chat_id, seen_revision, allowed)
        if record is None:
            record, _ = await read_chat(self._bucket, chat_id)
        return record
