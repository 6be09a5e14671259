"""How a chat is kept in the chats bucket, and who may see and join it.

Shared by the services that check membership (chats, messages, status).
"""

from datetime import datetime

from nats.js.errors import NotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel, Field

from services.contracts import Chat
from services.errors import NotFound


class ChatRecord(BaseModel):
    """A chat as stored. ``invited`` may join a private chat even after leaving it."""

    id: str
    name: str
    private: bool
    owner: str
    members: list[str]
    invited: list[str] = Field(default_factory=list)
    created_at: datetime

    def can_see(self, username: str) -> bool:
        """Public chats are visible to all; private ones to members only."""
        return not self.private or username in self.members

    def may_join(self, username: str) -> bool:
        """Public chats are open; private ones to their owner and those who were invited."""
        return (
            not self.private
            or username == self.owner
            or username in self.members
            or username in self.invited
        )

    def to_chat(self, last_seq: int, revision: int) -> Chat:
        """The public view of this chat; ``revision`` is its revision in the chats bucket."""
        return Chat(
            id=self.id,
            name=self.name,
            private=self.private,
            owner=self.owner,
            members=self.members,
            created_at=self.created_at,
            last_seq=last_seq,
            revision=revision,
        )


async def read_chat(bucket: KeyValue, chat_id: str) -> tuple[ChatRecord, int]:
    """A chat and its revision, read from JetStream (authoritative, not a mirror)."""
    try:
        entry = await bucket.get(chat_id)
    except NotFoundError:
        raise NotFound("no such chat") from None
    if entry.value is None:
        raise NotFound("no such chat")
    return ChatRecord.model_validate_json(entry.value), entry.revision or 0
