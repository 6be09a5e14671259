"""`chatbus up` for real: embedded nats-server, the three services and the edge as processes."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.ops.embedded_nats import free_port
from tests.support.chatbus_up import CHATBUS_UP, RunningUp, chatbus_up_env
from tests.support.clients import PASSWORD, ChatClient
from tests.support.http import http_client
from tests.support.metrics import scrape, value


@pytest.fixture
async def chatbus_up(tmp_path: Path) -> AsyncIterator[RunningUp]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *CHATBUS_UP,
        env=chatbus_up_env(port, free_port(), tmp_path / "var"),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    running = RunningUp(process, f"http://127.0.0.1:{port}")
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_up_serves_a_whole_conversation_and_stops_cleanly_on_sigterm(
    chatbus_up: RunningUp, tmp_path: Path
) -> None:
    await chatbus_up.read_until(f"chatbus is up: {chatbus_up.url}")
    async with http_client(base_url=chatbus_up.url) as http:
        assert (await http.get("/healthz")).status_code == 200
        metrics = await scrape(f"{chatbus_up.url}/metrics")
        # What setting up left is frozen (services.ops.gc_freezing): full collections skip it.
        assert value(metrics, "chatbus_gc_frozen_objects") > 10_000
        for name in ("alice", "bob"):
            registered = await http.post(
                "/api/register", json={"username": name, "password": PASSWORD}
            )
            assert registered.status_code == 201
        tokens = {
            name: (
                await http.post("/api/login", json={"username": name, "password": PASSWORD})
            ).json()["token"]
            for name in ("alice", "bob")
        }
    alice = ChatClient(chatbus_up.url, tokens["alice"], "alice")
    bob = ChatClient(chatbus_up.url, tokens["bob"], "bob")
    await alice.connect()
    await bob.connect()
    try:
        found = await alice.ok("chats:browse", {})
        assert [chat["name"] for chat in found["chats"]] == ["general"]
        assert await alice.ok("chats:list") == []
        for client in (alice, bob):
            await client.ok("chats:join", {"chat_id": "general"})
        sent = await alice.ok("messages:send", {"chat_id": "general", "text": "hello"})
        assert await bob.wait_for("message", lambda m: m["id"] == sent["id"]) == sent
    finally:
        await alice.sio.disconnect()
        await bob.sio.disconnect()

    assert await chatbus_up.stop() == 0
    log = "".join(chatbus_up.lines)
    for role in ("nats", "chats", "messages", "status", "edge"):
        assert any(line.startswith(role) for line in chatbus_up.lines), role
    assert "Traceback" not in log
    # Opening a websocket is no line at INFO (services/edge/websocket.py logs it at DEBUG).
    assert "[accepted]" not in log and "connection open" not in log
    # The store and the signing key stay in the data dir for the next start.
    assert (tmp_path / "var" / "secret").exists()
    assert (tmp_path / "var" / "nats" / "jetstream").is_dir()
