"""The rules of messages: only members post, private chats are read by members only."""

import asyncio
import hashlib
import uuid

from nats.aio.client import Client

from services.contracts import (
    HistoryPage,
    Message,
    MessageHistory,
    SendMessage,
    storage,
    subjects,
    utc_now,
)
from services.core.errors import Forbidden, InvalidInput
from services.storage.jetstream import ensure_message_stream, open_bucket, publish_event

from .archive import MessageArchive
from .members import ChatMembers
from .retention import Retention


class Messenger:
    """Sends and reads messages on behalf of one user at a time."""

    _nc: Client
    members: ChatMembers
    _archive: MessageArchive

    def __init__(self, retention: Retention | None = None) -> None:
        self._retention = retention

    async def open(self, nc: Client) -> None:
        """Attach to NATS: the message stream and the chats bucket."""
        self._nc = nc
        js = nc.jetstream()
        await ensure_message_stream(js)
        self._archive = MessageArchive(js, self._retention)
        members = ChatMembers(await open_bucket(js, storage.CHATS_BUCKET))
        # Last: once it follows the bucket, a failed open could not simply be run again.
        await members.start()
        self.members = members

    async def close(self) -> None:
        """Stop following the chats bucket."""
        if hasattr(self, "members"):  # not when open never finished
            await self.members.stop()

    async def send(
        self, username: str, request: SendMessage, *, via_web: bool, seen_revision: int | None
    ) -> Message:
        """Store and announce a message from a member of the chat.

        ``seen_revision``: the chat's newest revision the edge has seen (see ``members``).
        """
        access = await self.members.access(request.chat_id, username, seen_revision, to_post=True)
        if not access.is_member:
            raise Forbidden("join the chat before posting in it")
        chat = access.chat
        message_id = uuid.uuid4().hex
        draft = Message(
            chat_id=chat.id,
            seq=1,
            id=message_id,
            sender=username,
            text=request.text,
            sent_at=utc_now(),
            via="web" if via_web else "nats",
        )
        message, is_new = await self._archive.append(
            draft, _dedupe_key(chat.id, username, request.client_id) or message_id
        )
        if is_new:
            await publish_event(self._nc, subjects.room_event(chat.id, "message"), message)
        return message

    async def history(
        self, username: str, request: MessageHistory, *, seen_revision: int | None
    ) -> HistoryPage:
        """A page of a chat's messages; private chats only for their members.

        ``seen_revision``: the chat's newest revision the edge has seen (see ``members``).
        """
        if request.before is not None and request.after is not None:
            if request.after >= request.before:
                raise InvalidInput("after must be smaller than before")
        # Read while the chat is checked, saving a round trip; returned only if the check passes.
        page = asyncio.ensure_future(
            self._archive.page(
                request.chat_id, before=request.before, after=request.after, limit=request.limit
            )
        )
        try:
            access = await self.members.access(
                request.chat_id, username, seen_revision, to_post=False
            )
            if not access.can_read:
                raise Forbidden("this chat is private")
        except BaseException:
            page.cancel()
            await asyncio.gather(page, return_exceptions=True)
            raise
        return await page


def _dedupe_key(chat_id: str, username: str, client_id: str | None) -> str | None:
    # The same client_id from the same sender in the same chat is the same message.
    if client_id is None:
        return None
    return hashlib.sha256(f"{chat_id}\0{username}\0{client_id}".encode()).hexdigest()
