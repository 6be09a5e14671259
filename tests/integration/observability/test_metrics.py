"""Prometheus /metrics: the edge counts sockets, commands by outcome and delivery latency; a
handler service serves its own commands' counts on CHATBUS_METRICS_PORT. With that port set,
the edge serves its metrics there too, and its public port answers 404 for /metrics."""

import socket

import httpx
import nats
import pytest

from services.chats.app import create_chats_service
from services.contracts import CREATE_CHAT, JOIN_CHAT, LIST_CHATS
from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats, free_port
from tests.support.clients import Users, unique_name
from tests.support.http import http_client
from tests.support.metrics import Samples, scrape, value
from tests.support.polling import wait_until
from tests.support.serving import running_edge


def commands(samples: Samples, command: str, outcome: str) -> float:
    return value(samples, "chatbus_commands_total", command=command, outcome=outcome)


async def test_edge_metrics_count_commands_by_outcome_sockets_and_deliveries(
    edge_url: str, users: Users
) -> None:
    metrics_url = f"{edge_url}/metrics"
    before = await scrape(metrics_url)
    assert value(before, "chatbus_nats_connected") == 1
    assert value(before, "chatbus_connections") == 0

    alice = await users.connect()
    bob = await users.connect()
    after_connect = await scrape(metrics_url)
    assert value(after_connect, "chatbus_connections") == 2

    chat = await alice.ok("chats:create", {"name": "metrics", "members": [bob.username]})
    assert await alice.refused("chats:join", {"chat_id": "no-such-chat"}) == "not_found"
    assert await alice.refused("messages:send", {"chat_id": chat["id"]}) == "invalid"
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "counted"})
    await bob.wait_for("message", lambda m: m["id"] == sent["id"])

    samples = await scrape(metrics_url)
    assert commands(samples, "chats:create", "ok") == 1
    assert commands(samples, "chats:join", "not_found") == 1
    assert commands(samples, "messages:send", "invalid") == 1
    assert commands(samples, "messages:send", "ok") == 1
    assert value(samples, "chatbus_command_seconds_count", command="chats:create") == 1
    # The edge emitted the message once, to the chat's room.
    assert value(samples, "chatbus_delivery_seconds_count") == 1
    delivery = value(samples, "chatbus_delivery_seconds_sum")
    print(f"\nedge: one message from sent_at to emit in {delivery * 1000:.1f} ms")
    assert 0 <= delivery < 5

    await bob.sio.disconnect()

    async def one_socket_left() -> bool:
        return value(await scrape(metrics_url), "chatbus_connections") == 1

    await wait_until(one_socket_left)


async def test_with_a_metrics_port_the_edge_serves_metrics_there_and_not_publicly(
    settings: Settings, services: None
) -> None:
    port = free_port()
    internal = f"http://{settings.host}:{port}"
    async with running_edge(settings.model_copy(update={"metrics_port": port})) as edge_url:
        async with http_client() as http:
            public = await http.get(f"{edge_url}/metrics")
            assert public.status_code == 404, public.text
            assert "chatbus_" not in public.text
            assert (await http.get(f"{edge_url}/healthz")).status_code == 200
            assert (await http.get(f"{internal}/healthz")).status_code == 200
            assert (await http.get(f"{internal}/")).status_code == 404  # nothing else there
        users = Users(edge_url, http_client(base_url=edge_url))
        alice = await users.connect()
        await alice.ok("chats:create", {"name": "counted-inside"})
        samples = await scrape(f"{internal}/metrics")
        assert value(samples, "chatbus_connections") == 1
        assert commands(samples, "chats:create", "ok") == 1
        assert value(samples, "chatbus_nats_connected") == 1
        await users.disconnect_all()
        await users.http.aclose()
    async with http_client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"{internal}/metrics")  # stopped with the edge


async def test_service_metrics_show_its_commands_by_outcome(settings: Settings) -> None:
    port = free_port()
    app = create_chats_service(settings.model_copy(update={"metrics_port": port}))
    base = f"http://{settings.host}:{port}"
    async with app:
        async with http_client() as http:
            assert (await http.get(f"{base}/healthz")).status_code == 200
            assert (await http.get(f"{base}/elsewhere")).status_code == 404
        nc = await nats.connect(settings.nats_servers)
        try:
            stranger = unique_name("stranger")
            listed = await nc.request(LIST_CHATS.subject_for(stranger), b"{}", timeout=5)
            joined = await nc.request(
                JOIN_CHAT.subject_for(stranger), b'{"chat_id": "no-such-chat"}', timeout=5
            )
            broken = await nc.request(CREATE_CHAT.subject_for(stranger), b"[not json", timeout=5)
        finally:
            await nc.close()
        assert b'"ok":true' in listed.data, listed.data
        assert b'"unauthorized"' in joined.data, joined.data
        assert b'"invalid"' in broken.data, broken.data

        samples = await scrape(f"{base}/metrics")
        assert commands(samples, "chats:list", "ok") == 1
        assert commands(samples, "chats:join", "unauthorized") == 1
        assert commands(samples, "chats:create", "invalid") == 1
        assert commands(samples, "chats:create", "ok") == 0
        assert value(samples, "chatbus_nats_connected") == 1
    async with http_client() as http:
        try:
            await http.get(f"{base}/metrics")
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("the metrics server still answers after the service stopped")


async def test_service_health_nats_state_and_reconnects_follow_the_connection(
    settings: Settings, nats_server: EmbeddedNats
) -> None:
    port = free_port()
    app = create_chats_service(settings.model_copy(update={"metrics_port": port}))
    base = f"http://{settings.host}:{port}"
    async with app, http_client() as http:
        assert (await http.get(f"{base}/healthz")).status_code == 200
        await nats_server.stop()

        async def noticed() -> bool:
            samples = await scrape(f"{base}/metrics")
            return value(samples, "chatbus_nats_connected") == 0

        took = await wait_until(noticed, timeout=10)
        print(f"\nservice: NATS gone noticed in /metrics within {took * 1000:.0f} ms")
        assert (await http.get(f"{base}/healthz")).status_code == 503

        await nats_server.start()

        async def reconnected() -> bool:
            samples = await scrape(f"{base}/metrics")
            return (
                value(samples, "chatbus_nats_connected") == 1
                and value(samples, "chatbus_nats_reconnects_total") == 1
            )

        took = await wait_until(reconnected, timeout=15)
        print(f"service: back on NATS in /metrics within {took * 1000:.0f} ms")
        assert (await http.get(f"{base}/healthz")).status_code == 200


async def test_a_metrics_port_in_use_costs_the_metrics_not_the_service(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind((settings.host, 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = create_chats_service(settings.model_copy(update={"metrics_port": port}))
        async with app:
            nc = await nats.connect(settings.nats_servers)
            try:
                reply = await nc.request(LIST_CHATS.subject_for("someone"), b"{}", timeout=5)
            finally:
                await nc.close()
            assert b'"ok":true' in reply.data
    assert any(
        "no metrics: cannot listen" in r.message and r.levelname == "ERROR" for r in caplog.records
    )
