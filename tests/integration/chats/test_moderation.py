"""A chat's owner and admins: chats:update, chats:kick, chats:set_role; and who may not."""

from typing import Any

from nats.aio.client import Client

from services.contracts import (
    CREATE_CHAT,
    KICK_FROM_CHAT,
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    SET_CHAT_ROLE,
    UPDATE_CHAT,
    subjects,
)
from tests.support.clients import ChatClient, Users
from tests.support.nats_programs import Inbox, NatsUser, error_code
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


async def chat_of(owner: ChatClient, *members: ChatClient, private: bool = False) -> str:
    chat = await owner.ok(
        "chats:create",
        {"name": "room", "private": private, "members": [m.username for m in members]},
    )
    return str(chat["id"])


def role_of(members: dict[str, Any], username: str) -> str:
    (role,) = [m["role"] for m in members["members"] if m["username"] == username]
    return str(role)


# chats:update


async def test_owner_renames_and_sets_the_topic_and_members_hear_it(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob, private=True)
    updated = await alice.ok("chats:update", {"chat_id": chat_id, "name": "new", "topic": "t"})
    assert (updated["name"], updated["topic"]) == ("new", "t")
    heard = await bob.wait_for("chat", lambda c: c["id"] == chat_id and c["name"] == "new")
    assert heard["revision"] == updated["revision"]
    assert (await bob.ok("chats:get", {"chat_id": chat_id}))["topic"] == "t"


async def test_a_public_rename_is_announced_to_everyone_a_topic_to_members(users: Users) -> None:
    alice, stranger = await users.connect(), await users.connect()
    chat_id = await chat_of(alice)
    await alice.ok("chats:update", {"chat_id": chat_id, "topic": "only members hear"})
    await alice.ok("chats:update", {"chat_id": chat_id, "name": "renamed"})
    await stranger.wait_for("chat", lambda c: c["id"] == chat_id and c["name"] == "renamed")
    topic_only = stranger.received("chat", lambda c: c["topic"] == "only members hear")
    assert [chat["name"] for chat in topic_only] == ["renamed"]


async def test_plain_members_and_outsiders_cannot_update(users: Users) -> None:
    alice, bob, carol = await users.connect(), await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    for who in (bob, carol):
        assert await who.refused("chats:update", {"chat_id": chat_id, "topic": "x"}) == "forbidden"
    assert await bob.refused("chats:update", {"chat_id": "nosuch", "topic": "x"}) == "not_found"
    assert await alice.refused("chats:update", {"chat_id": chat_id}) == "invalid"


# chats:set_role


async def test_owner_makes_an_admin_who_may_then_update_and_kick(users: Users) -> None:
    alice, bob, carol = await users.connect(), await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob, carol)
    request = {"chat_id": chat_id, "username": bob.username, "role": "admin"}
    member = await alice.ok("chats:set_role", request)
    assert (member["username"], member["role"]) == (bob.username, "admin")
    assert role_of(await alice.ok("chats:members", {"chat_id": chat_id}), bob.username) == "admin"
    await bob.ok("chats:update", {"chat_id": chat_id, "topic": "by an admin"})
    await bob.ok("chats:kick", {"chat_id": chat_id, "username": carol.username})
    demoted = await alice.ok("chats:set_role", {**request, "role": "member"})
    assert demoted["role"] == "member"
    assert await bob.refused("chats:update", {"chat_id": chat_id, "topic": "no"}) == "forbidden"


async def test_only_the_owner_sets_roles_and_the_owners_own_stays(users: Users) -> None:
    alice, bob, carol = await users.connect(), await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob, carol)
    await alice.ok(
        "chats:set_role", {"chat_id": chat_id, "username": bob.username, "role": "admin"}
    )
    by_admin = {"chat_id": chat_id, "username": carol.username, "role": "admin"}
    assert await bob.refused("chats:set_role", by_admin) == "forbidden"
    of_owner = {"chat_id": chat_id, "username": alice.username, "role": "member"}
    assert await alice.refused("chats:set_role", of_owner) == "forbidden"
    of_stranger = {"chat_id": chat_id, "username": "nobody-at-all", "role": "admin"}
    assert await alice.refused("chats:set_role", of_stranger) == "not_found"


