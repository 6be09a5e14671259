"""End to end: chats over socket.io — list, create, join, leave, invite, and who hears of them."""

import asyncio
import re
from typing import Any

from .support import ChatClient, Users

CHAT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def about(chat_id: str) -> Any:
    """A predicate: the event concerns ``chat_id``."""
    return lambda event: event.get("chat_id", event.get("id")) == chat_id


def ids(chats: list[dict[str, Any]]) -> set[str]:
    return {chat["id"] for chat in chats}


async def connect_all(users: Users, count: int) -> list[ChatClient]:
    return list(await asyncio.gather(*(users.connect() for _ in range(count))))


# chats:list


async def test_general_chat_exists_on_first_start(users: Users) -> None:
    alice = await users.connect()
    chats = await alice.ok("chats:list")
    general = next(chat for chat in chats if chat["id"] == "general")
    assert general["name"] == "general" and general["private"] is False
    assert general["last_seq"] == 0


async def test_chat_list_shows_public_chats_and_own_private_ones(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    public = await alice.ok("chats:create", {"name": "open"})
    private = await alice.ok("chats:create", {"name": "secret", "private": True})
    shared = await bob.ok(
        "chats:create", {"name": "duo", "private": True, "members": [alice.username]}
    )
    assert ids(await alice.ok("chats:list")) >= {
        "general",
        public["id"],
        private["id"],
        shared["id"],
    }
    bobs = ids(await bob.ok("chats:list"))
    assert {"general", public["id"], shared["id"]} <= bobs
    assert private["id"] not in bobs


# chats:create


async def test_creator_is_owner_and_only_member_of_new_chat(users: Users) -> None:
    alice = await users.connect()
    chat = await alice.ok("chats:create", {"name": "lunch"})
    assert CHAT_ID.fullmatch(chat["id"])
    assert chat["name"] == "lunch" and chat["private"] is False
    assert chat["owner"] == alice.username and chat["members"] == [alice.username]
    assert chat["last_seq"] == 0
    listed = next(c for c in await alice.ok("chats:list") if c["id"] == chat["id"])
    assert listed == chat


async def test_new_chats_get_distinct_ids(users: Users) -> None:
    alice = await users.connect()
    chats = await asyncio.gather(*(alice.ok("chats:create", {"name": "same"}) for _ in range(5)))
    assert len(ids(list(chats))) == 5


async def test_private_chat_created_with_members_includes_and_tells_them(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok(
        "chats:create", {"name": "plans", "private": True, "members": [bob.username]}
    )
    assert chat["private"] is True and chat["owner"] == alice.username
    assert chat["members"] == [alice.username, bob.username]
    assert (await bob.wait_for("chat", about(chat["id"])))["members"] == chat["members"]
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "psst"})
    assert await bob.wait_for("message", about(chat["id"])) == sent


async def test_members_listed_twice_or_the_creator_are_added_once(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    members = [bob.username, alice.username, bob.username]
    chat = await alice.ok("chats:create", {"name": "duo", "private": True, "members": members})
    assert chat["members"] == [alice.username, bob.username]


async def test_creating_chat_with_unknown_member_is_not_found_and_creates_nothing(
    users: Users,
) -> None:
    alice = await users.connect()
    before = await alice.ok("chats:list")
    assert (
        await alice.refused("chats:create", {"name": "x", "members": ["nobody-here"]})
        == "not_found"
    )
    assert await alice.ok("chats:list") == before


# chats:join


async def test_joining_public_chat_makes_user_a_member_and_tells_the_members(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    joined = await bob.ok("chats:join", {"chat_id": chat["id"]})
    assert joined["members"] == [alice.username, bob.username]
    expected = {
        "chat_id": chat["id"],
        "username": bob.username,
        "action": "joined",
        "revision": joined["revision"],
    }
    assert await alice.wait_for("member", about(chat["id"])) == expected
    assert await bob.wait_for("member", about(chat["id"])) == expected
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "welcome"})
    assert await bob.wait_for("message", about(chat["id"])) == sent


async def test_joining_general_chat_works_for_anyone(users: Users) -> None:
    alice = await users.connect()
    chat = await alice.ok("chats:join", {"chat_id": "general"})
    assert alice.username in chat["members"]


async def test_joining_a_chat_twice_changes_nothing(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    first = await bob.ok("chats:join", {"chat_id": chat["id"]})
    second = await bob.ok("chats:join", {"chat_id": chat["id"]})
    assert second["members"] == first["members"] == [alice.username, bob.username]
    await alice.ok("messages:send", {"chat_id": chat["id"], "text": "one"})
    await bob.wait_for("message", about(chat["id"]))
    await alice.sync()
    assert len(alice.received("member", about(chat["id"]))) == 1
    assert len(bob.received("message", about(chat["id"]))) == 1


async def test_many_users_joining_at_once_all_become_members(users: Users) -> None:
    owner, *joiners = await connect_all(users, 6)
    chat = await owner.ok("chats:create", {"name": "crowd"})
    await asyncio.gather(*(j.ok("chats:join", {"chat_id": chat["id"]}) for j in joiners))
    listed = next(c for c in await owner.ok("chats:list") if c["id"] == chat["id"])
    assert sorted(listed["members"]) == sorted([owner.username, *(j.username for j in joiners)])


async def test_joining_in_one_tab_brings_the_chat_to_every_tab(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    bob_tab = await users.connect(bob.username)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    await bob.ok("chats:join", {"chat_id": chat["id"]})
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "both tabs"})
    assert await bob_tab.wait_for("message", about(chat["id"])) == sent


