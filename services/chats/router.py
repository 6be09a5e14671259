"""The chats commands on NATS: ``chat.cmd.<username>.chats.<verb>``."""

from typing import Any

from faststream.nats import NatsRouter

from services import caller
from services.broker import answers_command
from services.contracts import (
    CREATE_CHAT,
    INVITE_TO_CHAT,
    JOIN_CHAT,
    LEAVE_CHAT,
    LIST_CHATS,
    CreateChat,
    InviteToChat,
    JoinChat,
    LeaveChat,
    ListChats,
    success,
)

from .book import ChatBook

QUEUE = "chats"


def create_chats_router(book: ChatBook) -> NatsRouter:
    """Subscribe the chats commands, one queue group shared by every replica."""
    router = NatsRouter()

    @answers_command(router, LIST_CHATS, queue=QUEUE)
    async def list_chats(request: ListChats) -> dict[str, Any]:
        return success(await book.list_visible(caller.username()))

    @answers_command(router, CREATE_CHAT, queue=QUEUE)
    async def create_chat(request: CreateChat) -> dict[str, Any]:
        return success(await book.create(caller.username(), request))

    @answers_command(router, JOIN_CHAT, queue=QUEUE)
    async def join_chat(request: JoinChat) -> dict[str, Any]:
        return success(await book.join(caller.username(), request))

    @answers_command(router, LEAVE_CHAT, queue=QUEUE)
    async def leave_chat(request: LeaveChat) -> dict[str, Any]:
        return success(await book.leave(caller.username(), request))

    @answers_command(router, INVITE_TO_CHAT, queue=QUEUE)
    async def invite_to_chat(request: InviteToChat) -> dict[str, Any]:
        return success(await book.invite(caller.username(), request))

    return router
