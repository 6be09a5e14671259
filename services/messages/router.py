"""The messages commands on NATS: ``chat.cmd.<username>.messages.<verb>``."""

from typing import Any

from faststream import Header, Path
from faststream.nats import NatsRouter

from services.broker import answers_command
from services.contracts import (
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    MessageHistory,
    SendMessage,
    storage,
    success,
)
from services.identity import acting_user, relayed_by_edge

from .messenger import Messenger

QUEUE = "messages"


def create_messages_router(messenger: Messenger, signing_key: str) -> NatsRouter:
    """Subscribe the messages commands, one queue group shared by every replica."""
    router = NatsRouter()

    @answers_command(router, SEND_MESSAGE, queue=QUEUE)
    async def send_message(
        request: SendMessage,
        username: str = Path(),
        edge: str | None = Header(storage.EDGE_PROOF_HEADER, default=None),
    ) -> dict[str, Any]:
        via_web = relayed_by_edge(edge, signing_key)
        return success(await messenger.send(acting_user(username), request, via_web=via_web))

    @answers_command(router, MESSAGE_HISTORY, queue=QUEUE)
    async def message_history(request: MessageHistory, username: str = Path()) -> dict[str, Any]:
        return success(await messenger.history(acting_user(username), request))

    return router
