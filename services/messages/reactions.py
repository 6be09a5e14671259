"""Who reacted to what: one key per (chat, seq, emoji, user) in the reactions bucket.

A chat of thousands can pile thousands of reactors on one message: the message
keeps only each emoji's count and first users (``changes.reacted``), the full set
lives here. A toggle writes its key first (create-only for on, a delete on the
revision read for off), so of two concurrent identical toggles one changes the
key; the message's count then moves under compare-and-set only for the one that
did. A crash between the two writes leaves a key without its count: while every
reactor of the emoji is shown (20 or fewer) the user's next toggle puts the count
right; beyond that the count stays one off (README, "Guarantees").
"""

from nats.js import JetStreamContext
from nats.js.errors import APIError, KeyDeletedError, KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue

from services.contracts import (
    MAX_REACTIONS_PER_MESSAGE,
    REACTION_USERS_SHOWN,
    Message,
    storage,
)
from services.core.errors import NotFound, TooLarge
from services.storage.jetstream import KV_STREAM_PREFIX

from .archive import WRONG_LAST_SEQUENCE
from .changes import reacted
from .retention import Retention
from .revisions import StoredMessage, read_current, revise

# A key's delete that loses a race to another write of it, before it gives up.
MAX_KEY_ATTEMPTS = 10


def reactor_key(chat_id: str, seq: int, emoji: str, username: str) -> str:
    """The key saying ``username`` reacted ``emoji`` to message ``seq`` (emoji as hex:
    keys hold no other characters)."""
    return f"{_emoji_prefix(chat_id, seq, emoji)}.{username}"


def _emoji_prefix(chat_id: str, seq: int, emoji: str) -> str:
    return f"{chat_id}.{seq}.{emoji.encode().hex()}"


class Reactions:
    """Toggles reactions, keeping the bucket and the message's counts together."""

    def __init__(self, js: JetStreamContext, bucket: KeyValue, retention: Retention) -> None:
        self._js = js
        self._bucket = bucket
        self._retention = retention

    async def toggle(
        self, chat_id: str, seq: int, emoji: str, username: str, *, on: bool
    ) -> tuple[Message, bool]:
        """Turn ``username``'s ``emoji`` on the message on or off; the message as it is
        now, and whether it changed."""
        current = await read_current(self._js, chat_id, seq)
        if current is None or current.message.deleted:
            raise NotFound("no such message")
        key = reactor_key(chat_id, seq, emoji, username)
        if on:
            reactions = current.message.reactions
            if len(reactions) >= MAX_REACTIONS_PER_MESSAGE and emoji not in {
                r.emoji for r in reactions
            }:
                # Refused before the key is written (``reacted`` refuses a race past it).
                raise TooLarge(f"at most {MAX_REACTIONS_PER_MESSAGE} emoji on one message")
            stored_changed = await self._create(key)
            first_users = None
        else:
            stored_changed = await self._delete(key)
            first_users = await self._first_users(current.message, chat_id, seq, emoji)

        def change(message: StoredMessage) -> StoredMessage | None:
            return reacted(
                message,
                emoji,
                username,
                on=on,
                stored_changed=stored_changed,
                first_users=first_users,
            )

        try:
            before, after = await revise(self._js, self._retention, chat_id, seq, change)
        except (TooLarge, NotFound):
            if on and stored_changed:
                await self._delete(key)  # the count was refused: no reactor without it
            raise
        return (after or before).public(), after is not None

    async def forget(self, chat_id: str, seq: int) -> None:
        """Remove every reactor of a message (it was deleted)."""
        await self._js.purge_stream(
            KV_STREAM_PREFIX + storage.REACTIONS_BUCKET,
            subject=f"$KV.{storage.REACTIONS_BUCKET}.{chat_id}.{seq}.>",
        )

    async def _create(self, key: str) -> bool:
        """Create the key; False when it is there already."""
        try:
            await self._bucket.create(key, b"")
        except KeyWrongLastSequenceError:
            return False
        return True

    async def _delete(self, key: str) -> bool:
        """Delete the key; False when it is not there."""
        for _ in range(MAX_KEY_ATTEMPTS):
            try:
                entry = await self._bucket.get(key)
            except (NotFoundError, KeyDeletedError):
                return False
            try:
                await self._bucket.delete(key, last=entry.revision)
            except KeyWrongLastSequenceError:
                continue
            except APIError as error:
                # nats-py reports a lost race of a delete as the API error itself.
                if error.err_code == WRONG_LAST_SEQUENCE:
                    continue
                raise
            return True
        return False

    async def _first_users(
        self, message: Message, chat_id: str, seq: int, emoji: str
    ) -> list[str] | None:
        """The first reactors of ``emoji`` still on, when more than are shown reacted."""
        current = next((r for r in message.reactions if r.emoji == emoji), None)
        if current is None or current.count <= len(current.users):
            return None
        prefix = _emoji_prefix(chat_id, seq, emoji)
        try:
            keys = await self._bucket.keys(filters=[f"{prefix}.*"])
        except NotFoundError:
            return []
        return [key.rsplit(".", 1)[1] for key in keys][: REACTION_USERS_SHOWN + 1]
