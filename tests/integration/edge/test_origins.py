"""Browser origins: only the edge's own, or the CHATBUS_CORS_ORIGINS allowlist, may connect."""

from collections.abc import AsyncIterator

import httpx
import pytest
import socketio

from services.core.settings import Settings
from tests.support.clients import PASSWORD, unique_name
from tests.support.http import http_client
from tests.support.serving import running_edge

ALLOWED = "http://chat.allowed.example"
OTHER = "http://evil.example"


@pytest.fixture
async def allowlisted_edge(settings: Settings, services: None) -> AsyncIterator[str]:
    async with running_edge(settings.model_copy(update={"cors_origins": [ALLOWED]})) as url:
        yield url


async def token_for(http: httpx.AsyncClient) -> str:
    username = unique_name()
    await http.post("/api/register", json={"username": username, "password": PASSWORD})
    login = await http.post("/api/login", json={"username": username, "password": PASSWORD})
    return str(login.json()["token"])


async def connects_from(
    url: str, token: str, origin: str | None, transport: str = "websocket"
) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    headers = {"Origin": origin} if origin else {}
    try:
        await client.connect(
            url, auth={"token": token}, headers=headers, transports=[transport], wait_timeout=5
        )
    except socketio.exceptions.ConnectionError:
        return False
    finally:
        if not client.connected and client.eio.http is not None:
            await client.eio.http.close()  # a refused handshake leaves it open
    await client.disconnect()
    return True


async def test_by_default_only_the_edges_own_origin_may_open_a_socket(edge_url: str) -> None:
    async with http_client(base_url=edge_url) as http:
        token = await token_for(http)
    assert await connects_from(edge_url, token, edge_url)
    assert await connects_from(edge_url, token, None)  # not a browser: no Origin at all
    assert not await connects_from(edge_url, token, OTHER)


async def test_an_allowlisted_origin_may_connect_and_log_in_and_others_may_not(
    allowlisted_edge: str,
) -> None:
    async with http_client(base_url=allowlisted_edge) as http:
        token = await token_for(http)
        preflight = {"Access-Control-Request-Method": "POST"}
        allowed = await http.options("/api/login", headers={"Origin": ALLOWED, **preflight})
        refused = await http.options("/api/login", headers={"Origin": OTHER, **preflight})
    assert allowed.headers.get("access-control-allow-origin") == ALLOWED
    assert "access-control-allow-origin" not in refused.headers
    assert await connects_from(allowlisted_edge, token, ALLOWED)
    assert not await connects_from(allowlisted_edge, token, OTHER)


async def test_the_origin_check_holds_on_the_polling_transport_too(allowlisted_edge: str) -> None:
    async with http_client(base_url=allowlisted_edge) as http:
        token = await token_for(http)
        # Straight at engine.io: the very first polling request from a foreign origin is refused.
        foreign = await http.get(
            "/socket.io/", params={"EIO": "4", "transport": "polling"}, headers={"Origin": OTHER}
        )
        allowed = await http.get(
            "/socket.io/", params={"EIO": "4", "transport": "polling"}, headers={"Origin": ALLOWED}
        )
    assert foreign.status_code == 400 and allowed.status_code == 200
    assert await connects_from(allowlisted_edge, token, ALLOWED, "polling")
    assert not await connects_from(allowlisted_edge, token, OTHER, "polling")
