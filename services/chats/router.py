"""The chats commands on NATS: ``chat.cmd.<username>.chats.<verb>``, and the edge's question."""

from typing import Any

from faststream.nats import NatsRouter

from services.contracts import (
    BROWSE_CHATS,
    CREATE_CHAT,
    GET_CHAT,
    INVITE_TO_CHAT,
    JOIN_CHAT,
    LEAVE_CHAT,
    LIST_CHATS,
    LIST_MEMBERS,
    MARK_READ,
    Account,
    BrowseChats,
    CreateChat,
    GetChat,
    InviteToChat,
    JoinChat,
    LeaveChat,
    ListChats,
    ListMembers,
    MarkRead,
    subjects,
    success,
)
from services.runtime import caller
from services.runtime.broker import answers_command
from services.runtime.edge_only import edge_answers

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

    @answers_command(router, MARK_READ, queue=QUEUE)
    async def mark_read(request: MarkRead) -> dict[str, Any]:
        return success(await chats.mark_read(caller.username(), request))

    from_the_edge = edge_answers(router, queue=QUEUE, signing_key=signing_key)

    @from_the_edge(
        subjects.CONNECTION_CHATS, "The chats a connecting user's socket hears from (edge only)."
    )
    async def connection_chats(account: Account) -> dict[str, Any]:
        return success(await chats.connection_chats(account.username))

    return router
