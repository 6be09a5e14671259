"""Who the client is: X-Forwarded-For is believed only from the proxies in FORWARDED_ALLOW_IPS.

Login and registration limits count per client address, so a client that could name its
own address in X-Forwarded-For would never be limited. The edge is served as ``chatbus
edge`` serves it (``edge_server_config``); the registration limit is one account per
address, so a second registration tells whether two requests counted as one address.
Loopback has many addresses: the proxy talks from 127.0.0.2, anyone else from 127.0.0.1.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.core.settings import Settings
from services.edge.app import create_edge, edge_server_config
from tests.support.clients import PASSWORD, unique_name
from tests.support.http import http_client, http_transport
from tests.support.serving import running_services, serving

PROXY = "127.0.0.2"
ELSEWHERE = "127.0.0.1"


@asynccontextmanager
async def edge_served_as_chatbus_edge(settings: Settings) -> AsyncIterator[str]:
    async with serving(edge_server_config(create_edge(settings), settings)):
        yield f"http://{settings.host}:{settings.port}"


@asynccontextmanager
async def one_registration_per_address(
    settings: Settings, forwarded_allow_ips: str
) -> AsyncIterator[str]:
    limited = settings.model_copy(
        update={"registrations_per_address": 1, "forwarded_allow_ips": forwarded_allow_ips}
    )
    async with running_services(limited), edge_served_as_chatbus_edge(limited) as url:
        yield url


async def register_from(url: str, source: str, forwarded_for: str) -> int:
    transport = http_transport(local_address=source)
    async with http_client(base_url=url, transport=transport) as http:
        answer = await http.post(
            "/api/register",
            json={"username": unique_name(), "password": PASSWORD},
            headers={"X-Forwarded-For": forwarded_for},
        )
    return answer.status_code


async def test_by_default_no_one_may_name_the_client_address(settings: Settings) -> None:
    async with one_registration_per_address(settings, "") as url:
        assert await register_from(url, ELSEWHERE, "203.0.113.1") == 201
        # Another forged address is still the same client: limited.
        assert await register_from(url, ELSEWHERE, "203.0.113.2") == 429
        # A proxy that is not configured is just another client.
        assert await register_from(url, PROXY, "203.0.113.3") == 201
        assert await register_from(url, PROXY, "203.0.113.4") == 429


async def test_the_proxy_names_the_client_and_no_one_else_does(settings: Settings) -> None:
    async with one_registration_per_address(settings, PROXY) as url:
        # Through the proxy: each client counts on its own.
        assert await register_from(url, PROXY, "203.0.113.1") == 201
        assert await register_from(url, PROXY, "203.0.113.2") == 201
        assert await register_from(url, PROXY, "203.0.113.1") == 429
        # Straight at the edge, X-Forwarded-For is ignored: the sender's own address counts.
        assert await register_from(url, ELSEWHERE, "203.0.113.5") == 201
        assert await register_from(url, ELSEWHERE, "203.0.113.6") == 429
