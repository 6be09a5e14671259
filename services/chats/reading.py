"""A member's own state in a chat: ``reads:mark`` (their read marker) and ``chats:mute``."""

from services.contracts import ChatView, MarkRead, MuteChat, ReadMarker
from services.core.errors import Forbidden
from services.storage.chat_records import MemberRecord

from .rules import ChatRules


async def mark_read(chats: ChatRules, username: str, request: MarkRead) -> ReadMarker:
    """Move the user's marker forward to ``request.seq``, clamped to the chat's newest.

    A seq at or below the newest one seen needs no look at the stream: seqs never go back.
    """
    record = await chats.record(request.chat_id)
    membership = await chats.current_membership(record.id, username)
    if membership is None:
        raise Forbidden("only members have a read marker in a chat")
    seq = request.seq
    if seq > chats.newest_seen(record.id):
        seq = min(seq, await chats.newest_seq(record.id))
    if seq <= membership.read_from:
        return ReadMarker(
            chat_id=record.id, read_seq=chats.read_seq(record.id, username, membership)
        )
    read_seq = await chats.reads.move_forward(username, record.id, seq)
    return ReadMarker(chat_id=record.id, read_seq=max(read_seq, membership.read_from))


async def mute(chats: ChatRules, username: str, request: MuteChat) -> ChatView:
    """Mute or unmute a chat for ``username``: no mention events; the counts go on."""
    record = await chats.record(request.chat_id)

    def with_muted(current: MemberRecord | None) -> MemberRecord | None:
        if current is None or not current.active:
            raise Forbidden("only members mute a chat")
        if current.muted == request.muted:
            return None
        return current.model_copy(update={"muted": request.muted})

    membership, _, _ = await chats.directory.change_membership(record.id, username, with_muted)
    assert membership is not None  # with_muted refuses a missing one
    return chats.view((await chats.as_chats([record]))[0], username, membership)
