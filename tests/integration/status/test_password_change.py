"""``POST /api/password``: the token it is made with stays; every other token of the user
stops working, on connect and on HTTP routes, and their sockets are disconnected at once,
on every edge."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from nats.aio.client import Client
from nats.js import JetStreamContext

from services.contracts import Registration, TokenRevocation, storage, subjects, utc_now
from services.core.errors import Unauthorized
from services.core.settings import Settings
from services.ops.embedded_nats import free_port
from services.status.accounts import Accounts
from services.status.login_throttle import LoginThrottle, ThrottleLimits
from services.storage.jetstream import open_bucket
from tests.support.clients import PASSWORD, ChatClient, Users, refused_connection
from tests.support.http import http_client
from tests.support.nats_programs import error_code, request_raw
from tests.support.serving import running_edge
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_js,
    shared_nats_server,
    shared_nc,
    shared_services,
    shared_settings,
    shared_users,
)

pytestmark = IN_THE_MODULES_LOOP

NEW_PASSWORD = "a brand new passphrase"
UNAUTHORIZED = {"message": "unauthorized", "data": {"code": "unauthorized"}}


@pytest_asyncio.fixture(loop_scope="module")
async def http(edge_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(base_url=edge_url) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="module")
async def second_edge(settings: Settings, services: None) -> AsyncIterator[str]:
    """Another edge on the same NATS, as in a deployment with several."""
    async with running_edge(settings.model_copy(update={"port": free_port()})) as url:
        yield url


async def change_password(
    http: httpx.AsyncClient, token: str, old: str = PASSWORD, new: str = NEW_PASSWORD
) -> httpx.Response:
    return await http.post(
        "/api/password",
        json={"old_password": old, "new_password": new},
        headers={"Authorization": f"Bearer {token}"},
    )


async def connected(url: str, token: str, username: str) -> tuple[ChatClient, asyncio.Event]:
    """A socket with ``token``, and an event set when the server disconnects it."""
    client = ChatClient(url, token, username)
    gone = asyncio.Event()
    client.sio.on("disconnect", lambda *_: gone.set())
    await client.connect()
    return client, gone


async def login(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await http.post("/api/login", json={"username": username, "password": password})


async def test_a_password_change_voids_every_other_token_and_disconnects_their_sockets(
    users: Users, http: httpx.AsyncClient, edge_url: str, second_edge: str
) -> None:
    alice = await users.register()
    used, other, elsewhere = [await users.token(alice) for _ in range(3)]
    kept, kept_gone = await connected(edge_url, used, alice)
    dropped, dropped_gone = await connected(edge_url, other, alice)
    far, far_gone = await connected(second_edge, elsewhere, alice)
    bob = await users.connect()
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        response = await change_password(http, used)
        answered = loop.time()
        assert response.status_code == 204, response.text
        assert response.content == b""
        # Disconnected at once on both edges; the token used and other users stay.
        async with asyncio.timeout(10):
            await dropped_gone.wait()
            await far_gone.wait()
        print(
            f"\npassword changed in {(answered - started) * 1000:.0f} ms; the other sockets,"
            f" on two edges, disconnected {(loop.time() - answered) * 1000:.0f} ms after the 204"
        )
        assert not kept_gone.is_set() and kept.sio.connected
        assert isinstance(await kept.ok("chats:list"), list)
        assert isinstance(await bob.ok("chats:list"), list)
        # The other tokens are refused on connect and on HTTP routes.
        for token in (other, elsewhere):
            assert await refused_connection(edge_url, {"token": token}) == UNAUTHORIZED
            refused = await change_password(http, token, NEW_PASSWORD, "yet another one")
            assert refused.status_code == 401, refused.text
            assert refused.json()["detail"]["code"] == "unauthorized"
        # The one used still works, and so does a token issued after the change.
        again, _ = await connected(edge_url, used, alice)
        await again.sio.disconnect()
        assert (await login(http, alice, PASSWORD)).status_code == 401
        fresh = await login(http, alice, NEW_PASSWORD)
        assert fresh.status_code == 200
        later, _ = await connected(edge_url, fresh.json()["token"], alice)
        await later.sio.disconnect()
    finally:
        await asyncio.gather(*(c.sio.disconnect() for c in (kept, dropped, far) if c.sio.connected))


async def test_a_wrong_old_password_is_refused_401_and_throttled_like_logins(
    users: Users, http: httpx.AsyncClient
) -> None:
    alice = await users.register()
    token = await users.token(alice)
    statuses = []
    for _ in range(30):
        response = await change_password(http, token, old="not my password")
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[0] == 401 and set(statuses[:-1]) == {401}, statuses
    assert statuses[-1] == 429, statuses
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["detail"]["code"] == "rate_limited"


async def test_a_new_password_under_8_characters_is_refused_422_and_nothing_changes(
    users: Users, http: httpx.AsyncClient
) -> None:
    alice = await users.register()
    token = await users.token(alice)
    assert (await change_password(http, token, new="short")).status_code == 422
    assert (await login(http, alice, PASSWORD)).status_code == 200
    assert await users.connect(alice)  # the token still connects


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer not.a.jwt", "Basic YWxpY2U6cHc="]
)
async def test_a_password_change_without_a_good_bearer_token_is_401(
    authorization: str | None, http: httpx.AsyncClient
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await http.post(
        "/api/password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


async def test_only_the_edge_may_change_passwords_or_check_tokens_over_nats(
    users: Users, nc: Client
) -> None:
    alice = await users.register()
    body: dict[str, Any] = {
        "username": alice,
        "token_id": "forged",
        "issued_at": "2030-01-01T00:00:00Z",
    }
    change = body | {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    for subject, payload in [(subjects.CHANGE_PASSWORD, change), (subjects.CHECK_TOKEN, body)]:
        reply = await request_raw(nc, subject, json.dumps(payload).encode())
        assert error_code(reply) == "forbidden"


async def test_a_revocation_keeping_no_token_disconnects_every_socket_of_the_user(
    users: Users, nc: Client, edge_url: str
) -> None:
    # What a deactivation announces: no token is kept.
    alice = await users.register()
    sockets = [await connected(edge_url, await users.token(alice), alice) for _ in range(2)]
    bob = await users.connect()
    revocation = TokenRevocation(username=alice, void_before=utc_now())
    await nc.publish(subjects.TOKENS_REVOKED, revocation.model_dump_json().encode())
    async with asyncio.timeout(10):
        for _, gone in sockets:
            await gone.wait()
    assert isinstance(await bob.ok("chats:list"), list)


async def test_revoking_every_token_voids_those_issued_before_and_not_after(
    js: JetStreamContext,
) -> None:
    users = await open_bucket(js, storage.USERS_BUCKET)
    accounts = Accounts(
        users, await LoginThrottle.open(js, ThrottleLimits.from_settings(Settings())), b"k" * 32
    )
    await accounts.register(Registration(username="alice", password=PASSWORD))
    before = utc_now()
    assert await accounts.require_token_works("alice", "t1", before)
    revocation = await accounts.revoke_tokens("alice")
    assert revocation.kept_token is None and revocation.void_before > before
    with pytest.raises(Unauthorized):
        await accounts.require_token_works("alice", "t1", before)
    assert await accounts.require_token_works("alice", "t2", utc_now())
    with pytest.raises(Unauthorized):
        await accounts.require_token_works("alice", None, utc_now())
