"""The rules of chats: who can see, create, join, leave and invite."""

import asyncio
import secrets
from typing import Literal

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from services.chat_records import ChatRecord
from services.contracts import (
    SYSTEM_USER,
    Chat,
    ChatLeft,
    CreateChat,
    InviteToChat,
    JoinChat,
    LeaveChat,
    MemberEvent,
    storage,
    subjects,
    utc_now,
)
from services.errors import Forbidden, NotFound, Unauthorized
from services.jetstream import (
    ensure_message_stream,
    is_registered,
    last_seq,
    open_bucket,
    publish_event,
)
from services.newest_seqs import SeenSeqs, newest_near

from .directory import ChatDirectory

GENERAL_CHAT_ID = "general"

# Seqs read above a chat's newest seen, to find its newest now (see services/newest_seqs.py).
PROBE = 16


def new_chat_id() -> str:
    """12 random URL-safe characters that never start with ``-``.

    One id in 64 would otherwise start with it, and a command line such as
    ``chatbus tail <id>`` or ``nats sub`` would read that id as an option.
    """
    while (chat_id := secrets.token_urlsafe(9)).startswith("-"):
        pass
    return chat_id


class ChatBook:
    """Chats, as one user sees and changes them; every change is announced on NATS."""

    _nc: Client
    _js: JetStreamContext
    _directory: ChatDirectory
    _users: KeyValue

    def __init__(self) -> None:
        self._seen_seqs = SeenSeqs()

    async def open(self, nc: Client) -> None:
        """Attach to NATS: open the buckets and the stream, load the chats."""
        self._nc = nc
        self._js = nc.jetstream()
        self._directory = ChatDirectory(await open_bucket(self._js, storage.CHATS_BUCKET))
        self._users = await open_bucket(self._js, storage.USERS_BUCKET)
        await ensure_message_stream(self._js)
        await self._ensure_general()
        # Last: once it follows the bucket, a failed open could not simply be run again.
        await self._directory.start()

    async def close(self) -> None:
        """Stop following changes to the chats bucket."""
        await self._directory.stop()

    async def _ensure_general(self) -> None:
        """The public chat everyone finds on first start."""
        general = ChatRecord(
            id=GENERAL_CHAT_ID,
            name="general",
            private=False,
            owner=SYSTEM_USER,
            members=[],
            created_at=utc_now(),
        )
        await self._directory.create(general)

    async def list_visible(self, username: str) -> list[Chat]:
        """Public chats and the user's own, oldest first."""
        visible = sorted(
            self._directory.visible_to(username),
            key=lambda known: (known[0].created_at, known[0].id),
        )
        return await self._with_last_seq(visible)

    async def create(self, username: str, request: CreateChat) -> Chat:
        """A new chat owned by ``username``, with the requested members."""
        await self._require_registered(username)
        invited = [member for member in dict.fromkeys(request.members) if member != username]
        for member in invited:
            if not await is_registered(self._users, member):
                raise NotFound(f"no user named {member}")
        revision = None
        while revision is None:
            record = ChatRecord(
                id=new_chat_id(),
                name=request.name,
                private=request.private,
                owner=username,
                members=[username, *invited],
                invited=invited,
                created_at=utc_now(),
            )
            revision = await self._directory.create(record)
        chat = record.to_chat(last_seq=0, revision=revision)
        await publish_event(self._nc, subjects.room_event(chat.id, "updated"), chat)
        return chat

    async def join(self, username: str, request: JoinChat) -> Chat:
        """Make ``username`` a member, if the chat lets them in."""
        await self._require_registered(username)

        def add_member(record: ChatRecord) -> ChatRecord | None:
            if not record.may_join(username):
                raise Forbidden("this chat is private; ask a member to invite you")
            if username in record.members:
                return None
            record.members.append(username)
            return record

        record, revision, changed = await self._directory.change(request.chat_id, add_member)
        return await self._announce(record, revision, changed, username, "joined")

    async def leave(self, username: str, request: LeaveChat) -> ChatLeft:
        """Stop ``username``'s membership; leaving a chat one is not in changes nothing."""

        def remove_member(record: ChatRecord) -> ChatRecord | None:
            if username not in record.members:
                if not record.can_see(username):
                    raise Forbidden("this chat is private")
                return None
            record.members.remove(username)
            return record

        record, revision, changed = await self._directory.change(request.chat_id, remove_member)
        await self._announce(record, revision, changed, username, "left")
        return ChatLeft(chat_id=record.id, revision=revision)

    async def invite(self, username: str, request: InviteToChat) -> Chat:
        """Add ``request.username`` to a chat ``username`` is a member of."""
        guest = request.username
        if not await is_registered(self._users, guest):
            raise NotFound(f"no user named {guest}")

        def add_guest(record: ChatRecord) -> ChatRecord | None:
            if username not in record.members:
                raise Forbidden("only members can invite")
            if guest in record.members:
                return None
            record.members.append(guest)
            if guest not in record.invited:
                record.invited.append(guest)
            return record

        record, revision, changed = await self._directory.change(request.chat_id, add_guest)
        return await self._announce(record, revision, changed, guest, "joined")

    async def _announce(
        self,
        record: ChatRecord,
        revision: int,
        changed: bool,
        username: str,
        action: Literal["joined", "left"],
    ) -> Chat:
        chat = (await self._with_last_seq([(record, revision)]))[0]
        if changed:
            event = MemberEvent(
                chat_id=record.id, username=username, action=action, revision=revision
            )
            await publish_event(self._nc, subjects.room_event(record.id, "member"), event)
            await publish_event(self._nc, subjects.room_event(record.id, "updated"), chat)
        return chat

    async def _with_last_seq(self, known: list[tuple[ChatRecord, int]]) -> list[Chat]:
        """Chats with their revisions, as clients see them: with their newest seq.

        Found near the newest seq seen before where there is one (one batched read
        for all of them), else by reading each chat's last message.
        """
        hints = {record.id: self._seen_seqs.get(record.id) for record, _ in known}
        newest = await newest_near(self._js, {c: seq for c, seq in hints.items() if seq}, PROBE)
        unknown = [chat_id for chat_id in hints if chat_id not in newest]
        read = await asyncio.gather(*(last_seq(self._js, chat_id) for chat_id in unknown))
        newest |= {chat_id: seq for chat_id, (seq, _) in zip(unknown, read, strict=True)}
        self._seen_seqs.learn(newest)
        return [record.to_chat(newest[record.id], revision) for record, revision in known]

    async def _require_registered(self, username: str) -> None:
        if not await is_registered(self._users, username):
            raise Unauthorized(f"{username} is not a registered user")
