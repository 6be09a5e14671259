"""Who may post in or read a chat, answered from a copy of the chats bucket when it is
new enough.

Reading the chat and the membership from JetStream costs every send round trips;
a copy costs none, but it may be a few milliseconds behind a change. The
edge tells us the newest revision of the chat it has seen, from events and from
its users' replies (``CHAT_REVISION_HEADER``). A copy that has taken in every
change up to that revision holds every change the user can know of: whoever has
just left, and was told so, cannot post (or read a private chat) through a copy
that does not know it yet.

JetStream is read instead when the copy is older than that, when there is no
edge proof (a program on NATS says what it likes in headers), and before a
refusal (a join the copy has not seen yet must not be refused).
"""

import asyncio
from dataclasses import dataclass

from nats.js.kv import KeyValue

from services.storage.chat_records import ChatRecord, MemberRecord, read_chat, read_member
from services.storage.chats_copy import ChatsCopy


@dataclass(frozen=True)
class Access:
    """A chat and the acting user's membership of it (None: never a member)."""

    chat: ChatRecord
    membership: MemberRecord | None

    @property
    def is_member(self) -> bool:
        """Whether the user is a current member."""
        return self.membership is not None and self.membership.active

    @property
    def can_read(self) -> bool:
        """Public chats are read by anyone not removed from them; private ones by members."""
        if self.is_member:
            return True
        kicked = self.membership is not None and self.membership.status == "kicked"
        return not self.chat.private and not kicked


class ChatMembers:
    """The chats bucket, read through a copy where that is safe."""

    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket
        self.copy = ChatsCopy(bucket)

    async def start(self) -> None:
        """Load the copy and keep it following the bucket."""
        await self.copy.start()

    async def stop(self) -> None:
        """Stop following the bucket."""
        await self.copy.stop()

    def _copied(self, chat_id: str, username: str, seen_revision: int | None) -> Access | None:
        """The copy's answer, if it has taken in ``seen_revision`` (the newest the edge has
        seen; None: trust no copy)."""
        if seen_revision is None or self.copy.delivered_revision < seen_revision:
            return None
        chat = self.copy.chat(chat_id)
        if chat is None:
            return None
        membership, _ = self.copy.membership(chat_id, username)
        return Access(chat, membership)

    async def access(
        self, chat_id: str, username: str, seen_revision: int | None, *, to_post: bool
    ) -> Access:
        """The chat and the user's membership: from the copy when it is new enough and allows
        what is asked (posting, else reading), otherwise from JetStream."""
        copied = self._copied(chat_id, username, seen_revision)
        if copied is not None and (copied.is_member if to_post else copied.can_read):
            return copied
        (chat, _), (membership, _) = await asyncio.gather(
            read_chat(self._bucket, chat_id), read_member(self._bucket, chat_id, username)
        )
        return Access(chat, membership)
