"""Typing notices: announced to a chat's members, each good for 5 seconds."""

import time
from datetime import timedelta

from nats.aio.client import Client
from nats.js.kv import KeyValue

from services.contracts import TypingEvent, subjects, utc_now
from services.core.errors import Forbidden
from services.storage.chat_records import read_chat, read_member
from services.storage.chats_copy import ChatsCopy
from services.storage.jetstream import publish_event

TYPING_LASTS = timedelta(seconds=5)
# A client may report every keystroke; members hear about it at most this often.
ANNOUNCE_AT_MOST_EVERY_SECONDS = 1.0


class TypingNotices:
    """Announces that a member is typing, without flooding the chat."""

    def __init__(self, nc: Client, chats: KeyValue, copy: ChatsCopy) -> None:
        self._nc = nc
        self._chats = chats
        self._copy = copy
        self._last_announced: dict[tuple[str, str], float] = {}

    async def typing(self, username: str, chat_id: str) -> None:
        """``username`` is typing in ``chat_id``; members only."""
        now = time.monotonic()
        key = (username, chat_id)
        # Before anything is read: a member announced a moment ago has nothing new to say.
        if now - self._last_announced.get(key, 0.0) < ANNOUNCE_AT_MOST_EVERY_SECONDS:
            return
        if not self._copy.is_member(chat_id, username):
            # The copy may not have the join yet: JetStream decides before a refusal.
            await read_chat(self._chats, chat_id)
            membership, _ = await read_member(self._chats, chat_id, username)
            if membership is None or not membership.active:
                raise Forbidden("join the chat before typing in it")
        self._forget_old(now)
        self._last_announced[key] = now
        event = TypingEvent(chat_id=chat_id, username=username, expires_at=utc_now() + TYPING_LASTS)
        await publish_event(self._nc, subjects.room_event(chat_id, "typing"), event)

    def _forget_old(self, now: float) -> None:
        # Keep the throttle table small: entries older than the throttle window are useless.
        if len(self._last_announced) > 10_000:
            self._last_announced = {
                key: seen
                for key, seen in self._last_announced.items()
                if now - seen < ANNOUNCE_AT_MOST_EVERY_SECONDS
            }
