"""Logins are throttled after repeated failures, per user and per address, across replicas.

The edge under test trusts ``X-Forwarded-For`` from 127.0.0.1 (uvicorn's default
for a proxy in front of it), which is how these tests log in "from" other addresses.
"""

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from services.natsserver import free_port
from services.settings import Settings
from services.status.app import create_status_service
from services.status.login_throttle import address_token

from .conftest import running_edge
from .support import PASSWORD, unique_name, wait_until

WINDOW = 3.0  # seconds; short, so a test can watch a window end
PER_USER = 5
PER_ADDRESS = 8
REGISTRATIONS = 4


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with small limits and a short window."""
    return settings.model_copy(
        update={
            "login_failures_per_user": PER_USER,
            "login_failures_per_address": PER_ADDRESS,
            "login_failure_window_seconds": WINDOW,
            "registrations_per_address": REGISTRATIONS,
        }
    )


@pytest.fixture
async def http(edge_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the edge."""
    async with httpx.AsyncClient(base_url=edge_url) as client:
        yield client


def from_address(address: str) -> dict[str, str]:
    """Headers that make the edge see the request as coming from ``address``."""
    return {"X-Forwarded-For": address}


async def register(http: httpx.AsyncClient, address: str = "198.51.100.1") -> str:
    username = unique_name()
    response = await http.post(
        "/api/register",
        json={"username": username, "password": PASSWORD},
        headers=from_address(address),
    )
    assert response.status_code == 201, response.text
    return username


async def login(
    http: httpx.AsyncClient, username: str, password: str, address: str = "203.0.113.1"
) -> httpx.Response:
    return await http.post(
        "/api/login",
        json={"username": username, "password": password},
        headers=from_address(address),
    )


def assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= WINDOW
    error = response.json()["detail"]
    assert error["code"] == "rate_limited" and error["message"], error
    assert error["retry_after"] == int(response.headers["retry-after"])


async def test_a_user_is_throttled_after_repeated_failures_whatever_the_password(
    http: httpx.AsyncClient,
) -> None:
    alice, bob = await register(http), await register(http)
    for _ in range(PER_USER):
        assert (await login(http, alice, "wrong password")).status_code == 401
    assert_throttled(await login(http, alice, PASSWORD))
    assert_throttled(await login(http, alice, "wrong password", address="203.0.113.99"))
    assert (await login(http, bob, PASSWORD)).status_code == 200  # only alice is held back


async def test_a_name_nobody_registered_is_throttled_the_same_way(
    http: httpx.AsyncClient,
) -> None:
    nobody = unique_name()
    for _ in range(PER_USER):
        assert (await login(http, nobody, "wrong password")).status_code == 401
    assert_throttled(await login(http, nobody, PASSWORD))


async def test_a_successful_login_forgives_the_users_earlier_failures(
    http: httpx.AsyncClient,
) -> None:
    alice = await register(http)
    for round_ in range(3):
        for _ in range(PER_USER - 1):
            address = f"203.0.113.{10 + round_}"  # the address limit is not what is tested
            assert (await login(http, alice, "wrong password", address)).status_code == 401
        assert (await login(http, alice, PASSWORD, address)).status_code == 200


async def test_one_address_is_throttled_after_failures_on_many_names(
    http: httpx.AsyncClient,
) -> None:
    alice = await register(http)
    guesser = "192.0.2.66"
    for _ in range(PER_ADDRESS):
        assert (await login(http, unique_name(), "guess", guesser)).status_code == 401
    assert_throttled(await login(http, alice, PASSWORD, guesser))
    assert (await login(http, alice, PASSWORD, "192.0.2.67")).status_code == 200


async def test_ipv6_guessers_are_counted_per_64_network(http: httpx.AsyncClient) -> None:
    for n in range(PER_ADDRESS):
        address = f"2001:db8:1:2::{n + 1:x}"  # a new address in the same /64 each time
        assert (await login(http, unique_name(), "guess", address)).status_code == 401
    assert_throttled(await login(http, unique_name(), "guess", "2001:db8:1:2::ffff"))
    assert (await login(http, unique_name(), "guess", "2001:db8:1:3::1")).status_code == 401


def test_addresses_become_bucket_keys_per_host_or_ipv6_network() -> None:
    assert address_token("203.0.113.7") == "203.0.113.7"
    assert address_token("::ffff:203.0.113.7") == "203.0.113.7"
    assert address_token("2001:db8::1") == address_token("2001:db8::ffff:1") == "2001-db8--_64"
    assert address_token("not an address").startswith("=")


async def test_the_throttle_lifts_when_the_window_ends(http: httpx.AsyncClient) -> None:
    alice = await register(http)
    for _ in range(PER_USER):
        assert (await login(http, alice, "wrong password")).status_code == 401
    assert_throttled(await login(http, alice, PASSWORD))

    async def logs_in() -> bool:
        return (await login(http, alice, PASSWORD)).status_code == 200

    waited = await wait_until(logs_in, timeout=WINDOW + 5, every=0.25)
    print(f"\nthrottle lifted {waited:.1f} s after the first refusal (window {WINDOW} s)")


async def test_registrations_are_limited_per_address(http: httpx.AsyncClient) -> None:
    spammer = "198.51.100.200"
    for _ in range(REGISTRATIONS):
        await register(http, spammer)
    refused = await http.post(
        "/api/register",
        json={"username": unique_name(), "password": PASSWORD},
        headers=from_address(spammer),
    )
    assert refused.status_code == 429, refused.text
    assert refused.json()["detail"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    await register(http, "198.51.100.201")  # others can still sign up


async def test_the_throttle_holds_across_edges_and_status_replicas(
    settings: Settings, services: None
) -> None:
    second = settings.model_copy(update={"port": free_port()})
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(create_status_service(settings))  # a second replica
        urls = [
            await stack.enter_async_context(running_edge(settings)),
            await stack.enter_async_context(running_edge(second)),
        ]
        clients = [await stack.enter_async_context(httpx.AsyncClient(base_url=url)) for url in urls]
        alice = await register(clients[0])
        for attempt in range(PER_USER):
            response = await login(clients[attempt % 2], alice, "wrong password")
            assert response.status_code == 401
        for client in clients:
            assert_throttled(await login(client, alice, PASSWORD))
