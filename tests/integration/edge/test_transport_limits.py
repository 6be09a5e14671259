"""Size limits on both socket.io transports: a long text is answered, a huge packet costs
only its own connection."""

import asyncio

import pytest

from tests.support.clients import ChatClient, Users
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_services,
    shared_settings,
    shared_users,
)

pytestmark = IN_THE_MODULES_LOOP

OVERSIZE_TEXT = "z" * (2 * 1024 * 1024)  # a packet over the edge's 1 MiB cap


async def disconnected(client: ChatClient) -> asyncio.Event:
    gone = asyncio.Event()
    client.sio.on("disconnect", lambda *_: gone.set())
    return gone


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_a_text_over_4000_characters_is_answered_too_large(
    transport: str, users: Users
) -> None:
    alice = await users.connect(transports=[transport])
    await alice.ok("chats:join", {"chat_id": "general"})
    long_text = {"chat_id": "general", "text": "x" * 4001}
    assert await alice.refused("messages:send", long_text) == "too_large"
    assert (await alice.ok("messages:send", {"chat_id": "general", "text": "x" * 4000}))["seq"]


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_a_packet_over_the_cap_closes_only_its_own_connection(
    transport: str, users: Users
) -> None:
    bystander = await users.connect(transports=[transport])
    await bystander.ok("chats:join", {"chat_id": "general"})
    sender = await users.connect(transports=[transport])
    gone = await disconnected(sender)
    await sender.sio.emit("messages:send", {"chat_id": "general", "text": OVERSIZE_TEXT})
    async with asyncio.timeout(15):
        await gone.wait()
    # The edge and everyone else carry on; the sender can come back.
    await bystander.ok("messages:send", {"chat_id": "general", "text": "still here"})
    again = await users.connect(sender.username, transports=[transport])
    await again.ok("chats:list")
