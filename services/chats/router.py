"""The chats commands on NATS: ``chat.cmd.<username>.chats.<verb>``."""

from typing import Any

from faststream import Path
from faststream.nats import NatsRouter

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
from services.broker import COMMAND_WORKERS
from services.identity import acting_user

from .book import ChatBook

QUEUE = "chats"


def create_chats_router(book: ChatBook) -> NatsRouter:
    """Subscribe the chats commands, one queue group shared by every replica."""
    router = NatsRouter()

    @router.subscriber(LIST_CHATS.subscription, queue=QUEUE, max_workers=COMMAND_WORKERS, description=LIST_CHATS.summary)
    async def list_chats(request: ListChats, username: str = Path()) -> dict[str, Any]:
        return success(await book.list_visible(acting_user(username)))

    @router.subscriber(CREATE_CHAT.subscription, queue=QUEUE, max_workers=COMMAND_WORKERS, description=CREATE_CHAT.summary)
    async def create_chat(request: CreateChat, username: str = Path()) -> dict[str, Any]:
        return success(await book.create(acting_user(username), request))

    @router.subscriber(JOIN_CHAT.subscription, queue=QUEUE, max_workers=COMMAND_WORKERS, description=JOIN_CHAT.summary)
    async def join_chat(request: JoinChat, username: str = Path()) -> dict[str, Any]:
        return success(await book.join(acting_user(username), request))

    @router.subscriber(LEAVE_CHAT.subscription, queue=QUEUE, max_workers=COMMAND_WORKERS, description=LEAVE_CHAT.summary)
    async def leave_chat(request: LeaveChat, username: str = Path()) -> dict[str, Any]:
        return success(await book.leave(acting_user(username), request))

    @router.subscriber(INVITE_TO_CHAT.subscription, queue=QUEUE, max_workers=COMMAND_WORKERS, description=INVITE_TO_CHAT.summary)
    async def invite_to_chat(request: InviteToChat, username: str = Path()) -> dict[str, Any]:
        return success(await book.invite(acting_user(username), request))

    return router
