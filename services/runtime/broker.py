"""What every handler service shares: its broker, how payloads are decoded and errors answered."""

import asyncio
import functools
import inspect
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, cast

import nats.errors
from faststream import Context, ExceptionMiddleware, FastStream
from faststream.message import StreamMessage
from faststream.nats import NatsBroker, NatsRouter
from faststream.security import BaseSecurity
from pydantic import BaseModel

from services.contracts import Command
from services.core.errors import envelope_for
from services.core.logs import configure_logging
from services.core.nats_urls import inbox_prefix_for
from services.core.settings import Settings
from services.observability.service_metrics import MetricsServer, ServiceMetrics
from services.runtime._faststream.command_subscriber import CommandSubscriber, take_commands
from services.runtime.caller import remember_message
from services.runtime.rate_limits import CommandRateLimit
from services.storage.nats_connection import close_unreachable

log = logging.getLogger("chatbus.broker")

# Commands a replica handles at once: handlers mostly wait on JetStream round trips.
COMMAND_WORKERS = 16
# On SIGTERM: how long commands already taken may run on (inside the 10 s a stop may take).
SHUTDOWN_GRACE = 8.0
SHUTDOWN_POLL = 0.02


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


def _broker_security(settings: Settings) -> BaseSecurity | None:
    """The settings' NATS TLS for FastStream; None without TLS files."""
    context = settings.nats_tls()
    return None if context is None else BaseSecurity(ssl_context=context)


def create_broker(settings: Settings, name: str) -> NatsBroker:
    """One NATS connection for a service process, answering every failure with an envelope."""
    errors = ExceptionMiddleware(publish_handlers={Exception: answer_failure})
    # Inside `errors`, so a command over its user's budget is answered rate_limited.
    rate_limit = CommandRateLimit.from_settings(settings)
    middlewares = [errors] if rate_limit is None else [errors, rate_limit]
    return ServiceBroker(
        settings.nats_servers,
        name=name,
        security=_broker_security(settings),
        # Replies to this process (JetStream's API, its watches) under its own prefix only.
        inbox_prefix=inbox_prefix_for(settings.nats_servers, name),
        # Innermost: the handler reads who sent the command from it
        # (see services/runtime/caller.py).
        middlewares=[*middlewares, remember_message],
        decoder=decode_json_object,
        apply_types=False,  # see ``validating``
        # Per-message lines cost more than the work itself: DEBUG, on a logger that shows
        # WARNING and up (FastStream also logs each worker task's end at INFO).
        log_level=logging.DEBUG,
        logger=_quiet_logger(f"chatbus.faststream.{name}"),
        # stop_taking_commands (a shutdown hook) has let commands in hand finish by the time
        # FastStream stops; this only bounds a stuck one, so a stop stays well under 10 s.
        graceful_timeout=1.0,
        max_reconnect_attempts=-1,
        # Back within about a second of a restarted nats-server. FastStream annotates this int;
        # nats-py, which gets it as is, takes seconds as a float.
        reconnect_time_wait=0.5,  # type: ignore[arg-type]
    )


