"""What every chatbus role measures the same way, on a registry of its own.

Labels are bounded on purpose: a command is labelled by its event name
(``messages:send``), never by its subject, which holds the username and would
make one time series per user.
"""

import gc
from collections.abc import Callable, Iterator
from typing import Any

from nats.aio.client import Client
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.registry import Collector

from services.contracts import COMMANDS, subjects

__all__ = [
    "CONTENT_TYPE",
    "CommandMeter",
    "NatsStateCollector",
    "command_name",
    "exposition",
    "outcome_of",
    "register_gc_metrics",
]

# The text format generate_latest writes.
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Commands answer in milliseconds; a JetStream write under load takes up to a second or two.
COMMAND_SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

_EVENTS_BY_AREA_VERB = {(command.area, command.verb): command.event for command in COMMANDS}
# Internal subjects (login, connections) are a fixed few: their subject is their name.
_INTERNAL_SUBJECTS = frozenset(
    {
        subjects.REGISTER_USER,
        subjects.LOGIN,
        subjects.CONNECTION_OPENED,
        subjects.CONNECTION_CLOSED,
        subjects.EDGE_HEARTBEAT,
    }
)


def command_name(subject: str) -> str:
    """The label for a message on ``subject``: a command's event name, or ``other``."""
    parsed = subjects.parse_command(subject)
    if parsed is not None:
        return _EVENTS_BY_AREA_VERB.get((parsed[1], parsed[2]), "other")
    return subject if subject in _INTERNAL_SUBJECTS else "other"


def outcome_of(reply: Any) -> str:
    """``ok``, or the error code of a failure envelope (``invalid``, ``forbidden`` ...)."""
    if isinstance(reply, dict) and reply.get("ok") is False:
        error = reply.get("error")
        if isinstance(error, dict) and isinstance(error.get("code"), str):
            return error["code"]
        return "internal"
    return "ok"


class CommandMeter:
    """Commands by name and outcome, and how long they took."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.commands = Counter(
            "chatbus_commands",
            "Commands answered, by command and outcome (ok or the error code).",
            ["command", "outcome"],
            registry=registry,
        )
        self.seconds = Histogram(
            "chatbus_command_seconds",
            "Time from receiving a command to having its answer.",
            ["command"],
            buckets=COMMAND_SECONDS_BUCKETS,
            registry=registry,
        )

    def observe(self, command: str, reply: Any, seconds: float) -> None:
        """Count one answered command."""
        self.commands.labels(command=command, outcome=outcome_of(reply)).inc()
        self.seconds.labels(command=command).observe(seconds)


class NatsStateCollector(Collector):
    """The role's NATS connection, read at scrape time: connected (0/1) and reconnects."""

    def __init__(self, connection: Callable[[], Client | None]) -> None:
        self._connection = connection

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        nc = self._connection()
        connected = GaugeMetricFamily(
            "chatbus_nats_connected", "Whether this process is connected to NATS (1) or not (0)."
        )
        connected.add_metric([], 1.0 if nc is not None and nc.is_connected else 0.0)
        yield connected
        reconnects = CounterMetricFamily(
            "chatbus_nats_reconnects", "Times this process reconnected to NATS."
        )
        reconnects.add_metric([], float(nc.stats["reconnects"]) if nc is not None else 0.0)
        yield reconnects


def register_gc_metrics(registry: CollectorRegistry) -> None:
    """The cycle collector's collections by generation (prometheus_client's) and frozen objects."""
    GCCollector(registry=registry)
    registry.register(_FrozenObjects())


class _FrozenObjects(Collector):
    """Objects ``services.ops.gc_freezing`` froze, read at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        frozen = GaugeMetricFamily(
            "chatbus_gc_frozen_objects",
            "Objects frozen after surviving a full collection, which later ones do not walk.",
        )
        frozen.add_metric([], float(gc.get_freeze_count()))
        yield frozen


def exposition(registry: CollectorRegistry) -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(registry)
