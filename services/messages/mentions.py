"""Mentions: who a message names, and telling them.

``@username`` names a current member (from the watched chats copy); ``@here``
names the members online now (from a watched copy of the presence bucket). A
message names at most ``MAX_MENTIONS_PER_MESSAGE``, the first in its text. Each
user named, but the sender, gets an entry in the mentions stream
(``services.storage.mentions``) and, unless they muted the chat, a ``mention``
event. A text without ``@`` costs nothing.
"""

import asyncio
import re
from collections.abc import Iterable

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.kv import KeyValue
from pydantic import BaseModel, Field, ValidationError

from services.contracts import MAX_MENTIONS_PER_MESSAGE, Message, storage, subjects
from services.contracts.people import Mention, MentionPage
from services.storage.bucket_copy import BucketCopy
from services.storage.chats_copy import ChatsCopy
from services.storage.jetstream import publish_event
from services.storage.mentions import MentionRecord, mention_id, read_mentions, record_mention
from services.storage.multi_get import last_for_each

# A name right after an "@" that follows no letter or digit (an address is no mention).
NAMED = re.compile(r"(?<![A-Za-z0-9_.-])@([a-z0-9][a-z0-9_-]{1,31})")
HERE = "here"
EXCERPT_LENGTH = 200


class _Online(BaseModel):
    """What the messages service reads of a presence record: whether any connection is open."""

    connections: dict[str, str] = Field(default_factory=dict)


def _online(value: bytes) -> bool:
    try:
        return bool(_Online.model_validate_json(value).connections)
    except ValidationError:
        return False


def excerpt(message: Message) -> str:
    """The start of a message's text, as a mention shows it."""
    return message.text[:EXCERPT_LENGTH]


class Mentions:
    """Finds the users a text names and tells them."""

    def __init__(self, nc: Client, chats: ChatsCopy, presence: KeyValue) -> None:
        self._nc = nc
        self._js: JetStreamContext = nc.jetstream()
        self._chats = chats
        self._presence: BucketCopy[bool] = BucketCopy(presence, "presence", _online)

    async def start(self) -> None:
        """Load the presence copy and follow it."""
        await self._presence.start()

    async def stop(self) -> None:
        """Stop following presence."""
        await self._presence.stop()

    def named(self, chat_id: str, text: str) -> list[str]:
        """The members ``text`` names, in order, each once, at most the bound."""
        if "@" not in text:
            return []
        names: dict[str, None] = {}
        for match in NAMED.finditer(text):
            name = match.group(1)
            found = self._online_members(chat_id) if name == HERE else [name]
            for user in found:
                if user not in names and self._chats.is_member(chat_id, user):
                    names[user] = None
                    if len(names) == MAX_MENTIONS_PER_MESSAGE:
                        return list(names)
        return list(names)

    def _online_members(self, chat_id: str) -> Iterable[str]:
        return sorted(
            user
            for user in self._presence.keys()
            if self._presence.get(user) and self._chats.is_member(chat_id, user)
        )

    async def tell(self, message: Message, users: Iterable[str]) -> None:
        """Record a mention of ``message`` for each of ``users`` but its sender, and announce
        it to those who did not mute the chat."""
        named = [user for user in users if user != message.sender]
        await asyncio.gather(*(self._tell(message, user) for user in named))

    async def _tell(self, message: Message, username: str) -> None:
        record = MentionRecord(
            chat_id=message.chat_id, seq=message.seq, sender=message.sender, sent_at=message.sent_at
        )
        stream_seq = await record_mention(self._js, username, record)
        membership, _ = self._chats.membership(message.chat_id, username)
        if membership is not None and membership.muted:
            return
        mention = Mention(
            id=mention_id(stream_seq),
            chat_id=message.chat_id,
            seq=message.seq,
            sender=message.sender,
            excerpt=excerpt(message),
            sent_at=message.sent_at,
        )
        await publish_event(self._nc, subjects.user_event(username, "mention"), mention)


async def mention_page(
    js: JetStreamContext, chats: ChatsCopy, username: str, before: str | None, limit: int
) -> MentionPage:
    """The user's mentions older than ``before`` (a mention id), newest first, in chats the
    user can still read; each excerpt from the message as it is now (empty once deleted)."""
    cursor = int(before) if before is not None else None
    kept = [
        (seq, record)
        for seq, record in reversed(await read_mentions(js, username))
        if (cursor is None or seq < cursor) and _readable(chats, record.chat_id, username)
    ]
    page = kept[:limit]
    wanted = {subjects.stored_message(r.chat_id, r.seq) for _, r in page}
    stored = await last_for_each(js, storage.MESSAGES_STREAM, list(wanted)) if wanted else {}
    mentions = []
    for seq, record in page:
        data = stored.get(subjects.stored_message(record.chat_id, record.seq))
        text = Message.model_validate_json(data).text[:EXCERPT_LENGTH] if data else ""
        mentions.append(
            Mention(
                id=mention_id(seq),
                chat_id=record.chat_id,
                seq=record.seq,
                sender=record.sender,
                excerpt=text,
                sent_at=record.sent_at,
            )
        )
    return MentionPage(mentions=mentions, more=len(kept) > limit)


def _readable(chats: ChatsCopy, chat_id: str, username: str) -> bool:
    chat = chats.chat(chat_id)
    return chat is not None and (not chat.private or chats.is_member(chat_id, username))
