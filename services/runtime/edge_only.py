"""Handlers only the edge may call: log-ins, registrations, connections, heartbeats.

The edge marks what it sends with a proof signed with the deployment's secret
(``identity.edge_proof``); a message without it is refused ``unauthorized``
after its payload is validated, whoever sent it.
"""

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from faststream.nats import NatsRouter

from services.runtime import caller
from services.runtime.broker import answers

Handler = TypeVar("Handler", bound=Callable[[Any], Awaitable[Any]])


def from_the_edge_only(signing_key: str) -> Callable[[Handler], Handler]:
    """Wrap a handler so that it refuses every message the edge did not send."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(body: Any) -> Any:
            caller.require_the_edge(signing_key)
            return await handler(body)

        return checked  # type: ignore[return-value]  # same signature, through __wrapped__

    return wrap


def edge_answers(
    router: NatsRouter, *, queue: str, signing_key: str
) -> Callable[[str, str], Callable[[Handler], Any]]:
    """``answers`` for the subjects of ``router`` that only the edge may call.

    ``edge_answers(router, queue=..., signing_key=...)(subject, description)`` decorates
    a handler as ``answers(router, subject, ...)`` does, refusing anyone but the edge.
    """

    def subscribe(subject: str, description: str) -> Callable[[Handler], Any]:
        answer = answers(router, subject, queue=queue, description=description)
        edge_only = from_the_edge_only(signing_key)
        return lambda handler: answer(edge_only(handler))

    return subscribe