async def test_joining_unknown_chat_is_not_found(users: Users) -> None:
    alice = await users.connect()
    assert await alice.refused("chats:join", {"chat_id": "no-such-chat"}) == "not_found"


async def test_private_chat_refuses_uninvited_user(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "secret", "private": True})
    assert await bob.refused("chats:join", {"chat_id": chat["id"]}) == "forbidden"
    listed = await alice.ok("chats:list")
    assert next(c for c in listed if c["id"] == chat["id"])["members"] == [alice.username]


async def test_invited_user_may_join_private_chat_again_after_leaving(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "secret", "private": True})
    await alice.ok("chats:invite", {"chat_id": chat["id"], "username": bob.username})
    await bob.ok("chats:leave", {"chat_id": chat["id"]})
    rejoined = await bob.ok("chats:join", {"chat_id": chat["id"]})
    assert rejoined["members"] == [alice.username, bob.username]


# chats:leave


async def test_leaving_a_chat_stops_its_messages_and_tells_the_members(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    await bob.ok("chats:join", {"chat_id": chat["id"]})
    await alice.ok("messages:send", {"chat_id": chat["id"], "text": "before"})
    await bob.wait_for("message", about(chat["id"]))
    reply = await bob.ok("chats:leave", {"chat_id": chat["id"]})
    (listed,) = [c for c in await alice.ok("chats:list") if c["id"] == chat["id"]]
    assert reply == {"chat_id": chat["id"], "revision": listed["revision"]}
    left = {
        "chat_id": chat["id"],
        "username": bob.username,
        "action": "left",
        "revision": listed["revision"],
    }
    assert await alice.wait_for("member", lambda e: e["action"] == "left") == left
    assert await bob.wait_for("member", lambda e: e["action"] == "left") == left
    after = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "after"})
    await alice.wait_for("message", lambda m: m["id"] == after["id"])
    await bob.sync()
    assert [m["text"] for m in bob.received("message", about(chat["id"]))] == ["before"]
    assert await bob.refused("messages:send", {"chat_id": chat["id"], "text": "hi"}) == "forbidden"


async def test_leaving_in_one_tab_stops_messages_in_every_tab(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    bob_tab = await users.connect(bob.username)
    chat = await alice.ok("chats:create", {"name": "lunch", "members": [bob.username]})
    await bob.ok("chats:leave", {"chat_id": chat["id"]})
    await bob_tab.wait_for("member", lambda e: e["action"] == "left")
    await alice.ok("messages:send", {"chat_id": chat["id"], "text": "gone?"})
    await alice.wait_for("message", about(chat["id"]))
    await bob_tab.sync()
    assert bob_tab.received("message", about(chat["id"])) == []


async def test_leaving_a_private_chat_hides_it(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok(
        "chats:create", {"name": "secret", "private": True, "members": [bob.username]}
    )
    assert chat["id"] in ids(await bob.ok("chats:list"))  # each list after a change is fresh
    await bob.ok("chats:leave", {"chat_id": chat["id"]})
    assert chat["id"] not in ids(await bob.ok("chats:list"))
    assert await bob.refused("messages:history", {"chat_id": chat["id"]}) == "forbidden"


async def test_leaving_a_chat_one_is_not_in_changes_nothing(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    left = await bob.ok("chats:leave", {"chat_id": chat["id"]})
    assert left == {"chat_id": chat["id"], "revision": chat["revision"]}  # unchanged
    await alice.sync()
    assert alice.received("member", about(chat["id"])) == []


async def test_leaving_unknown_chat_is_not_found(users: Users) -> None:
    alice = await users.connect()
    assert await alice.refused("chats:leave", {"chat_id": "no-such-chat"}) == "not_found"


# chats:invite


async def test_invitee_receives_the_chat_and_then_its_messages(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "secret", "private": True})
    invited = await alice.ok("chats:invite", {"chat_id": chat["id"], "username": bob.username})
    assert invited["members"] == [alice.username, bob.username]
    announced = await bob.wait_for("chat", about(chat["id"]))
    assert announced["members"] == invited["members"]
    joined = {
        "chat_id": chat["id"],
        "username": bob.username,
        "action": "joined",
        "revision": invited["revision"],
    }
    assert await bob.wait_for("member", about(chat["id"])) == joined
    assert await alice.wait_for("member", about(chat["id"])) == joined
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "hi bob"})
    assert await bob.wait_for("message", about(chat["id"])) == sent


