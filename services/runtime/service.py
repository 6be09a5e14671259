"""One handler service: its broker, its router, and its state opened before the first command."""

from collections.abc import Sequence
from typing import Protocol

from faststream import FastStream
from faststream.nats import NatsRouter
from nats.aio.client import Client

from services.core.settings import Settings
from services.runtime.broker import create_app, create_broker
from services.storage.jetstream import ensure_state, while_jetstream_starts


class ServiceState(Protocol):
    """What a service keeps between commands: opened once NATS is connected, closed last."""

    async def open(self, nc: Client) -> None:
        """Open the buckets and streams the service reads, and follow what it watches."""

    async def close(self) -> None:
        """Stop following what ``open`` started to follow."""


def create_service(
    settings: Settings,
    name: str,
    state: ServiceState,
    router: NatsRouter,
    *,
    buckets: Sequence[str],
    owns_message_stream: bool = False,
) -> FastStream:
    """A FastStream app named ``chatbus-<name>`` that answers ``router``'s subjects.

    Before the first command it creates the ``buckets`` the service uses (each service
    names only those: its NATS permissions cover no more) with the deployment's replica
    count, then opens ``state``. The service that ``owns_message_stream`` also creates the
    message stream and applies the retention by age to it; the others only read it.
    """
    broker = create_broker(settings, f"chatbus-{name}")
    broker.include_router(router)
    app = create_app(broker, settings)

    @app.on_startup
    async def open_state() -> None:
        await broker.connect()
        await ensure_state(
            broker.connection.jetstream(),
            buckets,
            replicas=settings.replicas,
            message_stream=owns_message_stream,
            max_age_seconds=settings.retention_max_age_seconds if owns_message_stream else None,
        )
        await while_jetstream_starts(lambda: state.open(broker.connection))

    @app.after_shutdown
    async def close_state() -> None:
        await state.close()

    return app
