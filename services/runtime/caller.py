"""Who sent the command in hand, read from its NATS message.

FastStream resolves ``Path()`` and ``Header()`` parameters on a worker thread,
a thread hand-off for every command; handlers read the subject and headers here
instead, in the task that runs them. ``remember_message``,
a broker middleware, holds the message for the handler running in its task.
"""

import re
from contextvars import ContextVar
from typing import Any

from faststream import BaseMiddleware
from faststream.message import StreamMessage
from faststream.types import AsyncFuncAny

from services.contracts import storage, subjects
from services.core.errors import InvalidInput
from services.core.identity import acting_user, relayed_by_edge, require_edge

_in_hand: ContextVar[StreamMessage[Any]] = ContextVar("chatbus_message_in_hand")


class remember_message(BaseMiddleware):  # noqa: N801 - used as FastStream middleware factory
    """Broker middleware: keeps the message for ``username`` and the edge checks."""

    async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
        token = _in_hand.set(msg)
        try:
            return await call_next(msg)
        finally:
            _in_hand.reset(token)


def username() -> str:
    """The ``<username>`` token of the command subject in hand, refused when not valid."""
    command = subjects.parse_command(_in_hand.get().raw_message.subject)
    if command is None:
        raise InvalidInput("not a command subject")
    return acting_user(command[0])


def relayed_by_the_edge(signing_key: str) -> bool:
    """Whether the message in hand carries the edge's proof (``via: web``)."""
    return relayed_by_edge(_edge_header(), signing_key)


def require_the_edge(signing_key: str) -> None:
    """Refuse the message in hand unless the edge sent it (see ``identity.require_edge``)."""
    require_edge(_edge_header(), signing_key)


def chat_revision_seen_by_the_edge(signing_key: str) -> int | None:
    """The chat revision the edge says it has seen; None unless the edge sent the command."""
    headers = _in_hand.get().headers or {}
    value = headers.get(storage.CHAT_REVISION_HEADER, "")
    if not _REVISION.fullmatch(value) or not relayed_by_the_edge(signing_key):
        return None
    return int(value)


_REVISION = re.compile(r"[1-9][0-9]{0,18}")


def _edge_header() -> str | None:
    headers = _in_hand.get().headers
    return headers.get(storage.EDGE_PROOF_HEADER) if headers else None
