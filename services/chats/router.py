"""The chats commands on NATS: ``chat.cmd.<username>.chats.<verb>``, and the edge's question."""

from typing import Any

from faststream.nats import NatsRouter

from services.contracts import (
    BROWSE_CHATS,
    CREATE_CHAT,
    GET_CHAT,
    INVITE_TO_CHAT,
    JOIN_CHAT,
    KICK_FROM_CHAT,
    LEAVE_CHAT,
    LIST_CHATS,
    LIST_MEMBERS,
    MARK_READ,
    MUTE_CHAT,
    OPEN_DM,
    PIN_MESSAGE,
    SET_CHAT_ROLE,
    UPDATE_CHAT,
    Account,
    BrowseChats,
    CreateChat,
    GetChat,
    InviteToChat,
    JoinChat,
    KickFromChat,
    LeaveChat,
    ListChats,
    ListMembers,
    MarkRead,
    MuteChat,
    OpenDm,
    PinMessage,
    SetChatRole,
    UpdateChat,
    subjects,
    success,
)
from services.runtime import caller
from services.runtime.broker import answers_command
from services.runtime.edge_only import edge_answers

from . import moderation, reading
from .direct_messages import open_dm
from .pins import pin
from .rules import ChatRules

QUEUE = "chats"


def create_chats_router(chats: ChatRules, signing_key: str) -> NatsRouter:
    """Subscribe the chats commands, one queue group shared by every replica."""
    router = NatsRouter()

    @answers_command(router, LIST_CHATS, queue=QUEUE)
    async def list_chats(request: ListChats) -> dict[str, Any]:
        return success(await chats.list_own(caller.username()))

    @answers_command(router, BROWSE_CHATS, queue=QUEUE)
    async def browse_chats(request: BrowseChats) -> dict[str, Any]:
        return success(await chats.browse(caller.username(), request))

    @answers_command(router, GET_CHAT, queue=QUEUE)
    async def get_chat(request: GetChat) -> dict[str, Any]:
        return success(await chats.get(caller.username(), request))

    @answers_command(router, LIST_MEMBERS, queue=QUEUE)
    async def list_members(request: ListMembers) -> dict[str, Any]:
        return success(await chats.members(caller.username(), request))

    @answers_command(router, CREATE_CHAT, queue=QUEUE)
    async def create_chat(request: CreateChat) -> dict[str, Any]:
        return success(await chats.create(caller.username(), request))

    @answers_command(router, JOIN_CHAT, queue=QUEUE)
    async def join_chat(request: JoinChat) -> dict[str, Any]:
        return success(await chats.join(caller.username(), request))

    @answers_command(router, LEAVE_CHAT, queue=QUEUE)
    async def leave_chat(request: LeaveChat) -> dict[str, Any]:
        return success(await chats.leave(caller.username(), request))

    @answers_command(router, INVITE_TO_CHAT, queue=QUEUE)
    async def invite_to_chat(request: InviteToChat) -> dict[str, Any]:
        return success(await chats.invite(caller.username(), request))

    @answers_command(router, UPDATE_CHAT, queue=QUEUE)
    async def update_chat(request: UpdateChat) -> dict[str, Any]:
        return success(await moderation.update_chat(chats, caller.username(), request))

    @answers_command(router, KICK_FROM_CHAT, queue=QUEUE)
    async def kick_from_chat(request: KickFromChat) -> dict[str, Any]:
        return success(await moderation.kick(chats, caller.username(), request))

    @answers_command(router, SET_CHAT_ROLE, queue=QUEUE)
    async def set_chat_role(request: SetChatRole) -> dict[str, Any]:
        return success(await moderation.set_role(chats, caller.username(), request))

    @answers_command(router, OPEN_DM, queue=QUEUE)
    async def open_direct_message(request: OpenDm) -> dict[str, Any]:
        return success(await open_dm(chats, caller.username(), request))

    @answers_command(router, PIN_MESSAGE, queue=QUEUE)
    async def pin_message(request: PinMessage) -> dict[str, Any]:
        return success(await pin(chats, caller.username(), request))

    @answers_command(router, MUTE_CHAT, queue=QUEUE)
    async def mute_chat(request: MuteChat) -> dict[str, Any]:
        return success(await reading.mute(chats, caller.username(), request))

    @answers_command(router, MARK_READ, queue=QUEUE)
    async def mark_read(request: MarkRead) -> dict[str, Any]:
        return success(await reading.mark_read(chats, caller.username(), request))

    from_the_edge = edge_answers(router, queue=QUEUE, signing_key=signing_key)

    @from_the_edge(
        subjects.CONNECTION_CHATS, "The chats a connecting user's socket hears from (edge only)."
    )
    async def connection_chats(account: Account) -> dict[str, Any]:
        return success(await chats.connection_chats(account.username))

    return router
