"""The rules of chats: who can see, create, join, leave and invite, and what each is told."""

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from services.contracts import (
    SYSTEM_USER,
    BrowseChats,
    Chat,
    ChatLeft,
    ChatMembership,
    ChatPage,
    ChatRole,
    ChatView,
    ConnectionChats,
    CreateChat,
    GetChat,
    InviteToChat,
    JoinChat,
    LeaveChat,
    ListMembers,
    Member,
    MemberAction,
    MemberEvent,
    MemberPage,
    storage,
    subjects,
    utc_now,
)
from services.core.errors import Forbidden, InvalidInput, NotFound, TooLarge, Unauthorized
from services.storage.account_records import read_account
from services.storage.chat_records import ChatRecord, MemberRecord, can_see, may_join
from services.storage.jetstream import (
    ensure_message_stream,
    is_registered,
    last_seq,
    open_bucket,
    publish_event,
)
from services.storage.mention_counts import MentionCounts
from services.storage.mentions import ensure_mentions_stream
from services.storage.newest_seqs import NewestSeqHints, newest_near

from .directory import ChatDirectory
from .legacy import move_members_out_of_records
from .read_state import ReadState

GENERAL_CHAT_ID = "general"

# Seqs read above a chat's newest seen, to find its newest now
# (see services/storage/newest_seqs.py).
PROBE = 16
# Bounds (DESIGN.md "State and guarantees"): chats:list answers at most this many chats.
MAX_MEMBERSHIPS = 1000
MAX_OWNED_CHANNELS = 100


def new_chat_id() -> str:
    """12 random URL-safe characters that never start with ``-``.

    One id in 64 would otherwise start with it, and a command line such as
    ``chatbus tail <id>`` or ``nats sub`` would read that id as an option.
    """
    while (chat_id := secrets.token_urlsafe(9)).startswith("-"):
        pass
    return chat_id


