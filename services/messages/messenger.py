"""The rules of messages: only members post, private chats are read by members only.

Members edit their own messages and react; a message is deleted by its sender, the
chat's owner and admins, and workspace admins. Every change is a revision of the
message (``revisions``), announced to the chat as ``message_changed``.
"""

import asyncio
import hashlib
import uuid

from nats.aio.client import Client
from nats.js.kv import KeyValue

from services.contracts import (
    HistoryPage,
    Message,
    MessageHistory,
    SendMessage,
    ThreadPage,
    storage,
    subjects,
    utc_now,
)
from services.contracts.message_requests import (
    DeleteMessage,
    EditMessage,
    ListMentions,
    MessageThread,
    ReactToMessage,
)
from services.contracts.messages import MessageRevisions
from services.contracts.people import MentionPage
from services.core.errors import Forbidden, InvalidInput, NotFound, Unavailable
from services.storage.jetstream import ensure_message_stream, open_bucket, publish_event
from services.storage.mentions import ensure_mentions_stream
from services.storage.multi_get import last_for_each

from .admins import is_workspace_admin
from .archive import MessageArchive
from .changes import edited, replied, tombstone
from .deactivated import DeactivatedAccounts
from .members import Access, ChatMembers
from .mentions import Mentions, mention_page
from .reactions import Reactions
from .retention import KEEP_ALL, Retention
from .revisions import StoredMessage, revise
from .sender_reads import SenderReads
from .threads import find_root, index_reply, thread_page

CHAT_ROLES_THAT_DELETE = ("owner", "admin")


