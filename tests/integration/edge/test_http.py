"""The edge's HTTP API (register, login, health) and the tokens it issues."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import nats
import pytest

from services.contracts import storage
from services.core.keys import Purpose, derived_key
from services.core.settings import Settings
from services.edge.tokens import ALGORITHM, AUDIENCE, ISSUER, token_signing_key
from tests.support.clients import PASSWORD, unique_name
from tests.support.http import http_client
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_services,
    shared_settings,
)

pytestmark = IN_THE_MODULES_LOOP

# Not the key of the test's edge.
OTHER_KEY = "not-the-edges-signing-key-" * 3


@pytest.fixture
async def http(edge_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(base_url=edge_url) as client:
        yield client


async def register(
    http: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    return await http.post("/api/register", json={"username": username, "password": password})


async def login(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/api/login", json={"username": username, "password": password})


async def test_register_creates_the_account_and_answers_its_name(http: httpx.AsyncClient) -> None:
    name = unique_name()
    response = await register(http, name)
    assert response.status_code == 201
    assert response.json() == {"username": name}


async def test_registering_a_taken_name_is_a_conflict(http: httpx.AsyncClient) -> None:
    name = unique_name()
    assert (await register(http, name)).status_code == 201
    again = await register(http, name, "another password")
    assert again.status_code == 409
    # The first password still works: the second registration changed nothing.
    assert (await login(http, name)).status_code == 200
    assert (await login(http, name, "another password")).status_code == 401


async def test_two_registrations_racing_for_one_name_give_exactly_one_account(
    http: httpx.AsyncClient,
) -> None:
    name = unique_name()
    first, second = await asyncio.gather(register(http, name), register(http, name))
    assert sorted([first.status_code, second.status_code]) == [201, 409]


async def test_names_the_system_uses_cannot_be_registered(http: httpx.AsyncClient) -> None:
    reserved = ["chatbus", "system", "admin", "root"]
    statuses = {name: (await register(http, name)).status_code for name in reserved}
    assert statuses == dict.fromkeys(reserved, 409)


async def test_register_refuses_a_malformed_username(http: httpx.AsyncClient) -> None:
    malformed = ["Alice", "a", "al ice", "-alice", "x" * 33, "al.ice", "", "ålice"]
    statuses = {name: (await register(http, name)).status_code for name in malformed}
    assert statuses == dict.fromkeys(malformed, 422)


async def test_register_refuses_a_password_shorter_than_eight_characters(
    http: httpx.AsyncClient,
) -> None:
    assert (await register(http, unique_name(), "7 chars")).status_code == 422
    assert (await register(http, unique_name(), "8 chars!")).status_code == 201


async def test_register_refuses_missing_unknown_or_mistyped_fields(
    http: httpx.AsyncClient,
) -> None:
    bodies: list[Any] = [
        {},
        {"username": "bob123"},
        {"password": PASSWORD},
        {"username": "bob123", "password": PASSWORD, "admin": True},
        {"username": "bob123", "password": 12345678},
        ["bob123", PASSWORD],
        "bob123",
    ]
    statuses = [(await http.post("/api/register", json=body)).status_code for body in bodies]
    assert statuses == [422] * len(bodies)
    # None of them created the account.
    assert (await register(http, "bob123")).status_code == 201


async def test_passwords_are_stored_as_argon2id_hashes(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    name = unique_name()
    await register(http, name)
    nc = await nats.connect(settings.nats_servers)
    try:
        users = await nc.jetstream().key_value(storage.USERS_BUCKET)
        stored = (await users.get(name)).value or b""
    finally:
        await nc.close()
    assert b"$argon2id$" in stored
    assert PASSWORD.encode() not in stored


async def test_login_answers_a_token_for_the_user(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    name = unique_name()
    await register(http, name)
    before = datetime.now(UTC).replace(microsecond=0)
    response = await login(http, name)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "username"} and body["username"] == name
    assert jwt.get_unverified_header(body["token"])["alg"] == ALGORITHM
    claims = jwt.decode(
        body["token"],
        token_signing_key(settings.signing_key),
        algorithms=[ALGORITHM],
        audience=AUDIENCE,
        issuer=ISSUER,
    )
    assert claims["sub"] == name and claims["iss"] == ISSUER and claims["aud"] == AUDIENCE
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    ttl = timedelta(seconds=settings.token_ttl_seconds)
    assert before + ttl <= expires <= datetime.now(UTC) + ttl


async def test_login_token_is_not_signed_with_any_other_key(http: httpx.AsyncClient) -> None:
    name = unique_name()
    await register(http, name)
    token = (await login(http, name)).json()["token"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, OTHER_KEY, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER)


async def test_login_token_is_signed_with_a_key_of_its_own_not_the_secret(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    name = unique_name()
    await register(http, name)
    token = (await login(http, name)).json()["token"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token, settings.signing_key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER
        )
    keys = {
        settings.signing_key.encode(),
        token_signing_key(settings.signing_key),
        derived_key(settings.signing_key, Purpose.EDGE_PROOF),
        derived_key(settings.signing_key, Purpose.KNOWN_ADDRESSES),
    }
    assert len(keys) == 4  # no key does two jobs


async def test_wrong_password_and_unknown_user_are_refused_alike(http: httpx.AsyncClient) -> None:
    name = unique_name()
    await register(http, name)
    wrong_password = await login(http, name, "not the password")
    unknown_user = await login(http, unique_name("nobody"))
    not_a_username = await login(http, "Not A Username")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert not_a_username.status_code == 401
    assert wrong_password.json() == unknown_user.json() == not_a_username.json()
    assert "token" not in wrong_password.text


async def test_health_reports_nats_connected(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "nats": "connected"}
