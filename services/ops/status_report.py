"""``chatbus status``: which services answer, how NATS is, how big the streams and buckets are.

Everything comes from NATS itself: a request per handler service (the
readiness probe ``chatbus up`` waits on), JetStream's account and stream
info (a stream's replicas show the cluster's health where it matters), and,
given ``--monitor`` URLs, each nats-server's monitoring endpoint (``/varz``,
``/healthz``, ``/connz`` for the chatbus processes connected to it).

Exit code 0: NATS is reachable, every service answers and every monitored
node is healthy. Otherwise 1, with one line on stderr saying why (the report
is still printed when there is one); never a traceback.
"""

import asyncio
import json
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit

import nats
import nats.errors
from nats.aio.client import Client
from nats.js.api import StreamInfo

from services.core.nats_urls import inbox_prefix_for, without_credentials
from services.core.settings import Settings
from services.ops.nats_auth.credentials import CredentialsMissing
from services.ops.nats_auth.embedded import servers_as

__all__ = ["StatusReport", "gather_status", "render_text", "run_status"]

# A service that takes longer than this to answer a list is as good as down for a user.
PROBE_TIMEOUT = 2.0
CONNECT_TIMEOUT = 3.0
MONITOR_TIMEOUT = 2.0
# JetStream names a key-value bucket's stream KV_<bucket>.
BUCKET_STREAM_PREFIX = "KV_"
# The NATS connection names chatbus's processes use (see create_broker and ServiceClient).
PROCESS_NAME_PREFIX = "chatbus-"


class StatusError(Exception):
    """Why no report could be made (one line for stderr)."""


@dataclass
class ServiceStatus:
    role: str
    answering: bool
    answer_ms: float | None


@dataclass
class StoreStatus:
    """A stream or a key-value bucket (a bucket is a stream underneath)."""

    name: str
    kind: str  # "stream" or "bucket"
    messages: int
    bytes: int
    replicas: int
    leader: str | None
    replicas_current: int  # leader included: replicas == replicas_current is healthy


@dataclass
class NodeStatus:
    """One nats-server, from its monitoring endpoint."""

    monitor_url: str
    reachable: bool
    healthy: bool = False
    server_name: str | None = None
    version: str | None = None
    cluster: str | None = None
    connections: int | None = None
    processes: dict[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass
class StatusReport:
    nats_url: str
    known_servers: list[str]
    jetstream: dict[str, int]
    services: list[ServiceStatus]
    stores: list[StoreStatus]
    nodes: list[NodeStatus]

    @property
    def problems(self) -> list[str]:
        """What is wrong, one short phrase each; empty when all is well."""
        found = [f"{s.role} does not answer" for s in self.services if not s.answering]
        found += [
            f"{s.name} has {s.replicas_current}/{s.replicas} replicas current"
            for s in self.stores
            if s.replicas_current < s.replicas
        ]
        found += [
            f"nats node {n.monitor_url} is {'unhealthy' if n.reachable else 'unreachable'}"
            for n in self.nodes
            if not n.healthy
        ]
        return found

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "healthy": not self.problems, "problems": self.problems}


async def gather_status(
    settings: Settings, probes: dict[str, str], monitors: list[str]
) -> StatusReport:
    """Ask NATS; ``probes`` maps each service role to a subject it answers."""
    nc = await _connect(settings)
    try:
        js = nc.jetstream()
        account = await js.account_info()
        services = [await _probe(nc, role, subject) for role, subject in probes.items()]
        stores = [_store(info) for info in await js.streams_info()]
        known = [without_credentials(url.geturl()) for url in nc.servers]
        connected = without_credentials(nc.connected_url.geturl()) if nc.connected_url else ""
    except nats.errors.Error as error:
        raise StatusError(f"NATS did not answer: {_describe(error)}") from None
    finally:
        await nc.close()
    nodes = await asyncio.gather(*(asyncio.to_thread(_node, url) for url in monitors))
    return StatusReport(
        nats_url=connected,
        known_servers=known,
        jetstream={
            "streams": account.streams,
            "consumers": account.consumers,
            "memory_bytes": account.memory,
            "storage_bytes": account.storage,
        },
        services=services,
        stores=sorted(stores, key=lambda store: (store.kind, store.name)),
        nodes=list(nodes),
    )


async def _connect(settings: Settings) -> Client:
    async def quiet(error: Exception) -> None:
        """nats-py would log each failed attempt with a traceback."""

    try:
        servers = servers_as(settings, "ops")
    except CredentialsMissing as missing:
        raise StatusError(str(missing)) from None
    try:
        return await nats.connect(
            servers,
            name="chatbus-status",
            tls=settings.nats_tls(),
            inbox_prefix=inbox_prefix_for(servers, "ops"),
            allow_reconnect=False,
            # nats-py retries even the first connect: 0 here means for ever, the default 2 min.
            max_reconnect_attempts=1,
            reconnect_time_wait=0.5,
            connect_timeout=CONNECT_TIMEOUT,
            error_cb=quiet,
        )
    except Exception as error:  # nats-py raises OSError, TimeoutError or its own errors
        where = without_credentials(",".join(servers))
        raise StatusError(f"cannot reach NATS at {where}: {_describe(error)}") from None


