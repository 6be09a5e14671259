"""Failed logins slow guessing with growing waits, per (user, address), per user and per
address, across replicas; nobody can lock a user out from an address they logged in from.

Over HTTP with real time and short waits here; the long attack runs in
tests/integration/status/test_login_delays.py on a fake clock. The edge under test trusts
``X-Forwarded-For`` from 127.0.0.1 (uvicorn's default for a proxy in front of it),
which is how these tests log in "from" other addresses.
"""

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from services.core.settings import Settings
from services.ops.embedded_nats import free_port
from services.status.app import create_status_service
from tests.support.clients import PASSWORD, unique_name
from tests.support.http import http_client
from tests.support.polling import wait_until
from tests.support.serving import running_edge

PER_PAIR = 3
PER_USER = 5
PER_ADDRESS = 8
FIRST_DELAY = 1.0
MAX_DELAY = 4.0
REGISTRATIONS = 4
HOME = "203.0.113.1"  # where the tests' users log in from, unless said otherwise


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with small allowances and short waits."""
    return settings.model_copy(
        update={
            "login_failures_per_pair": PER_PAIR,
            "login_failures_per_user": PER_USER,
            "login_failures_per_address": PER_ADDRESS,
            "login_first_delay_seconds": FIRST_DELAY,
            "login_max_delay_seconds": MAX_DELAY,
            "login_failure_window_seconds": 60.0,
            "registrations_per_address": REGISTRATIONS,
        }
    )


@pytest.fixture
async def http(edge_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the edge."""
    async with http_client(base_url=edge_url) as client:
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
    http: httpx.AsyncClient, username: str, password: str, address: str = HOME
) -> httpx.Response:
    return await http.post(
        "/api/login",
        json={"username": username, "password": password},
        headers=from_address(address),
    )


def retry_after(response: httpx.Response) -> int:
    """The wait a 429 asks for, checked against the envelope and the longest wait."""
    assert response.status_code == 429, response.text
    seconds = int(response.headers["retry-after"])
    error = response.json()["detail"]
    assert error["code"] == "rate_limited" and error["message"], error
    assert error["retry_after"] == seconds
    assert 1 <= seconds <= MAX_DELAY
    return seconds


async def fail_until_held(http: httpx.AsyncClient, username: str, address: str) -> int:
    """Wrong passwords for ``username`` from ``address`` until one is refused 429; how many
    were 401 first."""
    for failed in range(PER_ADDRESS + 2):
        response = await login(http, username, "wrong password", address)
        if response.status_code == 429:
            return failed
        assert response.status_code == 401, response.text
    raise AssertionError("never held back")


async def test_an_attack_on_a_user_never_holds_them_back_from_an_address_they_used(
    http: httpx.AsyncClient,
) -> None:
    alice = await register(http)
    assert (await login(http, alice, PASSWORD, HOME)).status_code == 200  # HOME is known now
    attackers = ["192.0.2.66", "192.0.2.65"]  # together past the user's own allowance
    failed = []
    for attacker in attackers:
        failed.append(await fail_until_held(http, alice, attacker))
        for _ in range(10):  # refused at once, whatever the password: nothing is checked
            retry_after(await login(http, alice, "another guess", attacker))
    assert failed[0] == PER_PAIR and sum(failed) == PER_USER
    assert (await login(http, alice, PASSWORD, HOME)).status_code == 200  # at once
    retry_after(await login(http, alice, PASSWORD, "198.51.100.99"))  # a new address waits
    retry_after(await login(http, alice, PASSWORD, attackers[0]))


async def test_from_a_new_address_a_user_under_attack_waits_a_bounded_time(
    http: httpx.AsyncClient,
) -> None:
    alice = await register(http)
    # PER_USER failures spread over addresses, each below its own pair's allowance.
    for n in range(PER_USER):
        assert (await login(http, alice, "guess", f"192.0.2.{100 + n}")).status_code == 401
    wait = retry_after(await login(http, alice, PASSWORD, "198.51.100.77"))
    assert wait == FIRST_DELAY  # the first wait past the free failures

    async def logs_in() -> bool:
        return (await login(http, alice, PASSWORD, "198.51.100.77")).status_code == 200

    waited = await wait_until(logs_in, timeout=MAX_DELAY + 5, every=0.25)
    print(f"\nfrom a new address: Retry-After {wait} s, logged in {waited:.1f} s later")


async def test_each_failure_past_the_free_ones_doubles_the_next_wait(
    http: httpx.AsyncClient,
) -> None:
    alice = await register(http)
    attacker = "192.0.2.67"
    await fail_until_held(http, alice, attacker)
    first = retry_after(await login(http, alice, "wrong password", attacker))

    async def let_by() -> bool:
        response = await login(http, alice, "wrong password", attacker)
        return response.status_code == 401  # checked, and wrong: one more failure

    await wait_until(let_by, timeout=MAX_DELAY + 5, every=0.25)
    second = retry_after(await login(http, alice, "wrong password", attacker))
    print(f"\nthe guesser's Retry-After: {first} s, then after one more failure {second} s")
    assert (first, second) == (FIRST_DELAY, 2 * FIRST_DELAY)


async def test_a_name_nobody_registered_is_held_back_the_same_way(
    http: httpx.AsyncClient,
) -> None:
    nobody = unique_name()
    assert await fail_until_held(http, nobody, HOME) == PER_PAIR
    retry_after(await login(http, nobody, PASSWORD))


async def test_a_successful_login_forgives_the_pairs_earlier_failures(
    http: httpx.AsyncClient,
) -> None:
    alice = await register(http)
    for _ in range(3):
        for _ in range(PER_PAIR - 1):
            assert (await login(http, alice, "wrong password")).status_code == 401
        assert (await login(http, alice, PASSWORD)).status_code == 200


async def test_one_address_guessing_many_names_is_held_back_but_not_who_used_it_before(
    http: httpx.AsyncClient,
) -> None:
    shared = "192.0.2.68"  # one address for many people, as behind a NAT
    alice, bob = await register(http), await register(http)
    assert (await login(http, alice, PASSWORD, shared)).status_code == 200
    for _ in range(PER_ADDRESS):
        assert (await login(http, unique_name(), "guess", shared)).status_code == 401
    retry_after(await login(http, bob, PASSWORD, shared))  # new here: waits
    assert (await login(http, bob, PASSWORD, "192.0.2.69")).status_code == 200
    assert (await login(http, alice, PASSWORD, shared)).status_code == 200  # known here


async def test_ipv6_guessers_are_counted_per_64_network(http: httpx.AsyncClient) -> None:
    for n in range(PER_ADDRESS):
        address = f"2001:db8:1:2::{n + 1:x}"  # a new address in the same /64 each time
        assert (await login(http, unique_name(), "guess", address)).status_code == 401
    retry_after(await login(http, unique_name(), "guess", "2001:db8:1:2::ffff"))
    assert (await login(http, unique_name(), "guess", "2001:db8:1:3::1")).status_code == 401


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


async def test_the_waits_hold_across_edges_and_status_replicas(
    settings: Settings, services: None
) -> None:
    second = settings.model_copy(update={"port": free_port()})
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(create_status_service(settings))  # a second replica
        urls = [
            await stack.enter_async_context(running_edge(settings)),
            await stack.enter_async_context(running_edge(second)),
        ]
        clients = [await stack.enter_async_context(http_client(base_url=url)) for url in urls]
        alice = await register(clients[0])
        for attempt in range(PER_PAIR):
            response = await login(clients[attempt % 2], alice, "wrong password")
            assert response.status_code == 401
        for client in clients:
            retry_after(await login(client, alice, PASSWORD))