class Messenger:
    """Sends and reads messages on behalf of one user at a time."""

    _nc: Client
    members: ChatMembers
    _archive: MessageArchive
    _users: KeyValue
    _reactions: Reactions
    _mentions: Mentions
    deactivated: DeactivatedAccounts
    _sender_reads: SenderReads

    def __init__(self, retention: Retention | None = None, *, replicas: int = 1) -> None:
        self._retention = retention
        self._replicas = replicas

    async def open(self, nc: Client) -> None:
        """Attach to NATS: the message and mentions streams, the chats, users, presence and
        reactions buckets (the users bucket also followed for who is deactivated), and the
        reads bucket, where a sender's own marker goes past what they send."""
        self._nc = nc
        js = self._js = nc.jetstream()
        await ensure_message_stream(js)
        await ensure_mentions_stream(js, replicas=self._replicas)
        self._archive = MessageArchive(js, self._retention)
        self._users = await open_bucket(js, storage.USERS_BUCKET)
        retention = self._retention or KEEP_ALL
        self._reactions = Reactions(js, await open_bucket(js, storage.REACTIONS_BUCKET), retention)
        members = ChatMembers(await open_bucket(js, storage.CHATS_BUCKET))
        mentions = Mentions(nc, members.copy, await open_bucket(js, storage.PRESENCE_BUCKET))
        deactivated = DeactivatedAccounts(self._users)
        sender_reads = SenderReads(nc, await open_bucket(js, storage.READS_BUCKET))
        # Last: once they follow their buckets, a failed open could not simply be run again.
        await members.start()
        self.members = members
        await mentions.start()
        self._mentions = mentions
        await deactivated.start()
        self.deactivated = deactivated
        sender_reads.start()
        self._sender_reads = sender_reads

    async def close(self) -> None:
        """Stop following the buckets."""
        if hasattr(self, "_sender_reads"):  # not when open never finished
            await self._sender_reads.stop()
        if hasattr(self, "deactivated"):
            await self.deactivated.stop()
        if hasattr(self, "_mentions"):
            await self._mentions.stop()
        if hasattr(self, "members"):
            await self.members.stop()

    async def send(
        self, username: str, request: SendMessage, *, via_web: bool, seen_revision: int | None
    ) -> Message:
        """Store and announce a message from a member of the chat.

        ``seen_revision``: the chat's newest revision the edge has seen (see ``members``).
        """
        chat = (await self._as_member(request.chat_id, username, seen_revision, "posting")).chat
        root = None
        if request.reply_to is not None:
            root = (await find_root(self._js, chat.id, request.reply_to)).message.seq
        message_id = uuid.uuid4().hex
        draft = Message(
            chat_id=chat.id,
            seq=1,
            id=message_id,
            sender=username,
            text=request.text,
            sent_at=utc_now(),
            via="web" if via_web else "nats",
            reply_to=root,
            mentions=self._mentions.named(chat.id, request.text),
        )
        changed_root: list[StoredMessage] = []

        async def add_to_thread(reply: Message) -> None:
            if root is not None:
                changed_root.append(await self._add_reply(reply, root))

        message, is_new = await self._archive.append(
            draft,
            _dedupe_key(chat.id, username, request.client_id) or message_id,
            then=add_to_thread if root is not None else None,
        )
        if is_new:
            await publish_event(self._nc, subjects.room_event(chat.id, "message"), message)
            self._sender_reads.sent(username, chat.id, message.seq)
            for revised in changed_root:
                await self._changed(revised)
            if message.mentions:
                await self._mentions.tell(message, message.mentions)
        return message

    async def _as_member(
        self, chat_id: str, username: str, seen_revision: int | None, doing: str
    ) -> Access:
        """The chat and the user's membership; ``forbidden`` unless they are a member."""
        access = await self.members.access(chat_id, username, seen_revision, to_post=True)
        if not access.is_member:
            raise Forbidden(f"join the chat before {doing} in it")
        return access

    async def _add_reply(self, reply: Message, root: int) -> StoredMessage:
        """Count ``reply`` in its root's thread and index it at the place that gives it."""

        def add(message: StoredMessage) -> StoredMessage:
            return replied(message, reply.sent_at)

        _, revised = await revise(self._js, self._retention or KEEP_ALL, reply.chat_id, root, add)
        if revised is None or revised.thread is None:  # ``replied`` always changes the root
            raise Unavailable("the thread could not take the reply; try again")
        await index_reply(self._js, reply, root, revised.thread.count)
        return revised

    async def _changed(self, message: StoredMessage) -> None:
        public = message.public()
        await publish_event(self._nc, subjects.room_event(message.chat_id, "changed"), public)

    async def edit(
        self, username: str, request: EditMessage, *, seen_revision: int | None
    ) -> Message:
        """Replace the text of one's own message; mentions it adds are told once."""
        await self._as_member(request.chat_id, username, seen_revision, "editing")
        named = self._mentions.named(request.chat_id, request.text)
        at = utc_now()

        def edit(message: StoredMessage) -> StoredMessage | None:
            return edited(message, username, request.text, named, at)

        before, after = await revise(
            self._js, self._retention or KEEP_ALL, request.chat_id, request.seq, edit
        )
        if after is None:
            return before.public()
        await self._changed(after)
        added = [user for user in after.mentions if user not in before.mentions]
        if added:
            await self._mentions.tell(after, added)
        return after.public()

    async def delete(
        self, username: str, request: DeleteMessage, *, seen_revision: int | None
    ) -> Message:
        """Delete a message for good: every revision, reaction and reactor goes; the
        tombstone keeps seq, id, sender and time."""
        access = await self.members.access(request.chat_id, username, seen_revision, to_post=False)
        current = await self._readable_message(request.chat_id, request.seq, access, username)
        if current.sender != username and not await self._may_delete_others(access, username):
            raise Forbidden("only its sender, the chat's owner and admins may delete it")
        before, after = await revise(
            self._js,
            self._retention or KEEP_ALL,
            request.chat_id,
            request.seq,
            tombstone,
            rollup=True,
        )
        await self._reactions.forget(request.chat_id, request.seq)
        if after is None:
            return before.public()
        await self._changed(after)
        return after.public()

    async def _readable_message(
        self, chat_id: str, seq: int, access: Access, username: str
    ) -> Message:
        """The message as it is, for someone who may read the chat (workspace admins may)."""
        if not access.can_read and not await is_workspace_admin(self._users, username):
            raise Forbidden("this chat is private")
        stored = await last_for_each(
            self._js, storage.MESSAGES_STREAM, [subjects.stored_message(chat_id, seq)]
        )
        if not stored:
            raise NotFound("no such message")
        return Message.model_validate_json(next(iter(stored.values())))

    async def _may_delete_others(self, access: Access, username: str) -> bool:
        """Whether the user moderates the chat (its owner or an admin) or the workspace."""

        def moderates(checked: Access) -> bool:
            membership = checked.membership
            return checked.chat.owner == username or (
                membership is not None
                and membership.active
                and membership.role in CHAT_ROLES_THAT_DELETE
            )

        if moderates(access):
            return True
        # Read again from JetStream before refusing: a copy may not have the new role yet.
        fresh = await self.members.access(access.chat.id, username, None, to_post=True)
        return moderates(fresh) or await is_workspace_admin(self._users, username)

    async def react(
        self, username: str, request: ReactToMessage, *, seen_revision: int | None
    ) -> Message:
        """Turn one's emoji reaction on or off; a repeat changes nothing."""
        await self._as_member(request.chat_id, username, seen_revision, "reacting")
        message, changed = await self._reactions.toggle(
            request.chat_id, request.seq, request.emoji, username, on=request.on
        )
        if changed:
            await publish_event(self._nc, subjects.room_event(request.chat_id, "changed"), message)
        return message

    async def thread(
        self, username: str, request: MessageThread, *, seen_revision: int | None
    ) -> ThreadPage:
        """A page of the replies to a message; private chats only for their members."""
        access = await self.members.access(request.chat_id, username, seen_revision, to_post=False)
        if not access.can_read:
            raise Forbidden("this chat is private")
        root = await find_root(self._js, request.chat_id, request.root)
        return await thread_page(self._js, request.chat_id, root, request.after, request.limit)

    async def mentions(self, username: str, request: ListMentions) -> MentionPage:
        """The user's mentions, newest first."""
        return await mention_page(
            self._js, self.members.copy, username, request.before, request.limit
        )

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
        read = await page
        if request.revisions:
            read.revisions = await self._earlier_texts(read.messages, username)
        return read

    async def _earlier_texts(
        self, messages: list[Message], username: str
    ) -> list[MessageRevisions]:
        """The earlier texts of the edited messages among ``messages`` that the user sent
        (a workspace admin: of all of them)."""
        edited_ones = [m for m in messages if m.edited_at is not None and not m.deleted]
        if any(m.sender != username for m in edited_ones) and not await is_workspace_admin(
            self._users, username
        ):
            edited_ones = [m for m in edited_ones if m.sender == username]
        if not edited_ones:
            return []
        chat_id = edited_ones[0].chat_id
        stored = await last_for_each(
            self._js,
            storage.MESSAGES_STREAM,
            [subjects.stored_message(chat_id, m.seq) for m in edited_ones],
        )
        revisions = []
        for data in stored.values():
            record = StoredMessage.model_validate_json(data)
            if record.earlier and not record.deleted:
                revisions.append(MessageRevisions(seq=record.seq, revisions=record.earlier))
        return sorted(revisions, key=lambda r: r.seq)


def _dedupe_key(chat_id: str, username: str, client_id: str | None) -> str | None:
    # The same client_id from the same sender in the same chat is the same message.
    if client_id is None:
        return None
    return hashlib.sha256(f"{chat_id}\0{username}\0{client_id}".encode()).hexdigest()
