"""The services ride out a nats-server restart on the same store."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
from nats.aio.client import Client

from services.contracts import storage, subjects
from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats
from tests.support.clients import PASSWORD
from tests.support.nats_programs import edge_headers
from tests.support.polling import wait_until


@pytest.fixture
async def bot(nats_server: EmbeddedNats, services: None) -> AsyncIterator[Client]:
    nc = await nats.connect(nats_server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
    yield nc
    await nc.close()


async def ask(
    nc: Client,
    subject: str,
    payload: dict[str, Any],
    timeout: float = 2,
    headers: dict[str, str] | None = None,
) -> Any:
    reply = await nc.request(
        subject, json.dumps(payload).encode(), timeout=timeout, headers=headers
    )
    return json.loads(reply.data)


async def ask_until_ok(nc: Client, subject: str, payload: dict[str, Any], within: float) -> Any:
    """Retry a command, as a client would, until it succeeds or ``within`` seconds pass."""
    async with asyncio.timeout(within):
        while True:
            try:
                envelope = await ask(nc, subject, payload, timeout=1)
            except nats.errors.Error:
                envelope = None
            if envelope and envelope["ok"]:
                return envelope["data"]
            await asyncio.sleep(0.1)


async def test_messages_and_chats_survive_a_nats_restart_and_commands_resume(
    nats_server: EmbeddedNats, bot: Client, settings: Settings
) -> None:
    account = {"username": "alice", "password": PASSWORD}
    await ask(bot, subjects.REGISTER_USER, account, headers=edge_headers(settings.signing_key))
    chat = (await ask(bot, subjects.command("alice", "chats", "create"), {"name": "c"}))["data"]
    send = subjects.command("alice", "messages", "send")
    first = (await ask(bot, send, {"chat_id": chat["id"], "text": "before"}))["data"]

    await nats_server.stop()
    await nats_server.start()

    second = await ask_until_ok(bot, send, {"chat_id": chat["id"], "text": "after"}, within=10)
    page = await ask_until_ok(
        bot, subjects.command("alice", "messages", "history"), {"chat_id": chat["id"]}, within=5
    )
    assert [m["text"] for m in page["messages"]] == ["before", "after"]
    assert (first["seq"], second["seq"]) == (1, 2)


async def test_chat_list_follows_changes_made_elsewhere_after_a_nats_restart(
    nats_server: EmbeddedNats, bot: Client, settings: Settings
) -> None:
    account = {"username": "alice", "password": PASSWORD}
    await ask(bot, subjects.REGISTER_USER, account, headers=edge_headers(settings.signing_key))
    await nats_server.stop()
    await nats_server.start()
    await ask_until_ok(bot, subjects.command("alice", "chats", "list"), {}, within=10)

    # Another replica's write: straight into the bucket, not through this process.
    chats = await bot.jetstream().key_value(storage.CHATS_BUCKET)
    record = {
        "id": "elsewhere",
        "name": "made elsewhere",
        "private": False,
        "owner": "alice",
        "created_at": "2026-11-25T00:00:00Z",
    }
    membership = {"role": "owner", "joined_at": "2026-11-25T00:00:00Z"}
    await chats.put("elsewhere", json.dumps(record).encode())
    await chats.put("elsewhere.alice", json.dumps(membership).encode())

    async def listed_elsewhere() -> bool:
        listed = await ask(bot, subjects.command("alice", "chats", "list"), {})
        return "elsewhere" in [c["id"] for c in listed["data"]]

    await wait_until(listed_elsewhere, timeout=10, every=0.2)