class ServiceBroker(NatsBroker):
    """FastStream's NATS broker, which also stops while NATS is unreachable.

    Its ``stop`` drains the connection, and nats-py refuses to drain one that is
    reconnecting: a service told to stop while its NATS is away would exit 1
    with a traceback. Nothing more can reach an unreachable NATS, so closing the
    connection instead loses nothing the drain would have delivered.
    """

    async def stop(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> None:
        try:
            await super().stop(exc_type, exc_val, exc_tb)
        except nats.errors.ConnectionReconnectingError:
            # Raised by the drain, after the subscribers stopped: finish what it left undone.
            await close_unreachable(self.connection)
            self.config.disconnect()


def answers(router: NatsRouter, subject: str, *, queue: str, description: str) -> Any:
    """Subscribe a request/reply handler: one queue group per service, several at once."""
    subscriber = router.subscriber(
        subject, queue=queue, max_workers=COMMAND_WORKERS, description=description
    )
    subscribe = take_commands(subscriber)
    return lambda handler: subscribe(validating(handler))


def validating(handler: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
    """``handler`` given its one argument as the model it is annotated with.

    The brokers run without FastDepends (``apply_types=False``), whose per-message
    injection costs more than most handlers' own work (benchmarks/FINDINGS.md);
    FastStream still reads the annotation for the AsyncAPI document, through
    ``__wrapped__``.
    """
    (parameter,) = inspect.signature(handler, eval_str=True).parameters.values()
    model = cast(type[BaseModel], parameter.annotation)

    @functools.wraps(handler)
    async def validated(body: Any) -> Any:
        return await handler(model.model_validate(body))

    return validated


def answers_command(router: NatsRouter, command: Command, *, queue: str) -> Any:
    """``answers`` for a row of the command table."""
    return answers(router, command.subscription, queue=queue, description=command.summary)


def _quiet_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.setLevel(logging.WARNING)
    return logger


def create_app(broker: NatsBroker, settings: Settings) -> FastStream:
    """A FastStream app around ``broker`` with chatbus logging and a graceful stop."""
    configure_logging(settings)
    app = FastStream(broker, logger=logging.getLogger("chatbus"))
    serve_metrics(app, broker, settings)

    @app.on_shutdown
    async def finish_commands_in_hand() -> None:
        # First of the shutdown hooks, so storage is still open for the commands we finish.
        await stop_taking_commands(broker)

    return app


def serve_metrics(app: FastStream, broker: NatsBroker, settings: Settings) -> None:
    """Count every command by outcome; serve ``/metrics`` when ``CHATBUS_METRICS_PORT`` is set."""
    metrics = ServiceMetrics(broker)
    # Outermost, so it sees the reply envelope the error middleware made of a failure.
    broker.insert_middleware(metrics.middleware)
    if not settings.metrics_port:
        return
    server = MetricsServer(metrics, settings.host, settings.metrics_port)
    app.on_startup(server.start)
    app.after_shutdown(server.stop)


async def stop_taking_commands(broker: NatsBroker, timeout: float = SHUTDOWN_GRACE) -> None:
    """Take no new commands, and answer every one already received, before the broker stops.

    FastStream's own stop first marks its subscribers stopped, so commands that
    are still queued for a worker are dropped unanswered, then unsubscribes,
    so commands keep arriving (and being dropped) in between: their senders wait
    for a timeout and send again. Draining each subscription first means NATS
    sends the next command to another replica (or answers "no responders" at
    once), and waiting until the workers are idle means every command this
    process took gets its reply.
    """
    for subscriber in broker.subscribers:
        subscription = getattr(subscriber, "subscription", None)
        if subscription is None:
            continue
        try:
            await subscription.drain()  # what NATS already sent still reaches the workers
        except Exception:
            log.warning("could not drain a subscription", exc_info=True)
            continue
        subscriber.subscription = None  # type: ignore[attr-defined]  # drained: nothing to undo
    try:
        async with asyncio.timeout(timeout):
            while any(_busy(subscriber) for subscriber in broker.subscribers):
                await asyncio.sleep(SHUTDOWN_POLL)
    except TimeoutError:
        log.warning("stopping with commands unfinished after %s s", timeout)


def _busy(subscriber: Any) -> bool:
    """Whether a subscriber has commands in hand or waiting (FastStream 0.7 internals).

    Every command subscriber is a ``CommandSubscriber`` (see ``answers``); FastStream's
    lock counts the messages the others are processing.
    """
    if isinstance(subscriber, CommandSubscriber):
        return subscriber.busy
    lock = getattr(subscriber, "lock", None)
    return lock is not None and not getattr(lock, "empty", True)


def run_app(app: FastStream) -> None:
    """Run a service until SIGINT or SIGTERM, then drain and stop."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency via uvicorn[standard]
        pass
    asyncio.run(serve_until_signalled(app))


async def serve_until_signalled(app: FastStream) -> None:
    """Start ``app``, and stop it on SIGINT or SIGTERM: FastStream's ``run``, woken by the signal.

    FastStream's ``run`` looks every ``sleep_time`` whether a signal came, which is
    most of what an idle service wakes for; here the signal itself wakes the stop.
    As in FastStream, the start runs beside the wait, so a signal during a long
    start (NATS away) still stops the service, and a start that fails ends the run
    with its error.
    """
    signalled = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, signalled.set)
    async with app.lifespan_context():
        starting = asyncio.ensure_future(_start(app))
        waiting = asyncio.ensure_future(signalled.wait())
        try:
            await asyncio.wait({starting, waiting}, return_when=asyncio.FIRST_COMPLETED)
            if starting.done():
                starting.result()
                await waiting
            _log(app, "FastStream app shutting down...")
            await app.stop()
            _log(app, "FastStream app shut down gracefully.")
        finally:
            starting.cancel()
            waiting.cancel()
            await asyncio.gather(starting, waiting, return_exceptions=True)


async def _start(app: FastStream) -> None:
    _log(app, "FastStream app starting...")
    await app.start()
    _log(app, "FastStream app started successfully! To exit, press CTRL+C")


def _log(app: FastStream, message: str) -> None:
    # The lines FastStream's ``run`` logs, on the app's logger.
    if app.logger is not None:
        app.logger.log(logging.INFO, message)
