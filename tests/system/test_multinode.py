"""chatbus on several nodes, without Docker: a 3-node NATS cluster, two edges, two of each service.

Everything is a real process on loopback, started with chatbus's own commands
(see tests/cluster/). One test, in steps, because the cluster takes a while
to start and the last step breaks it on purpose:

1. clients on different edges chat and see each other's presence;
2. every command is handled once (N concurrent sends -> N stored; joins not doubled);
3. per-chat seqs stay contiguous while both messages replicas write;
4. one NATS node and one edge are SIGKILLed mid-conversation: no acknowledged
   message is lost, the dead edge's clients move to the other edge and catch
   up by seq, and presence converges within 30 s.
"""

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
import pytest
import socketio.exceptions
from nats.aio.client import Client

from services.contracts import storage
from tests.support.clients import Users, read_all_after, unique_name
from tests.support.http import http_client
from tests.support.polling import wait_until
from tests.system.cluster.deployment import Deployment, until_every_replica_answers
from tests.system.cluster.nats_cluster import NatsCluster
from tests.system.cluster.roaming import RoamingClient

SENDS_PER_WRITER = 8  # step 2: concurrent sends per client
KILL_SENDS_PER_WRITER = 25  # step 4: sends per writing client across the kills
KILL_AFTER_ACKED = 30  # step 4: the kills come once this many sends are acknowledged
PRESENCE_WITHIN_SECONDS = 30.0


@dataclass(frozen=True)
class Ack:
    """A send the client saw acknowledged, and when it was issued and acknowledged."""

    client: RoamingClient
    message: Any
    issued_at: float
    acked_at: float


class Cast:
    """The users of the test: three on edge 0 (one who will not come back), two on edge 1."""

    def __init__(self, clients: dict[str, RoamingClient]) -> None:
        self.by_name = clients

    def __getitem__(self, name: str) -> RoamingClient:
        return self.by_name[name]

    @property
    def all(self) -> list[RoamingClient]:
        return list(self.by_name.values())

    def names(self, *roles: str) -> set[str]:
        return {self.by_name[role].username for role in roles}


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[NatsCluster]:
    nodes = NatsCluster(tmp_path)
    try:
        await nodes.start()
        yield nodes
    finally:
        await nodes.stop()


@pytest.fixture
async def probe(cluster: NatsCluster) -> AsyncIterator[Client]:
    """A plain NATS client of the cluster, for readiness probes and stream facts."""
    client = await nats.connect(cluster.url.split(","), error_cb=_ignore)
    try:
        yield client
    finally:
        await client.close()


async def _ignore(_: Exception) -> None:
    """A node dies on purpose: no traceback per reconnect attempt."""


@pytest.fixture
async def deployment(
    cluster: NatsCluster, probe: Client, tmp_path: Path
) -> AsyncIterator[Deployment]:
    started = time.monotonic()
    running = Deployment(cluster.url, tmp_path / "var")
    try:
        await running.start()
        await until_every_replica_answers(running, probe)
        took = time.monotonic() - started
        print(f"\n2 edges + 6 service replicas on 3 NATS nodes ready in {took:.1f} s")
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def cast(deployment: Deployment) -> AsyncIterator[Cast]:
    """Registered on one edge, logged in on the other, connected to their own edge first."""
    edge0, edge1 = deployment.edge_urls
    async with (
        http_client(base_url=edge0, trust_env=False, timeout=10) as http0,
        http_client(base_url=edge1, trust_env=False, timeout=10) as http1,
    ):
        on = {edge0: Users(edge0, http0), edge1: Users(edge1, http1)}
        homes = {"a0": edge0, "a1": edge0, "gone": edge0, "b0": edge1, "b1": edge1}
        clients: dict[str, RoamingClient] = {}
        for role, home in homes.items():
            other = edge1 if home == edge0 else edge0
            name = await on[other].register(unique_name(f"mn{role}"))
            token = await on[home].token(name)
            clients[role] = RoamingClient([home, other], token, name, roams=role != "gone")
    people = Cast(clients)
    try:
        yield people
    finally:
        await asyncio.gather(*(c.close() for c in people.all), return_exceptions=True)


async def sends(deployment: Deployment) -> list[int]:
    """``messages:send`` commands answered ok so far, per messages replica."""
    return [await r.commands("messages:send") for r in deployment.services["messages"]]


async def joins(deployment: Deployment) -> int:
    """``chats:join`` commands answered ok so far, by both chats replicas together."""
    return sum([await r.commands("chats:join") for r in deployment.services["chats"]])


async def history(client: RoamingClient, chat_id: str) -> list[Any]:
    """The whole chat, read page by page from seq 1."""
    return await read_all_after(client, chat_id, 0, limit=100)


def about(username: str, field: str, value: str) -> Callable[[Any], bool]:
    """Matches an event about ``username`` whose ``field`` is ``value``."""
    return lambda event: bool(event["username"] == username and event[field] == value)


