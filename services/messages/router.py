"""The messages commands on NATS: ``chat.cmd.<username>.messages.<verb>``."""

from typing import Any

from faststream.nats import NatsRouter

from services.contracts import (
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    MessageHistory,
    SendMessage,
    success,
)
from services.runtime import caller
from services.runtime.broker import answers_command

from .messenger import Messenger

QUEUE = "messages"


def create_messages_router(messenger: Messenger, signing_key: str) -> NatsRouter:
    """Subscribe the messages commands, one queue group shared by every replica."""
    router = NatsRouter()

    @answers_command(router, SEND_MESSAGE, queue=QUEUE)
    async def send_message(request: SendMessage) -> dict[str, Any]:
        via_web = caller.relayed_by_the_edge(signing_key)
        seen = caller.chat_revision_seen_by_the_edge(signing_key)
        return success(
            await messenger.send(caller.username(), request, via_web=via_web, seen_revision=seen)
        )

    @answers_command(router, MESSAGE_HISTORY, queue=QUEUE)
    async def message_history(request: MessageHistory) -> dict[str, Any]:
        seen = caller.chat_revision_seen_by_the_edge(signing_key)
        return success(await messenger.history(caller.username(), request, seen_revision=seen))

    return router
