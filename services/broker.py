"""What every handler service shares: its broker, how payloads are decoded and errors answered."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import Context, ExceptionMiddleware, FastStream
from faststream.message import StreamMessage
from faststream.nats import NatsBroker, NatsRouter

from services.contracts import Command
from services.errors import envelope_for
from services.logs import configure_logging
from services.rate_limits import CommandRateLimit
from services.settings import Settings

log = logging.getLogger("chatbus.broker")

# Commands a replica handles at once: handlers mostly wait on JetStream round trips.
COMMAND_WORKERS = 16


async def decode_json_object(
    message: StreamMessage[Any], original: Callable[[StreamMessage[Any]], Awaitable[Any]]
) -> Any:
    """Decode a command payload: empty means ``{}``; anything that is not JSON stays bytes.

    Leaving undecodable bodies as bytes lets pydantic reject them with a clear
    ``invalid`` answer instead of an exception deep in the decoder. Nesting too
    deep for the JSON parser (``[[[[...``) is undecodable too, not ``internal``.
    """
    body = message.body
    if not body or not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return body


async def answer_failure(error: Exception, message: StreamMessage[Any] = Context()) -> Any:
    """Turn any exception in a handler into the reply envelope (see ``errors.envelope_for``)."""
    envelope = envelope_for(error)
    if not message.reply_to:
        # Nobody waits for an answer: say it once in the log; the message is not redelivered.
        log.warning(
            "dropped message on %s: %s", message.raw_message.subject, envelope["error"]["message"]
        )
    return envelope


def create_broker(settings: Settings, name: str) -> NatsBroker:
    """One NATS connection for a service process, answering every failure with an envelope."""
    errors = ExceptionMiddleware(publish_handlers={Exception: answer_failure})
    # Inside `errors`, so a command over its user's budget is answered rate_limited.
    rate_limit = CommandRateLimit.from_settings(settings)
    return NatsBroker(
        settings.nats_servers,
        name=name,
        middlewares=[errors] if rate_limit is None else [errors, rate_limit],
        decoder=decode_json_object,
        # Per-message lines cost more than the work itself: DEBUG, on a logger that shows
        # WARNING and up (FastStream also logs each worker task's end at INFO).
        log_level=logging.DEBUG,
        logger=_quiet_logger(f"chatbus.faststream.{name}"),
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
    )


def answers(router: NatsRouter, subject: str, *, queue: str, description: str) -> Any:
    """Subscribe a request/reply handler: one queue group per service, several at once."""
    return router.subscriber(
        subject, queue=queue, max_workers=COMMAND_WORKERS, description=description
    )


def answers_command(router: NatsRouter, command: Command, *, queue: str) -> Any:
    """``answers`` for a row of the command table."""
    return answers(router, command.subscription, queue=queue, description=command.summary)


def _quiet_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.setLevel(logging.WARNING)
    return logger


def create_app(broker: NatsBroker, settings: Settings) -> FastStream:
    """A FastStream app around ``broker`` with chatbus logging."""
    configure_logging(settings)
    return FastStream(broker, logger=logging.getLogger("chatbus"))


def run_app(app: FastStream) -> None:
    """Run a service until SIGINT or SIGTERM, then drain and stop."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency via uvicorn[standard]
        pass
    asyncio.run(app.run())
