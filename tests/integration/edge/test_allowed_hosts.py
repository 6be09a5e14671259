"""DNS rebinding: the edge answers only requests addressed to its own host names.

A rebinding page on ``evil.example`` whose name now resolves to the edge sends
``Host: evil.example:<port>`` and ``Origin: http://evil.example:<port>``, which
socket.io's same-origin check alone takes for the edge's own. Every such request
(pages, the HTTP API, socket.io polling and websocket handshakes) is refused with
421, before any route or handler runs; the edge's own names and the configured
public origin pass.
"""

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiohttp
import httpx
import pytest
import socketio

from services.core.settings import Settings
from services.edge.hosts import HOST_REFUSED_STATUS
from tests.support.clients import PASSWORD, unique_name
from tests.support.http import http_client
from tests.support.serving import running_edge

PUBLIC_ORIGIN = "https://chat.public.example"
POLLING = {"EIO": "4", "transport": "polling"}


def rebinding(edge_url: str) -> dict[str, str]:
    """The headers a browser sends from a rebinding page on the edge's port."""
    port = urlsplit(edge_url).port
    return {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}


async def token_for(http: httpx.AsyncClient) -> str:
    username = unique_name()
    registered = await http.post("/api/register", json={"username": username, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    login = await http.post("/api/login", json={"username": username, "password": PASSWORD})
    return str(login.json()["token"])


async def socket_connects(url: str, token: str, headers: dict[str, str], transport: str) -> bool:
    client = socketio.AsyncClient(reconnection=False)
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


async def websocket_handshake_status(url: str, headers: dict[str, str]) -> int:
    """The HTTP status of a raw engine.io websocket handshake (101 when accepted)."""
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(ws_url, headers=headers) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status


async def test_a_rebinding_page_is_refused_on_pages_api_and_socketio(edge_url: str) -> None:
    evil = rebinding(edge_url)
    async with http_client(base_url=edge_url) as http:
        token = await token_for(http)
        credentials = {"username": "nobody", "password": PASSWORD}
        for method, path, body in [
            ("GET", "/", None),
            ("GET", "/docs", None),
            ("GET", "/asyncapi.json", None),
            ("POST", "/api/login", credentials),
            ("POST", "/api/register", {"username": unique_name(), "password": PASSWORD}),
        ]:
            refused = await http.request(method, path, json=body, headers=evil)
            assert refused.status_code == HOST_REFUSED_STATUS, (path, refused.text)
            assert "host name" in refused.text
            own = await http.request(method, path, json=body)
            assert own.status_code != HOST_REFUSED_STATUS, (path, own.text)
        polling = await http.get("/socket.io/", params=POLLING, headers=evil)
        assert polling.status_code == HOST_REFUSED_STATUS
        assert (await http.get("/socket.io/", params=POLLING)).status_code == 200
    assert await websocket_handshake_status(edge_url, evil) == HOST_REFUSED_STATUS
    assert await websocket_handshake_status(edge_url, {}) == 101
    for transport in ("websocket", "polling"):
        assert not await socket_connects(edge_url, token, evil, transport), transport
        assert await socket_connects(edge_url, token, {}, transport), transport


async def test_the_edge_answers_to_its_loopback_names_on_its_port(
    edge_url: str, settings: Settings
) -> None:
    port = settings.port
    async with http_client(base_url=edge_url) as http:
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}"):
            assert (await http.get("/", headers={"Host": host})).status_code == 200, host
        for host in ("localhost", f"localhost:{port + 1}", f"127.0.0.1.evil.example:{port}", ""):
            refused = await http.get("/", headers={"Host": host})
            assert refused.status_code == HOST_REFUSED_STATUS, host
        # Probes name an address, not a host: /healthz answers whatever the Host.
        assert (await http.get("/healthz", headers=rebinding(edge_url))).status_code == 200


@pytest.fixture
async def proxied_edge(settings: Settings, services: None) -> AsyncIterator[str]:
    """An edge as compose runs it: users reach it through a proxy at the public origin."""
    async with running_edge(settings.model_copy(update={"cors_origins": [PUBLIC_ORIGIN]})) as url:
        yield url


async def test_behind_the_proxy_the_public_host_passes_and_others_do_not(
    proxied_edge: str,
) -> None:
    public = {"Host": urlsplit(PUBLIC_ORIGIN).netloc, "Origin": PUBLIC_ORIGIN}
    async with http_client(base_url=proxied_edge) as http:
        token = await token_for(http)
        assert (await http.get("/", headers=public)).status_code == 200
        assert (await http.get("/socket.io/", params=POLLING, headers=public)).status_code == 200
        other = {"Host": "evil.example", "Origin": "https://evil.example"}
        assert (await http.get("/", headers=other)).status_code == HOST_REFUSED_STATUS
    assert await websocket_handshake_status(proxied_edge, public) == 101
    assert await socket_connects(proxied_edge, token, public, "websocket")


async def test_configured_hosts_pass_too(settings: Settings, services: None) -> None:
    configured = settings.model_copy(update={"allowed_hosts": ["chat.lan", "10.1.2.3:8443"]})
    async with running_edge(configured) as url, http_client(base_url=url) as http:
        for host in ("chat.lan", "chat.lan:8000", "10.1.2.3:8443"):
            assert (await http.get("/", headers={"Host": host})).status_code == 200, host
        for host in ("10.1.2.3", "other.lan"):
            refused = await http.get("/", headers={"Host": host})
            assert refused.status_code == HOST_REFUSED_STATUS, host
