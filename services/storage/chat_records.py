"""How chats and their members are kept in the chats bucket, and who may see and join them.

One bucket, two kinds of key::

    <chat_id>              ChatRecord: name, kind, privacy, owner, topic, pins
    <chat_id>.<username>   MemberRecord: that user's membership of that chat

A chat id never holds a dot, so the two kinds never collide. Keeping both in one
bucket numbers every change to a chat, to its record or to one membership, from
one sequence (the bucket's stream sequence): a chat's revision is the newest
revision of its keys, so it grows with every change, and a copy that has
taken in revision R holds every change made up to R.

A membership is never deleted, only marked ``left`` or ``kicked``: every write
then has a revision to announce, and a private chat remembers who may come back.
Shared by the services that check membership (chats, messages, status).
"""

from datetime import datetime
from typing import Literal

from nats.js.errors import NotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel, Field

from services.contracts import Chat, ChatKind, ChatRole
from services.core.errors import NotFound

MemberStatus = Literal["member", "left", "kicked"]


class ChatRecord(BaseModel):
    """A chat as stored, without its members (they have keys of their own)."""

    id: str
    name: str
    kind: ChatKind = "channel"
    private: bool
    owner: str
    topic: str = ""
    pinned: list[int] = Field(default_factory=list)
    created_at: datetime

    def to_chat(self, *, last_seq: int, revision: int, member_count: int) -> Chat:
        """The public view of this chat."""
        return Chat(
            id=self.id,
            name=self.name,
            kind=self.kind,
            private=self.private,
            owner=self.owner,
            topic=self.topic,
            member_count=member_count,
            pinned=self.pinned,
            created_at=self.created_at,
            last_seq=last_seq,
            revision=revision,
        )


class MemberRecord(BaseModel):
    """One user's membership of one chat, as stored.

    ``left``: they left; a private chat lets them back in without a new invitation.
    ``kicked``: removed by an owner or admin; only a new invitation lets them back in.
    ``read_from``: the chat's newest seq when they joined; everything up to it counts as
    read, so a newcomer does not find the chat's whole past unread. ``muted``: they hear
    of no mention in it (its counts go on).
    """

    role: ChatRole = "member"
    joined_at: datetime
    status: MemberStatus = "member"
    read_from: int = 0
    muted: bool = False

    @property
    def active(self) -> bool:
        """Whether this is a current membership."""
        return self.status == "member"


def member_key(chat_id: str, username: str) -> str:
    """The key of ``username``'s membership of ``chat_id``."""
    return f"{chat_id}.{username}"


def split_key(key: str) -> tuple[str, str | None]:
    """``(chat_id, username)`` of a member key, ``(chat_id, None)`` of a chat record's key."""
    chat_id, _, username = key.partition(".")
    return chat_id, username or None


def can_see(record: ChatRecord, membership: MemberRecord | None) -> bool:
    """Public chats are visible to all; private ones to their members only."""
    return not record.private or (membership is not None and membership.active)


def may_join(record: ChatRecord, username: str, membership: MemberRecord | None) -> bool:
    """Public channels are open; a private chat to its owner and to whoever was let in before
    (invited, and not kicked since); a DM to nobody new."""
    if record.kind == "dm":
        return membership is not None and membership.status != "kicked"
    if not record.private or username == record.owner:
        return True
    return membership is not None and membership.status != "kicked"


async def read_chat(bucket: KeyValue, chat_id: str) -> tuple[ChatRecord, int]:
    """A chat and its record's revision, read from JetStream (authoritative, not a copy)."""
    try:
        entry = await bucket.get(chat_id)
    except NotFoundError:
        raise NotFound("no such chat") from None
    if entry.value is None:
        raise NotFound("no such chat")
    return ChatRecord.model_validate_json(entry.value), entry.revision or 0


async def read_member(
    bucket: KeyValue, chat_id: str, username: str
) -> tuple[MemberRecord | None, int]:
    """A membership and its revision (0: never written), read from JetStream."""
    try:
        entry = await bucket.get(member_key(chat_id, username))
    except NotFoundError:
        return None, 0
    if entry.value is None:
        return None, entry.revision or 0
    return MemberRecord.model_validate_json(entry.value), entry.revision or 0
