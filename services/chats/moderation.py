"""What a chat's owner and admins may do: rename it, set its topic, remove members, and
(the owner alone) make members admins. A DM has neither owner's powers nor admins."""

from services.contracts import Chat, KickFromChat, Member, SetChatRole, UpdateChat
from services.core.errors import Forbidden, InvalidInput, NotFound
from services.storage.chat_records import ChatRecord, MemberRecord

from .rules import ChatRules

MODERATORS = ("owner", "admin")


async def _moderated(
    chats: ChatRules, chat_id: str, username: str, roles: tuple[str, ...]
) -> ChatRecord:
    """The chat, if ``username`` holds one of ``roles`` in it."""
    record = await chats.record(chat_id)
    if record.kind == "dm":
        raise Forbidden("a direct message has no owner or admins")
    membership = await chats.current_membership(record.id, username)
    if membership is None or membership.role not in roles:
        raise Forbidden(f"only the chat's {' and '.join(roles)}s may do that")
    return record


async def update_chat(chats: ChatRules, username: str, request: UpdateChat) -> Chat:
    """Rename the chat or change its topic; a public channel's new name is for everyone."""
    record = await _moderated(chats, request.chat_id, username, MODERATORS)
    changes = {
        field: value
        for field, value in (("name", request.name), ("topic", request.topic))
        if value is not None and value != getattr(record, field)
    }

    def change(current: ChatRecord) -> ChatRecord | None:
        wanted = {f: v for f, v in changes.items() if getattr(current, f) != v}
        return current.model_copy(update=wanted) if wanted else None

    updated, _, changed = await chats.directory.change(record.id, change)
    chat = (await chats.as_chats([updated]))[0]
    if changed:
        renamed = updated.name != record.name
        await chats.announce_chat(chat, everyone=renamed and not updated.private)
    return chat


async def kick(chats: ChatRules, username: str, request: KickFromChat) -> Chat:
    """Remove a member (not the owner); only a new invitation lets them back in."""
    record = await _moderated(chats, request.chat_id, username, MODERATORS)
    target = request.username
    if target == username:
        raise InvalidInput("to leave a chat, use chats:leave")
    if target == record.owner:
        raise Forbidden("the chat's owner cannot be removed")

    def kicked(current: MemberRecord | None) -> MemberRecord | None:
        if current is None or not current.active:
            raise NotFound(f"{target} is not a member of this chat")
        return current.model_copy(update={"status": "kicked", "role": "member"})

    _, revision, changed = await chats.directory.change_membership(record.id, target, kicked)
    if changed:
        await chats.announce_member(record, target, "kicked", revision)
    return (await chats.as_chats([record]))[0]


async def set_role(chats: ChatRules, username: str, request: SetChatRole) -> Member:
    """Make a member an admin of the chat or a member again; the owner's role stays."""
    record = await _moderated(chats, request.chat_id, username, ("owner",))
    target = request.username
    if target == record.owner:
        raise Forbidden("the owner's role cannot be changed")

    def with_role(current: MemberRecord | None) -> MemberRecord | None:
        if current is None or not current.active:
            raise NotFound(f"{target} is not a member of this chat")
        if current.role == request.role:
            return None
        return current.model_copy(update={"role": request.role})

    membership, _, _ = await chats.directory.change_membership(record.id, target, with_role)
    assert membership is not None  # with_role refuses a missing one
    return Member(username=target, role=membership.role, joined_at=membership.joined_at)
