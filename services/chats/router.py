"""The chats commands on NATS: ``chat.cmd.<username>.chats.<verb>``."""

from typing import Any

from faststream import Path
from faststream.nats import NatsRouter

from services.broker import COMMAND_WORKERS
from services.contracts import (
    CREATE_CHAT,
    INVITE_TO_CHAT,
    JOIN_CHAT,
    LEAVE_CHAT,
    LIST_CHATS,
    Command,
    CreateChat,
    InviteToChat,
    JoinChat,
    LeaveChat,
    ListChats,
    success,
)
from services.identity import acting_user

from .book import ChatBook

QUEUE = "chats"


def create_chats_router(book: ChatBook) -> NatsRouter:
    """Subscribe the chats commands, one queue group shared by every replica."""
    router = NatsRouter()

    def command(spec: Command) -> Any:
        return router.subscriber(
            spec.subscription, queue=QUEUE, max_workers=COMMAND_WORKERS, description=spec.summary
        )

    @command(LIST_CHATS)
    async def list_chats(request: ListChats, username: str = Path()) -> dict[str, Any]:
        return success(await book.list_visible(acting_user(username)))

    @command(CREATE_CHAT)
    async def create_chat(request: CreateChat, username: str = Path()) -> dict[str, Any]:
        return success(await book.create(acting_user(username), request))

    @command(JOIN_CHAT)
    async def join_chat(request: JoinChat, username: str = Path()) -> dict[str, Any]:
        return success(await book.join(acting_user(username), request))

    @command(LEAVE_CHAT)
    async def leave_chat(request: LeaveChat, username: str = Path()) -> dict[str, Any]:
        return success(await book.leave(acting_user(username), request))

    @command(INVITE_TO_CHAT)
    async def invite_to_chat(request: InviteToChat, username: str = Path()) -> dict[str, Any]:
        return success(await book.invite(acting_user(username), request))

    return router