def assert_contiguous(messages: list[Any]) -> None:
    seqs = [m["seq"] for m in messages]
    assert seqs == list(range(1, len(seqs) + 1)), f"gaps or repeats in seqs: {seqs}"


async def test_clients_on_two_edges_over_a_three_node_cluster_survive_a_node_and_an_edge_dying(
    cluster: NatsCluster, probe: Client, deployment: Deployment, cast: Cast
) -> None:
    # CHATBUS_REPLICAS=3: the message stream and every bucket keep three copies.
    streams = {info.config.name: info for info in await probe.jetstream().streams_info()}
    assert {storage.MESSAGES_STREAM, f"KV_{storage.PRESENCE_BUCKET}"} <= set(streams)
    assert {name: info.config.num_replicas for name, info in streams.items()} == dict.fromkeys(
        streams, 3
    )

    # -- 1. chat and presence across edges --------------------------------------------------
    for role in ("a0", "a1", "gone"):  # edge 0's users first: edge 1's arrive while they watch
        await cast[role].connect()
    for role in ("b0", "b1"):
        await cast[role].connect()
    for role in ("b0", "b1"):
        await cast["a0"].wait_for("presence", about(cast[role].username, "status", "online"))
    listed = {p["username"] for p in await cast["b0"].ok("presence:list")}
    assert cast.names("a0", "a1", "gone", "b0", "b1") <= listed

    joins_before = await joins(deployment)
    lobby = (await cast["b0"].ok("chats:create", {"name": "lobby"}))["id"]
    joiners = [c for c in cast.all if c is not cast["b0"]]
    await asyncio.gather(*(c.ok("chats:join", {"chat_id": lobby}) for c in joiners))
    for client in joiners:
        await cast["b0"].wait_for("member", about(client.username, "action", "joined"))
    await cast["b0"].sync()
    joined = Counter(m["username"] for m in cast["b0"].received("member") if m["chat_id"] == lobby)
    # Each joiner's once, and the creator's own, when the chat was made.
    expected = Counter([cast["b0"].username, *(c.username for c in joiners)])
    assert joined == expected, "a join was announced twice"
    assert await joins(deployment) - joins_before == len(joiners), "a join was handled twice"
    chats = await cast["a0"].ok("chats:list")
    (chat,) = [c for c in chats if c["id"] == lobby]
    assert chat["member_count"] == len(cast.all)
    members = await cast["a0"].ok("chats:members", {"chat_id": lobby})
    assert sorted(m["username"] for m in members["members"]) == sorted(c.username for c in cast.all)

    hello = await cast["a0"].ok("messages:send", {"chat_id": lobby, "text": "hello from edge 0"})
    await cast["b1"].wait_for("message", lambda m: m["id"] == hello["id"])
    reply = await cast["b1"].ok("messages:send", {"chat_id": lobby, "text": "hello from edge 1"})
    await cast["a1"].wait_for("message", lambda m: m["id"] == reply["id"])

    # -- 2 and 3. each send handled once, seqs contiguous under both messages replicas --------
    writers = [cast[r] for r in ("a0", "a1", "gone", "b0", "b1")]
    before = await sends(deployment)
    burst = await asyncio.gather(
        *(
            w.send_until_acked(lobby, f"burst {w.username} {i}", f"burst-{w.username}-{i}")
            for w in writers
            for i in range(SENDS_PER_WRITER)
        )
    )
    # The same client_ids again, as a client whose acks were lost would: nothing new is stored.
    again = await asyncio.gather(
        *(
            w.send_until_acked(lobby, f"burst {w.username} 0", f"burst-{w.username}-0")
            for w in writers
        )
    )
    assert {m["id"] for m in again} <= {m["id"] for m in burst}
    after = await sends(deployment)
    per_replica = [a - b for a, b in zip(after, before, strict=True)]
    stored = await history(cast["b0"], lobby)
    assert_contiguous(stored)
    texts = Counter(m["text"] for m in stored if m["text"].startswith("burst "))
    assert len(texts) == len(burst) and set(texts.values()) == {1}, texts.most_common(3)
    assert sum(per_replica) == len(burst) + len(again), per_replica  # each command, one replica
    assert all(n > 0 for n in per_replica), f"a messages replica took no part: {per_replica}"
    print(
        f"burst: {len(burst)} concurrent sends over 2 edges -> {len(texts)} stored once each, "
        f"seqs 1..{len(stored)} contiguous; messages replicas handled {per_replica}"
    )

    # -- 4. SIGKILL one NATS node and one edge mid-conversation -------------------------------
    talkers = [cast[r] for r in ("a0", "a1", "b0", "b1")]
    acked: list[Ack] = []
    enough_acked = asyncio.Event()

    async def talk(client: RoamingClient) -> None:
        for i in range(KILL_SENDS_PER_WRITER):
            text, issued = f"talk {client.username} {i}", time.monotonic()
            message = await client.send_until_acked(lobby, text, f"talk-{client.username}-{i}")
            acked.append(Ack(client, message, issued, time.monotonic()))
            if len(acked) >= KILL_AFTER_ACKED:
                enough_acked.set()

    talking = [asyncio.create_task(talk(c)) for c in talkers]
    async with asyncio.timeout(30):
        await enough_acked.wait()
    survivor, doomed = deployment.edges[1], deployment.edges[0]
    node = next(
        (n for n in (cluster.node_on_port(p) for p in survivor.nats_ports()) if n is not None),
        cluster.nodes[0],
    )
    leader = await stream_leader(probe, storage.MESSAGES_STREAM)
    killed_at = time.monotonic()
    await asyncio.gather(node.kill(), deployment.kill(doomed))
    print(
        f"killed NATS node {node.name} (edge 1's; the message stream's leader was {leader}) "
        f"and edge 0 after {len(acked)} acked sends"
    )

    # Both status replicas (one of them, or the edge, lost its NATS node) must agree.
    presence = PresenceWatch(deployment, cast)
    presence_took = await wait_until(presence.converged, timeout=PRESENCE_WITHIN_SECONDS)
    async with asyncio.timeout(45):
        await asyncio.gather(*talking)
    roamers = [cast["a0"], cast["a1"]]
    assert all(c.url == survivor.http_url for c in roamers)

    # 0 acknowledged messages lost; every send stored once; seqs still contiguous.
    stored = await history(cast["b0"], lobby)
    assert_contiguous(stored)
    by_id = {m["id"]: m for m in stored}
    for ack in acked:
        assert by_id.get(ack.message["id"]) == ack.message, f"acknowledged message lost: {ack}"
    texts = Counter(m["text"] for m in stored if m["text"].startswith("talk "))
    assert len(texts) == len(talkers) * KILL_SENDS_PER_WRITER and set(texts.values()) == {1}
    # The dead edge's clients catch up by seq: each holds every message, once, in order.
    for client in roamers:
        held = await client.catch_up(lobby)
        assert sorted(held) == [m["seq"] for m in stored], f"{client.username} has gaps"
    # Edge 1's clients heard the gone user leave, though edge 1 had lost its NATS node.
    await cast["b1"].wait_for("presence", about(cast["gone"].username, "status", "offline"))

    # Per edge-1 client: how long after the kill a send issued after it was acknowledged.
    recovered = [
        min(a.acked_at for a in acked if a.client is b and a.issued_at > killed_at) - killed_at
        for b in (cast["b0"], cast["b1"])
    ]
    print(
        f"kill: {len(acked)} sends acked, {len(texts)} stored ({len(stored)} in the chat), 0 lost; "
        f"retries {dict(sum((c.retries for c in talkers), Counter()))}; longest send until acked "
        f"{max(a.acked_at - a.issued_at for a in acked):.2f} s\n"
        f"  edge 1's clients' new sends acked {max(recovered):.2f} s after the NATS node died\n"
        f"  edge 0's clients back on edge 1 after "
        f"{max((c.back_at or 0) - killed_at for c in roamers):.2f} s\n"
        f"  presence converged on both status replicas in {presence_took:.2f} s "
        f"(limit {PRESENCE_WITHIN_SECONDS:.0f} s; right since, per replica: "
        + ", ".join(f"{n} {t:.2f} s" for n, t in sorted(presence.right_since.items()))
        + ")"
    )