class ChatRules:
    """Chats, as one user sees and changes them; every change is announced on NATS.

    Members hear of a chat's changes on ``chat.room.<id>.*``; only a public channel's
    creation or renaming is for everyone (``storage.AUDIENCE_HEADER``). A user added to or
    removed from a chat is also told on ``chat.user.<name>.chat``.
    """

    _nc: Client
    _js: JetStreamContext
    directory: ChatDirectory
    users: KeyValue
    reads: ReadState
    mentions: MentionCounts

    def __init__(self, replicas: int = 1) -> None:
        self._replicas = replicas
        self._newest_seq_hints = NewestSeqHints()
        # A user's joins take turns within a process, so two cannot both pass the quota;
        # each lock with how many are waiting for it or holding it.
        self._turns: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    async def open(self, nc: Client) -> None:
        """Attach to NATS: open the buckets and the stream, load the chats."""
        self._nc = nc
        self._js = nc.jetstream()
        chats = await open_bucket(self._js, storage.CHATS_BUCKET)
        await move_members_out_of_records(chats)
        self.directory = ChatDirectory(chats)
        self.users = await open_bucket(self._js, storage.USERS_BUCKET)
        await ensure_message_stream(self._js)
        await self._ensure_general()
        reads = ReadState(nc, await open_bucket(self._js, storage.READS_BUCKET))
        await ensure_mentions_stream(self._js, replicas=self._replicas)
        mentions = MentionCounts(self._js)
        # Last: once they follow their buckets, a failed open could not simply be run again.
        await self.directory.start()
        await reads.start()
        await mentions.start()
        self.reads, self.mentions = reads, mentions

    async def close(self) -> None:
        """Stop following changes to the chats and reads buckets."""
        if hasattr(self, "reads"):  # not when open never finished
            await self.mentions.stop()
            await self.reads.stop()
        await self.directory.stop()

    async def _ensure_general(self) -> None:
        """The public chat everyone finds on first start."""
        general = ChatRecord(
            id=GENERAL_CHAT_ID,
            name="general",
            private=False,
            owner=SYSTEM_USER,
            created_at=utc_now(),
        )
        await self.directory.create(general)

    # --- reading ---

    async def list_own(self, username: str) -> list[ChatView]:
        """The user's own chats, oldest first, with the user's role and read state."""
        copy = self.directory.copy
        known: list[tuple[ChatRecord, MemberRecord]] = []
        for chat_id in copy.chats_of(username):
            record = copy.chat(chat_id)
            membership, _ = copy.membership(chat_id, username)
            if record is not None and membership is not None:
                known.append((record, membership))
        known.sort(key=lambda pair: (pair[0].created_at, pair[0].id))
        chats = await self.as_chats([record for record, _ in known])
        return [
            self.view(chat, username, membership)
            for chat, (_, membership) in zip(chats, known, strict=True)
        ]

    def view(self, chat: Chat, username: str, membership: MemberRecord) -> ChatView:
        """The chat as its member sees it: their role and read state.

        Every message after the marker counts as unread: the user's own sends move their
        marker past them (``read_state``).
        """
        read_seq = min(self.read_seq(chat.id, username, membership), chat.last_seq)
        return ChatView(
            **chat.model_dump(),
            role=membership.role,
            read_seq=read_seq,
            unread=chat.last_seq - read_seq,
            mentions=self.mentions.unread(username, chat.id, read_seq),
            muted=membership.muted,
        )

    def read_seq(self, chat_id: str, username: str, membership: MemberRecord) -> int:
        """The user's marker, or the chat's newest seq when they joined if that is higher."""
        return max(self.reads.read_seq(username, chat_id), membership.read_from)

    async def current_membership(self, chat_id: str, username: str) -> MemberRecord | None:
        """The user's current membership: from the copy, else from JetStream before a no."""
        membership, _ = self.directory.copy.membership(chat_id, username)
        if membership is None or not membership.active:
            membership = await self.directory.membership(chat_id, username)
        return membership if membership is not None and membership.active else None

    def newest_seen(self, chat_id: str) -> int:
        """The newest seq of the chat this process has seen (0: none); the chat has it."""
        return self._newest_seq_hints.get(chat_id)

    async def newest_seq(self, chat_id: str) -> int:
        """The chat's newest seq now: near the newest seen before, else its last message."""
        hint = self._newest_seq_hints.get(chat_id)
        newest = await newest_near(self._js, {chat_id: hint}, PROBE) if hint else {}
        if chat_id not in newest:
            newest[chat_id], _ = await last_seq(self._js, chat_id)
        self._newest_seq_hints.learn(newest)
        return newest[chat_id]

    async def browse(self, username: str, request: BrowseChats) -> ChatPage:
        """Public channels by name, a page at a time."""
        found = self.directory.copy.public_after(request.query, request.after, request.limit)
        if found is None:
            raise InvalidInput("after must name a public chat")
        records, more = found
        return ChatPage(chats=await self.as_chats(records), more=more)

    async def get(self, username: str, request: GetChat) -> Chat:
        """One chat: a public one, or one of the user's own."""
        record = await self._visible(request.chat_id, username)
        return (await self.as_chats([record]))[0]

    async def members(self, username: str, request: ListMembers) -> MemberPage:
        """A chat's members by username, a page at a time."""
        await self._visible(request.chat_id, username)
        page, more = self.directory.copy.members_after(
            request.chat_id, request.after, request.limit
        )
        return MemberPage(
            members=[
                Member(username=name, role=membership.role, joined_at=membership.joined_at)
                for name, membership in page
            ],
            more=more,
        )

    async def connection_chats(self, username: str) -> ConnectionChats:
        """The chats a new connection of ``username`` hears from (edge only)."""
        return ConnectionChats(
            chats=[
                ChatMembership(chat_id=chat_id, revision=revision)
                for chat_id, revision in self.directory.copy.chats_of(username).items()
            ]
        )

    # --- changing ---

    async def create(self, username: str, request: CreateChat) -> Chat:
        """A new chat owned by ``username``, with the requested members."""
        await self.require_registered(username)
        copy = self.directory.copy
        if copy.owned_channels(username) >= MAX_OWNED_CHANNELS:
            raise TooLarge(f"you own {MAX_OWNED_CHANNELS} chats already, the most anyone may")
        invited = [member for member in dict.fromkeys(request.members) if member != username]
        for member in invited:
            if not await is_registered(self.users, member):
                raise NotFound(f"no user named {member}")
        for member in [username, *invited]:
            self._require_room_for(member)
        revision = None
        while revision is None:
            record = ChatRecord(
                id=new_chat_id(),
                name=request.name,
                private=request.private,
                owner=username,
                topic=request.topic,
                created_at=utc_now(),
            )
            revision = await self.directory.create(record)
        for member in [username, *invited]:
            await self.add_member(record, member, invited=True, read_from=0)
        chat = (await self.as_chats([record]))[0]
        everyone = not record.private and record.kind == "channel"
        await self.announce_chat(chat, everyone=everyone)
        return chat

    async def join(self, username: str, request: JoinChat) -> Chat:
        """Make ``username`` a member, if the chat lets them in."""
        await self.require_registered(username)
        record = await self.record(request.chat_id)
        membership = await self.directory.membership(record.id, username)
        if not may_join(record, username, membership):
            raise Forbidden("this chat is private; ask a member to invite you")
        if membership is None or not membership.active:
            await self.add_member(record, username)
        return await self._chat_for(record, username)

    async def leave(self, username: str, request: LeaveChat) -> ChatLeft:
        """End ``username``'s membership; leaving a chat one is not in changes nothing."""
        record = await self.record(request.chat_id)

        def mark_left(current: MemberRecord | None) -> MemberRecord | None:
            if current is None or not current.active:
                if not can_see(record, current):
                    raise Forbidden("this chat is private")
                return None
            return current.model_copy(update={"status": "left"})

        _, revision, changed = await self.directory.change_membership(
            record.id, username, mark_left
        )
        if changed:
            await self.announce_member(record, username, "left", revision)
        return ChatLeft(chat_id=record.id, revision=self.directory.copy.revision(record.id))

    async def invite(self, username: str, request: InviteToChat) -> Chat:
        """Add ``request.username`` to a chat ``username`` is a member of."""
        guest = request.username
        record = await self.record(request.chat_id)
        if record.kind == "dm":
            raise Forbidden("a direct message is between its two people only")
        inviter = await self.directory.membership(record.id, username)
        if inviter is None or not inviter.active:
            raise Forbidden("only members can invite")
        if not await is_registered(self.users, guest):
            raise NotFound(f"no user named {guest}")
        membership = await self.directory.membership(record.id, guest)
        if membership is None or not membership.active:
            await self.add_member(record, guest, invited=True)
        return await self._chat_for(record, guest)

    # --- helpers ---

    async def add_member(
        self, record: ChatRecord, username: str, *, invited: bool = False, read_from: int = -1
    ) -> None:
        """Make ``username`` a current member (within their quota) and announce it.

        ``invited``: by a member, which lets back in someone who was kicked. ``read_from``:
        the chat's newest seq (-1: look it up), which the newcomer counts as read.
        """
        role: ChatRole = "owner" if username == record.owner else "member"
        if read_from < 0:
            read_from = await self.newest_seq(record.id)

        def add(current: MemberRecord | None) -> MemberRecord | None:
            if current is not None and current.active:
                return None
            if current is not None and current.status == "kicked" and not invited:
                raise Forbidden("you were removed from this chat; ask to be invited")
            return MemberRecord(role=role, joined_at=utc_now(), read_from=read_from)

        async with self._turn(username):
            self._require_room_for(username)
            _, revision, changed = await self.directory.change_membership(record.id, username, add)
        if changed:
            await self.announce_member(record, username, "joined", revision)

    @contextlib.asynccontextmanager
    async def _turn(self, username: str) -> AsyncIterator[None]:
        lock, users = self._turns.setdefault(username, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._turns[username]

    def _require_room_for(self, username: str) -> None:
        if self.directory.copy.membership_count(username) >= MAX_MEMBERSHIPS:
            raise TooLarge(
                f"{username} is in {MAX_MEMBERSHIPS} chats, the most anyone may; leave one first"
            )

    async def announce_member(
        self, record: ChatRecord, username: str, action: MemberAction, revision: int
    ) -> None:
        copy = self.directory.copy
        event = MemberEvent(
            chat_id=record.id,
            username=username,
            action=action,
            member_count=copy.member_count(record.id),
            revision=max(revision, copy.revision(record.id)),
        )
        await publish_event(self._nc, subjects.room_event(record.id, "member"), event)
        chat = (await self.as_chats([record]))[0]
        await publish_event(self._nc, subjects.user_event(username, "chat"), chat)

    async def announce_chat(self, chat: Chat, *, everyone: bool) -> None:
        headers = {storage.AUDIENCE_HEADER: storage.EVERYONE} if everyone else None
        await self._nc.publish(
            subjects.room_event(chat.id, "updated"),
            chat.model_dump_json().encode(),
            headers=headers,
        )

    async def _chat_for(self, record: ChatRecord, username: str) -> Chat:
        return (await self.as_chats([record]))[0]

    async def record(self, chat_id: str) -> ChatRecord:
        """A chat's record: from the copy, else from JetStream (a chat just made elsewhere)."""
        record = self.directory.copy.chat(chat_id)
        if record is None:
            record, _ = await self.directory.get(chat_id)
        return record

    async def _visible(self, chat_id: str, username: str) -> ChatRecord:
        """The chat if ``username`` may see it; JetStream decides before a refusal."""
        copy = self.directory.copy
        record = await self.record(chat_id)
        if not record.private or copy.is_member(chat_id, username):
            return record
        if not can_see(record, await self.directory.membership(chat_id, username)):
            raise Forbidden("this chat is private")
        return record

    async def as_chats(self, records: list[ChatRecord]) -> list[Chat]:
        """Chats as clients see them: with their newest seq, member count and revision.

        The newest seq is found near the newest seen before where there is one (one
        batched read for all of them), else by reading each chat's last message.
        """
        copy = self.directory.copy
        hints = {record.id: self._newest_seq_hints.get(record.id) for record in records}
        newest = await newest_near(self._js, {c: seq for c, seq in hints.items() if seq}, PROBE)
        unknown = [chat_id for chat_id in hints if chat_id not in newest]
        read = await asyncio.gather(*(last_seq(self._js, chat_id) for chat_id in unknown))
        newest |= {chat_id: seq for chat_id, (seq, _) in zip(unknown, read, strict=True)}
        self._newest_seq_hints.learn(newest)
        return [
            record.to_chat(
                last_seq=newest[record.id],
                revision=max(1, copy.revision(record.id)),
                member_count=copy.member_count(record.id),
            )
            for record in records
        ]

    async def require_registered(self, username: str) -> None:
        """Refuse a name nobody registered, and a deactivated user (over NATS, a bot)."""
        account, _ = await read_account(self.users, username)
        if account is None:
            raise Unauthorized(f"{username} is not a registered user")
        if account.deactivated:
            raise Unauthorized(f"{username} is deactivated")