# chats:kick


async def test_a_kicked_member_is_cut_off_at_the_ack(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob, private=True)
    chat = await alice.ok("chats:kick", {"chat_id": chat_id, "username": bob.username})
    assert chat["member_count"] == 1
    kicked = await bob.wait_for(
        "member", lambda m: m["chat_id"] == chat_id and m["action"] != "joined"
    )
    assert (kicked["username"], kicked["action"]) == (bob.username, "kicked")
    # Right after the ack: nothing of the chat reaches bob, nor may he post or read.
    sent = await alice.ok("messages:send", {"chat_id": chat_id, "text": "after the kick"})
    await alice.ok("typing", {"chat_id": chat_id})
    await bob.sync()
    assert not bob.received("message", lambda m: m["id"] == sent["id"])
    assert not bob.received("typing", lambda t: t["chat_id"] == chat_id)
    posted = {"chat_id": chat_id, "text": "still here?"}
    assert await bob.refused("messages:send", posted) == "forbidden"
    assert await bob.refused("messages:history", {"chat_id": chat_id}) == "forbidden"
    assert chat_id not in {c["id"] for c in await bob.ok("chats:list")}


async def test_a_kicked_member_of_a_public_chat_neither_rejoins_nor_reads(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    await alice.ok("chats:kick", {"chat_id": chat_id, "username": bob.username})
    assert await bob.refused("chats:join", {"chat_id": chat_id}) == "forbidden"
    assert await bob.refused("messages:history", {"chat_id": chat_id}) == "forbidden"
    # A new invitation lets him back in.
    await alice.ok("chats:invite", {"chat_id": chat_id, "username": bob.username})
    await bob.ok("messages:send", {"chat_id": chat_id, "text": "back"})


async def test_nobody_kicks_the_owner_and_members_kick_nobody(users: Users) -> None:
    alice, bob, carol = await users.connect(), await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob, carol)
    await alice.ok(
        "chats:set_role", {"chat_id": chat_id, "username": bob.username, "role": "admin"}
    )
    owner = {"chat_id": chat_id, "username": alice.username}
    assert await bob.refused("chats:kick", owner) == "forbidden"
    assert await carol.refused("chats:kick", {**owner, "username": bob.username}) == "forbidden"
    assert await alice.refused("chats:kick", owner) == "invalid"  # oneself: leave instead
    assert await alice.refused("chats:kick", {**owner, "username": "nobody-at-all"}) == "not_found"


async def test_moderation_over_nats_follows_the_same_rules(users: Users, nc: Client) -> None:
    alice = NatsUser(nc, await users.register())
    bob = NatsUser(nc, await users.register())
    carol = NatsUser(nc, await users.register())
    chat = await alice.ok(
        CREATE_CHAT, {"name": "bots", "private": True, "members": [bob.username, carol.username]}
    )
    chat_id = chat["id"]
    denied = await bob.call(UPDATE_CHAT, {"chat_id": chat_id, "topic": "mine now"})
    assert error_code(denied) == "forbidden"
    await alice.ok(SET_CHAT_ROLE, {"chat_id": chat_id, "username": bob.username, "role": "admin"})
    assert (await bob.ok(UPDATE_CHAT, {"chat_id": chat_id, "topic": "ok"}))["topic"] == "ok"
    heard = await Inbox.listen(nc, subjects.room_event(chat_id, "member"))
    await bob.ok(KICK_FROM_CHAT, {"chat_id": chat_id, "username": carol.username})
    event = await heard.wait_for(lambda m: m["username"] == carol.username)
    assert event["action"] == "kicked"
    posted = await carol.call(SEND_MESSAGE, {"chat_id": chat_id, "text": "hello?"})
    assert error_code(posted) == "forbidden"
    assert error_code(await carol.call(MESSAGE_HISTORY, {"chat_id": chat_id})) == "forbidden"
    kick_owner = await bob.call(KICK_FROM_CHAT, {"chat_id": chat_id, "username": alice.username})
    assert error_code(kick_owner) == "forbidden"
