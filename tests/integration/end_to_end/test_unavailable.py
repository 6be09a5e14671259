"""While a service is down: its commands are answered unavailable, and nothing is left half done."""

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import nats
import pytest

from services.contracts import storage
from services.core.settings import Settings
from services.edge.tokens import issue_token
from services.status.presence import PresenceRecord
from tests.support.clients import (
    PASSWORD,
    Users,
    refused_connection,
    still_usable,
    unique_name,
    user_pool,
)
from tests.support.http import http_client
from tests.support.serving import edge_without


@pytest.fixture
async def without_messages_service(settings: Settings) -> AsyncIterator[Users]:
    """A live edge with the chats and status services but no messages service."""
    async with contextlib.AsyncExitStack() as stack:
        url = await edge_without(stack, settings, "messages")
        yield await stack.enter_async_context(user_pool(url))


async def test_messages_commands_are_unavailable_while_the_messages_service_is_down(
    without_messages_service: Users,
) -> None:
    alice = await without_messages_service.connect()
    await alice.ok("chats:join", {"chat_id": "general"})
    send = {"chat_id": "general", "text": "anyone?"}
    assert await alice.refused("messages:send", send) == "unavailable"
    assert await alice.refused("messages:history", {"chat_id": "general"}) == "unavailable"
    await still_usable(alice)


async def test_connection_is_refused_unavailable_while_the_status_service_is_down(
    settings: Settings,
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        url = await edge_without(stack, settings, "status")
        token = issue_token("alice", settings.signing_key, timedelta(hours=1))
        refusal = await refused_connection(url, {"token": token})
        assert refusal == {"message": "unavailable", "data": {"code": "unavailable"}}
        async with http_client(base_url=url) as http:
            response = await http.post(
                "/api/register", json={"username": unique_name(), "password": PASSWORD}
            )
            assert response.status_code == 503


async def test_a_connection_refused_while_the_chats_service_is_down_leaves_no_one_online(
    settings: Settings,
) -> None:
    # The edge asks the chats and status services at once; when only the list fails, the
    # connection the status service already counted must be taken back.
    async with contextlib.AsyncExitStack() as stack:
        url = await edge_without(stack, settings, "chats")
        name = unique_name()
        async with http_client(base_url=url) as http:
            registered = await http.post(
                "/api/register", json={"username": name, "password": PASSWORD}
            )
            assert registered.status_code == 201
        token = issue_token(name, settings.signing_key, timedelta(hours=1))
        refusal = await refused_connection(url, {"token": token})
        assert refusal == {"message": "unavailable", "data": {"code": "unavailable"}}
        nc = await nats.connect(settings.nats_servers)
        try:
            bucket = await nc.jetstream().key_value(storage.PRESENCE_BUCKET)
            record = PresenceRecord.model_validate_json((await bucket.get(name)).value or b"")
        finally:
            await nc.close()
        assert record.connections == {}
        assert record.public().status == "offline"