async def _probe(nc: Client, role: str, subject: str) -> ServiceStatus:
    started = time.perf_counter()
    try:
        await nc.request(subject, b"", timeout=PROBE_TIMEOUT)
    except nats.errors.Error:  # no responders, or no answer in time
        return ServiceStatus(role, answering=False, answer_ms=None)
    return ServiceStatus(role, answering=True, answer_ms=(time.perf_counter() - started) * 1000)


def _store(info: StreamInfo) -> StoreStatus:
    name = info.config.name or "?"
    bucket = name.startswith(BUCKET_STREAM_PREFIX)
    replicas = info.config.num_replicas or 1
    peers = info.cluster.replicas if info.cluster and info.cluster.replicas else []
    leader = info.cluster.leader if info.cluster else None
    return StoreStatus(
        name=name.removeprefix(BUCKET_STREAM_PREFIX) if bucket else name,
        kind="bucket" if bucket else "stream",
        messages=info.state.messages,
        bytes=info.state.bytes,
        replicas=replicas,
        leader=leader,
        # One server (no cluster): the stream is its own leader.
        replicas_current=(1 if leader or not info.cluster else 0)
        + sum(1 for peer in peers if peer.current and not peer.offline),
    )


def _node(monitor_url: str) -> NodeStatus:
    """One nats-server's view of itself (runs in a thread: urllib blocks)."""
    base = monitor_url.rstrip("/")
    node = NodeStatus(monitor_url=without_credentials(base), reachable=False)
    try:
        varz = _get_json(f"{base}/varz")
        node.reachable = True
        node.healthy = _get_json(f"{base}/healthz").get("status") == "ok"
        connz = _get_json(f"{base}/connz?limit=4096")
    except (OSError, ValueError) as error:
        node.error = _describe(error)
        return node
    node.server_name = varz.get("server_name")
    node.version = varz.get("version")
    node.cluster = (varz.get("cluster") or {}).get("name")
    node.connections = varz.get("connections")
    names = (c.get("name") or "" for c in connz.get("connections") or [])
    node.processes = dict(
        sorted(Counter(n for n in names if n.startswith(PROCESS_NAME_PREFIX)).items())
    )
    return node


def _get_json(url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=MONITOR_TIMEOUT) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        # /healthz answers 503 with a JSON body saying what is wrong.
        body = json.load(error)
    if not isinstance(body, dict):
        raise ValueError(f"{url} did not answer a JSON object")
    return body


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return without_credentials(text) or type(error).__name__


def render_text(report: StatusReport) -> str:
    """The report as plain-text tables."""
    lines = [f"NATS      {report.nats_url}  (known servers: {', '.join(report.known_servers)})"]
    js = report.jetstream
    lines.append(
        f"JetStream {js['streams']} streams, {js['consumers']} consumers, "
        f"{_size(js['storage_bytes'])} on disk, {_size(js['memory_bytes'])} in memory"
    )
    lines += ["", f"{'SERVICE':<10} {'STATE':<14} ANSWER"]
    for service in report.services:
        state = "answering" if service.answering else "NOT ANSWERING"
        answer = f"{service.answer_ms:.1f} ms" if service.answer_ms is not None else "-"
        lines.append(f"{service.role:<10} {state:<14} {answer}")
    lines += ["", f"{'STORE':<20} {'KIND':<7} {'MESSAGES':>9} {'BYTES':>10} REPLICAS  LEADER"]
    for store in report.stores:
        lines.append(
            f"{store.name:<20} {store.kind:<7} {store.messages:>9} {_size(store.bytes):>10} "
            f"{store.replicas_current}/{store.replicas:<7} {store.leader or '-'}"
        )
    if report.nodes:
        lines += ["", f"{'NODE':<28} {'NAME':<18} {'CLUSTER':<10} {'HEALTH':<12} PROCESSES"]
        for node in report.nodes:
            health = "ok" if node.healthy else ("UNHEALTHY" if node.reachable else "UNREACHABLE")
            processes = ", ".join(f"{n}×{c}" for n, c in node.processes.items()) or "-"
            lines.append(
                f"{node.monitor_url:<28} {node.server_name or '-':<18} "
                f"{node.cluster or '-':<10} {health:<12} {processes}"
            )
    problems = report.problems
    lines += ["", "problems: " + "; ".join(problems) if problems else "all well"]
    return "\n".join(lines) + "\n"


def _size(count: int) -> str:
    """``512 B``, ``1.5 KiB``, ``3.2 MiB``."""
    if count < 1024:
        return f"{count} B"
    size = count / 1024
    for unit in ("KiB", "MiB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def run_status(
    settings: Settings,
    probes: dict[str, str],
    monitors: list[str],
    *,
    as_json: bool = False,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """``chatbus status``: print the report; 0 when all is well, else 1 and one line on stderr."""
    for url in monitors:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            err.write(f"chatbus status: --monitor wants an http:// URL, not {url!r}\n")
            return 1
    try:
        report = asyncio.run(gather_status(settings, probes, monitors))
    except StatusError as error:
        err.write(f"chatbus status: {error}\n")
        return 1
    out.write(json.dumps(report.as_json(), indent=2) + "\n" if as_json else render_text(report))
    if report.problems:
        err.write(f"chatbus status: {'; '.join(report.problems)}\n")
        return 1
    return 0