async def test_only_members_can_invite(users: Users) -> None:
    alice, bob, carol = await connect_all(users, 3)
    public = await alice.ok("chats:create", {"name": "open"})
    private = await alice.ok("chats:create", {"name": "secret", "private": True})
    for chat in (public, private):
        invite = {"chat_id": chat["id"], "username": carol.username}
        assert await bob.refused("chats:invite", invite) == "forbidden"
        assert await carol.refused("chats:invite", invite) == "forbidden"
    assert [
        c["members"] for c in await alice.ok("chats:list") if c["id"] in ids([public, private])
    ] == [[alice.username], [alice.username]]


async def test_inviting_unknown_user_is_not_found(users: Users) -> None:
    alice = await users.connect()
    chat = await alice.ok("chats:create", {"name": "secret", "private": True})
    invite = {"chat_id": chat["id"], "username": "nobody-here"}
    assert await alice.refused("chats:invite", invite) == "not_found"


async def test_inviting_into_unknown_chat_is_not_found(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    invite = {"chat_id": "no-such-chat", "username": bob.username}
    assert await alice.refused("chats:invite", invite) == "not_found"


# who hears of a chat


async def test_new_public_chat_is_announced_to_everyone(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "open"})
    assert await bob.wait_for("chat", about(chat["id"])) == chat
    assert await alice.wait_for("chat", about(chat["id"])) == chat


async def test_new_private_chat_is_announced_to_its_members_only(users: Users) -> None:
    alice, bob, carol = await connect_all(users, 3)
    chat = await alice.ok(
        "chats:create", {"name": "secret", "private": True, "members": [bob.username]}
    )
    await alice.wait_for("chat", about(chat["id"]))
    await bob.wait_for("chat", about(chat["id"]))
    await carol.sync()
    assert carol.received("chat", about(chat["id"])) == []


# private chats: an outsider can neither read, post, join, invite nor overhear


async def private_chat_of(owner: ChatClient, *members: ChatClient) -> dict[str, Any]:
    return await owner.ok(
        "chats:create",
        {"name": "secret", "private": True, "members": [m.username for m in members]},
    )


async def test_non_member_cannot_read_private_history(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await private_chat_of(alice)
    await alice.ok("messages:send", {"chat_id": chat["id"], "text": "secret"})
    for query in ({}, {"after": 0}, {"before": 2}):
        request = {"chat_id": chat["id"], **query}
        assert await bob.refused("messages:history", request) == "forbidden"


async def test_non_member_cannot_post_in_private_chat(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await private_chat_of(alice)
    request = {"chat_id": chat["id"], "text": "let me in"}
    assert await bob.refused("messages:send", request) == "forbidden"
    page = await alice.ok("messages:history", {"chat_id": chat["id"]})
    assert page == {"messages": [], "more": False, "truncated": False}


async def test_non_member_cannot_invite_into_private_chat(users: Users) -> None:
    alice, bob, carol = await connect_all(users, 3)
    chat = await private_chat_of(alice)
    for guest in (bob, carol):
        invite = {"chat_id": chat["id"], "username": guest.username}
        assert await bob.refused("chats:invite", invite) == "forbidden"
    assert await bob.refused("chats:join", {"chat_id": chat["id"]}) == "forbidden"
    assert chat["id"] not in ids(await bob.ok("chats:list"))
    assert chat["id"] not in ids(await carol.ok("chats:list"))


async def test_non_member_cannot_type_in_private_chat(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await private_chat_of(alice)
    assert await bob.refused("typing", {"chat_id": chat["id"]}) == "forbidden"
    await alice.sync()
    assert alice.received("typing", about(chat["id"])) == []


async def test_non_member_overhears_nothing_of_private_chat(users: Users) -> None:
    alice, bob, carol, dave = await connect_all(users, 4)
    chat = await private_chat_of(alice, bob)
    await bob.wait_for("chat", about(chat["id"]))
    await alice.ok("messages:send", {"chat_id": chat["id"], "text": "secret"})
    await bob.wait_for("message", about(chat["id"]))
    await bob.ok("typing", {"chat_id": chat["id"]})
    await alice.wait_for("typing", about(chat["id"]))
    await alice.ok("chats:invite", {"chat_id": chat["id"], "username": dave.username})
    await bob.wait_for("member", lambda e: e["username"] == dave.username)
    await dave.ok("chats:leave", {"chat_id": chat["id"]})
    await bob.wait_for("member", lambda e: e["action"] == "left")
    await carol.sync()
    for event in ("message", "typing", "member", "chat"):
        assert carol.received(event, about(chat["id"])) == [], event


async def test_owner_who_left_their_private_chat_can_rejoin_it(users: Users) -> None:
    owner = await users.connect()
    chat = await owner.ok("chats:create", {"name": "mine", "private": True})
    await owner.ok("chats:leave", {"chat_id": chat["id"]})
    rejoined = await owner.ok("chats:join", {"chat_id": chat["id"]})
    assert rejoined["members"] == [owner.username]
