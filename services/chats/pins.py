"""Pinned messages: a chat's seqs in the order they were pinned, at most 50, set by members."""

from services.contracts import MAX_PINS_PER_CHAT, Chat, PinMessage
from services.core.errors import Forbidden, NotFound, TooLarge
from services.storage.chat_records import ChatRecord

from .rules import ChatRules


async def pin(chats: ChatRules, username: str, request: PinMessage) -> Chat:
    """Pin or unpin message ``request.seq``; announced to the chat's members."""
    record = await chats.record(request.chat_id)
    if await chats.current_membership(record.id, username) is None:
        raise Forbidden("only members pin messages")
    seq = request.seq
    if request.pinned and seq > await chats.newest_seq(record.id):
        raise NotFound(f"the chat has no message {seq}")

    def change(current: ChatRecord) -> ChatRecord | None:
        pinned = list(current.pinned)
        if request.pinned == (seq in pinned):
            return None
        if request.pinned:
            if len(pinned) >= MAX_PINS_PER_CHAT:
                raise TooLarge(f"a chat holds at most {MAX_PINS_PER_CHAT} pins; unpin one first")
            pinned.append(seq)
        else:
            pinned.remove(seq)
        return current.model_copy(update={"pinned": pinned})

    updated, _, changed = await chats.directory.change(record.id, change)
    chat = (await chats.as_chats([updated]))[0]
    if changed:
        await chats.announce_chat(chat, everyone=False)
    return chat
