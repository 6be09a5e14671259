"""The messages commands on NATS: ``chat.cmd.<username>.messages.<verb>`` and
``chat.cmd.<username>.mentions.list``."""

from typing import Any

from faststream.nats import NatsRouter

from services.contracts import (
    DELETE_MESSAGE,
    EDIT_MESSAGE,
    LIST_MENTIONS,
    MESSAGE_HISTORY,
    MESSAGE_THREAD,
    REACT_TO_MESSAGE,
    SEND_MESSAGE,
    MessageHistory,
    SendMessage,
    success,
)
from services.contracts.message_requests import (
    DeleteMessage,
    EditMessage,
    ListMentions,
    MessageThread,
    ReactToMessage,
)
from services.runtime import caller
from services.runtime.broker import answers_command

from .messenger import Messenger

QUEUE = "messages"


def create_messages_router(messenger: Messenger, signing_key: str) -> NatsRouter:
    """Subscribe the messages commands, one queue group shared by every replica."""
    router = NatsRouter()

    def seen() -> int | None:
        return caller.chat_revision_seen_by_the_edge(signing_key)

    def acting() -> str:
        # A deactivated user's bot still holds its NATS connection: refuse it here.
        user = caller.username()
        return messenger.deactivated.require_active(user)

    @answers_command(router, SEND_MESSAGE, queue=QUEUE)
    async def send_message(request: SendMessage) -> dict[str, Any]:
        via_web = caller.relayed_by_the_edge(signing_key)
        return success(
            await messenger.send(acting(), request, via_web=via_web, seen_revision=seen())
        )

    @answers_command(router, MESSAGE_HISTORY, queue=QUEUE)
    async def message_history(request: MessageHistory) -> dict[str, Any]:
        return success(await messenger.history(acting(), request, seen_revision=seen()))

    @answers_command(router, MESSAGE_THREAD, queue=QUEUE)
    async def message_thread(request: MessageThread) -> dict[str, Any]:
        return success(await messenger.thread(acting(), request, seen_revision=seen()))

    @answers_command(router, EDIT_MESSAGE, queue=QUEUE)
    async def edit_message(request: EditMessage) -> dict[str, Any]:
        return success(await messenger.edit(acting(), request, seen_revision=seen()))

    @answers_command(router, DELETE_MESSAGE, queue=QUEUE)
    async def delete_message(request: DeleteMessage) -> dict[str, Any]:
        return success(await messenger.delete(acting(), request, seen_revision=seen()))

    @answers_command(router, REACT_TO_MESSAGE, queue=QUEUE)
    async def react_to_message(request: ReactToMessage) -> dict[str, Any]:
        return success(await messenger.react(acting(), request, seen_revision=seen()))

    @answers_command(router, LIST_MENTIONS, queue=QUEUE)
    async def list_mentions(request: ListMentions) -> dict[str, Any]:
        return success(await messenger.mentions(acting(), request))

    return router
