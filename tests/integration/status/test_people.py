"""Profiles (users:get, users:search, users:update), workspace admins (chatbus admin) and
users:deactivate: sockets closed, tokens and logins refused at once, the name kept."""

import asyncio
import io

import pytest
from nats.aio.client import Client

from services.contracts import (
    DEACTIVATE_USER,
    GET_USER,
    JOIN_CHAT,
    MESSAGE_HISTORY,
    SEARCH_USERS,
    SEND_MESSAGE,
    UPDATE_PROFILE,
)
from services.core.settings import Settings
from services.ops.workspace_admins import AdminError, set_role
from tests.support.clients import PASSWORD, ChatClient, Users, refused_connection, unique_name
from tests.support.nats_programs import NatsUser, error_code
from tests.support.polling import wait_until
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_nc,
    shared_services,
    shared_settings,
    shared_users,
)

pytestmark = IN_THE_MODULES_LOOP


async def make_admin(settings: Settings, username: str) -> str:
    out = io.StringIO()
    await set_role(settings, username, "admin", out)
    return out.getvalue()


async def watched_disconnect(client: ChatClient) -> asyncio.Event:
    gone = asyncio.Event()
    client.sio.on("disconnect", lambda *_: gone.set())
    return gone


# users:get and users:update


async def test_a_new_users_profile_and_their_own_update_of_it(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    profile = await bob.ok("users:get", {"username": alice.username})
    assert profile["username"] == alice.username
    assert (profile["display_name"], profile["about"], profile["role"]) == ("", "", "member")
    assert profile["deactivated"] is False and profile["created_at"]
    updated = await alice.ok("users:update", {"display_name": " Alice Liddell ", "about": "hi"})
    assert (updated["display_name"], updated["about"]) == ("Alice Liddell", "hi")
    seen = await bob.ok("users:get", {"username": alice.username})
    assert (seen["display_name"], seen["about"]) == ("Alice Liddell", "hi")
    # One field at a time leaves the other as it was.
    await alice.ok("users:update", {"about": ""})
    assert (await bob.ok("users:get", {"username": alice.username}))["display_name"] == (
        "Alice Liddell"
    )
    assert "password_hash" not in seen and "known_addresses" not in seen


async def test_unknown_users_and_bad_profiles_are_refused(users: Users) -> None:
    alice = await users.connect()
    assert await alice.refused("users:get", {"username": "nobody-here"}) == "not_found"
    assert await alice.refused("users:update", {}) == "invalid"
    assert await alice.refused("users:update", {"display_name": "two\nlines"}) == "invalid"
    assert await alice.refused("users:update", {"about": "x" * 501}) in {"invalid", "too_large"}
    assert await alice.refused("users:update", {"role": "admin"}) == "invalid"


# users:search


async def test_search_finds_usernames_and_display_names_by_prefix_ignoring_case(
    users: Users,
) -> None:
    stem = unique_name("zq")
    named = [await users.connect(await users.register(f"{stem}-{n}")) for n in range(3)]
    await named[2].ok("users:update", {"display_name": "Xylophone Player"})
    searcher = await users.connect()
    found = await searcher.ok("users:search", {"query": stem.upper()})
    assert sorted(u["username"] for u in found) == sorted(c.username for c in named)
    assert len(await searcher.ok("users:search", {"query": stem, "limit": 2})) == 2
    by_display = await searcher.ok("users:search", {"query": "xyloPHONE p"})
    assert [u["username"] for u in by_display] == [named[2].username]
    assert await searcher.ok("users:search", {"query": "no-such-prefix-at-all"}) == []
    # A changed display name is found by the new one only.
    await named[2].ok("users:update", {"display_name": "Quiet"})
    assert await searcher.ok("users:search", {"query": "xylophone"}) == []


# chatbus admin grant|revoke and users:deactivate


async def test_admin_grant_and_revoke_change_the_role_others_see(
    users: Users, settings: Settings
) -> None:
    alice, bob = await users.connect(), await users.connect()
    assert "is a workspace admin" in await make_admin(settings, alice.username)
    assert (await bob.ok("users:get", {"username": alice.username}))["role"] == "admin"
    out = io.StringIO()
    await set_role(settings, alice.username, "member", out)
    assert "no longer" in out.getvalue()
    assert (await bob.ok("users:get", {"username": alice.username}))["role"] == "member"
    with pytest.raises(AdminError, match="no user"):
        await set_role(settings, "nobody-here", "admin", io.StringIO())


async def test_only_workspace_admins_deactivate(users: Users, settings: Settings) -> None:
    alice, bob = await users.connect(), await users.connect()
    request = {"username": bob.username, "deactivated": True}
    assert await alice.refused("users:deactivate", request) == "forbidden"
    await make_admin(settings, alice.username)
    assert await alice.refused("users:deactivate", {**request, "username": "nobody-x"}) == (
        "not_found"
    )
    own = {"username": alice.username, "deactivated": True}
    assert await alice.refused("users:deactivate", own) == "invalid"


async def test_deactivation_closes_sockets_refuses_tokens_and_logins_and_keeps_the_name(
    users: Users, settings: Settings
) -> None:
    admin, bob = await users.connect(), await users.connect()
    await make_admin(settings, admin.username)
    chat = await admin.ok("chats:create", {"name": "team", "members": [bob.username]})
    sent = await bob.ok("messages:send", {"chat_id": chat["id"], "text": "before"})
    phone = await users.connect(bob.username)
    gone = [await watched_disconnect(bob), await watched_disconnect(phone)]
    token = bob.token

    loop = asyncio.get_running_loop()
    user = await admin.ok("users:deactivate", {"username": bob.username, "deactivated": True})
    answered = loop.time()
    assert user["deactivated"] is True
    async with asyncio.timeout(10):
        for event in gone:
            await event.wait()
    print(f"\nboth sockets closed {(loop.time() - answered) * 1000:.0f} ms after the ack")
    refusal = await refused_connection(users.url, {"token": token})
    assert refusal["data"] == {"code": "unauthorized"}
    login = await users.http.post(
        "/api/login", json={"username": bob.username, "password": PASSWORD}
    )
    assert login.status_code == 401
    history = await admin.ok("messages:history", {"chat_id": chat["id"]})
    assert [m["sender"] for m in history["messages"] if m["id"] == sent["id"]] == [bob.username]
    assert (await admin.ok("users:get", {"username": bob.username}))["deactivated"] is True
    assert await admin.refused("chats:open_dm", {"username": bob.username}) == "forbidden"

    await admin.ok("users:deactivate", {"username": bob.username, "deactivated": False})
    back = await users.connect(bob.username)
    assert isinstance(await back.ok("chats:list"), list)


async def test_people_over_nats_follow_the_same_rules(
    users: Users, nc: Client, settings: Settings
) -> None:
    alice = NatsUser(nc, await users.register())
    bob = NatsUser(nc, await users.register())
    updated = await alice.ok(UPDATE_PROFILE, {"display_name": "Bot Alice"})
    assert updated["display_name"] == "Bot Alice"
    assert (await bob.ok(GET_USER, {"username": alice.username}))["display_name"] == "Bot Alice"
    found = await bob.ok(SEARCH_USERS, {"query": "bot alice"})
    assert alice.username in [u["username"] for u in found]
    assert error_code(await bob.call(GET_USER, {"username": "nobody-here"})) == "not_found"
    request = {"username": bob.username, "deactivated": True}
    assert error_code(await alice.call(DEACTIVATE_USER, request)) == "forbidden"
    await make_admin(settings, alice.username)
    assert (await alice.ok(DEACTIVATE_USER, request))["deactivated"] is True
    # A deactivated program on NATS is refused what needs an active account.
    assert error_code(await bob.call(UPDATE_PROFILE, {"about": "still here"})) == "unauthorized"


async def test_a_deactivated_bot_can_neither_post_nor_read_until_reactivated(
    users: Users, nc: Client, settings: Settings
) -> None:
    admin = NatsUser(nc, await users.register())
    bot = NatsUser(nc, await users.register())
    await make_admin(settings, admin.username)
    post = {"chat_id": "general", "text": "beep"}
    await bot.ok(JOIN_CHAT, {"chat_id": "general"})
    await bot.ok(SEND_MESSAGE, post)
    await admin.ok(DEACTIVATE_USER, {"username": bot.username, "deactivated": True})

    async def refused() -> bool:
        # The messages service follows the accounts: it refuses once it has heard.
        return error_code(await bot.call(SEND_MESSAGE, post)) == "unauthorized"

    await wait_until(refused)
    history = await bot.call(MESSAGE_HISTORY, {"chat_id": "general"})
    assert error_code(history) == "unauthorized"
    await admin.ok(DEACTIVATE_USER, {"username": bot.username, "deactivated": False})

    async def posts_again() -> bool:
        return (await bot.call(SEND_MESSAGE, post))["ok"] is True

    await wait_until(posts_again)