async def stream_leader(probe: Client, stream: str) -> str | None:
    """The name of the node that leads ``stream`` right now."""
    info = await probe.jetstream().stream_info(stream)
    return info.cluster.leader if info.cluster else None


class PresenceWatch:
    """Whether presence has converged on every status replica, as seen from edge 1.

    A queue group hands each ``presence:list`` to one replica at random; its
    /metrics count says which one answered. Presence has converged once the
    latest answer of each replica is right: the dead edge's user who did not
    come back offline, everyone else (those who moved included) online.
    """

    def __init__(self, deployment: Deployment, cast: Cast) -> None:
        self.replicas = deployment.services["status"]
        self.cast = cast
        self.expected = cast.names("a0", "a1", "b0", "b1")
        self.right: dict[str, bool] = {}
        self.started = time.monotonic()
        self.right_since: dict[str, float] = {}

    async def converged(self) -> bool:
        asker = self.cast["b1"]
        if not asker.sio.connected:
            return False
        before = [await r.commands("presence:list") for r in self.replicas]
        try:
            listed = {p["username"] for p in await asker.ok("presence:list")}
        except (AssertionError, socketio.exceptions.SocketIOError):
            return False  # the edge's NATS is failing over: ask again
        after = [await r.commands("presence:list") for r in self.replicas]
        answered = [r for r, b, a in zip(self.replicas, before, after, strict=True) if a > b]
        if len(answered) == 1:
            name, right = answered[0].name, listed == self.expected
            self.right[name] = right
            if right:
                self.right_since.setdefault(name, time.monotonic() - self.started)
            else:
                self.right_since.pop(name, None)
        return len(self.right) == len(self.replicas) and all(self.right.values())
