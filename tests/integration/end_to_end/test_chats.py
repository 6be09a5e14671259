"""End to end: chats over socket.io — list, browse, get, members, create, join, leave, invite,
and who hears of them."""

import asyncio
import re
from typing import Any

import pytest

from services.chats import rules
from tests.support.clients import ChatClient, Users, unique_name
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_services,
    shared_settings,
    shared_users,
)

pytestmark = IN_THE_MODULES_LOOP

CHAT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def about(chat_id: str) -> Any:
    """A predicate: the event concerns ``chat_id``."""
    return lambda event: event.get("chat_id", event.get("id")) == chat_id


def ids(chats: list[dict[str, Any]]) -> set[str]:
    return {chat["id"] for chat in chats}


async def connect_all(users: Users, count: int) -> list[ChatClient]:
    return list(await asyncio.gather(*(users.connect() for _ in range(count))))


async def member_names(client: ChatClient, chat_id: str, limit: int = 500) -> list[str]:
    """Every member of a chat, paging ``chats:members``."""
    names: list[str] = []
    after = None
    while True:
        request: dict[str, Any] = {"chat_id": chat_id, "limit": limit}
        if after is not None:
            request["after"] = after
        page = await client.ok("chats:members", request)
        names += [member["username"] for member in page["members"]]
        if not page["more"]:
            return names
        after = names[-1]


def listed(chats: list[dict[str, Any]], chat_id: str) -> dict[str, Any]:
    (chat,) = [chat for chat in chats if chat["id"] == chat_id]
    return chat


# chats:list


async def test_chat_list_holds_only_the_users_own_chats(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    public = await alice.ok("chats:create", {"name": "open"})
    private = await alice.ok("chats:create", {"name": "secret", "private": True})
    shared = await bob.ok(
        "chats:create", {"name": "duo", "private": True, "members": [alice.username]}
    )
    assert ids(await alice.ok("chats:list")) == {public["id"], private["id"], shared["id"]}
    assert ids(await bob.ok("chats:list")) == {shared["id"]}  # not alice's public chat


async def test_chat_list_gives_each_chat_as_a_view_with_the_users_role(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "lunch", "topic": "where to eat"})
    await bob.ok("chats:join", {"chat_id": chat["id"]})
    mine = listed(await alice.ok("chats:list"), chat["id"])
    theirs = listed(await bob.ok("chats:list"), chat["id"])
    assert mine["role"] == "owner" and theirs["role"] == "member"
    for view in (mine, theirs):
        assert view["topic"] == "where to eat" and view["member_count"] == 2
        assert view["kind"] == "channel" and view["pinned"] == []
        assert {"read_seq", "unread", "mentions", "muted"} <= view.keys()
        assert "members" not in view


async def test_general_chat_exists_on_first_start_and_is_joined_from_browse(users: Users) -> None:
    alice = await users.connect()
    assert "general" not in ids(await alice.ok("chats:list"))
    found = await alice.ok("chats:browse", {"query": "general"})
    general = listed(found["chats"], "general")
    assert general["name"] == "general" and general["private"] is False
    assert general["owner"] == "chatbus" and general["kind"] == "channel"
    await alice.ok("chats:join", {"chat_id": "general"})
    assert listed(await alice.ok("chats:list"), "general")["role"] == "member"


# chats:create


async def test_creator_is_owner_and_only_member_of_new_chat(users: Users) -> None:
    alice = await users.connect()
    chat = await alice.ok("chats:create", {"name": "lunch"})
    assert CHAT_ID.fullmatch(chat["id"])
    assert chat["name"] == "lunch" and chat["private"] is False and chat["kind"] == "channel"
    assert chat["owner"] == alice.username and chat["member_count"] == 1
    assert chat["last_seq"] == 0 and chat["topic"] == "" and "members" not in chat
    page = await alice.ok("chats:members", {"chat_id": chat["id"]})
    assert [(m["username"], m["role"]) for m in page["members"]] == [(alice.username, "owner")]
    view = listed(await alice.ok("chats:list"), chat["id"])
    assert {key: view[key] for key in chat} == chat


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
    assert chat["member_count"] == 2
    assert sorted(await member_names(alice, chat["id"])) == sorted([alice.username, bob.username])
    assert (await bob.wait_for("chat", about(chat["id"])))["member_count"] == 2
    assert (await bob.wait_for("member", about(chat["id"])))["username"] == bob.username
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "psst"})
    assert await bob.wait_for("message", about(chat["id"])) == sent


async def test_members_listed_twice_or_the_creator_are_added_once(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    members = [bob.username, alice.username, bob.username]
    chat = await alice.ok("chats:create", {"name": "duo", "private": True, "members": members})
    assert chat["member_count"] == 2
    assert sorted(await member_names(alice, chat["id"])) == sorted([alice.username, bob.username])


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


async def test_a_topic_is_one_line_of_at_most_250_characters(users: Users) -> None:
    alice = await users.connect()
    assert await alice.refused("chats:create", {"name": "x", "topic": "a\nb"}) == "invalid"
    assert await alice.refused("chats:create", {"name": "x", "topic": "t" * 251}) == "too_large"
    chat = await alice.ok("chats:create", {"name": "x", "topic": " " + "t" * 250 + " "})
    assert chat["topic"] == "t" * 250


async def test_a_user_owns_at_most_so_many_channels(
    users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "MAX_OWNED_CHANNELS", 3)
    alice = await users.connect()
    for n in range(3):
        await alice.ok("chats:create", {"name": f"mine {n}"})
    assert await alice.refused("chats:create", {"name": "one more"}) == "too_large"
    assert len(await alice.ok("chats:list")) == 3


async def test_a_user_is_a_member_of_at_most_so_many_chats(
    users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "MAX_MEMBERSHIPS", 3)
    alice, bob = await connect_all(users, 2)
    chats = [await alice.ok("chats:create", {"name": f"room {n}"}) for n in range(3)]
    extra = await bob.ok("chats:create", {"name": "bob's"})
    assert await alice.refused("chats:join", {"chat_id": extra["id"]}) == "too_large"
    assert await alice.refused("chats:create", {"name": "fourth"}) == "too_large"
    invite = {"chat_id": extra["id"], "username": alice.username}
    assert await bob.refused("chats:invite", invite) == "too_large"
    await alice.ok("chats:leave", {"chat_id": chats[0]["id"]})
    await alice.ok("chats:join", {"chat_id": extra["id"]})
    assert len(await alice.ok("chats:list")) == 3


# chats:join


async def test_joining_public_chat_makes_user_a_member_and_tells_the_members(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    joined = await bob.ok("chats:join", {"chat_id": chat["id"]})
    assert joined["member_count"] == 2 and joined["revision"] > chat["revision"]
    expected = {
        "chat_id": chat["id"],
        "username": bob.username,
        "action": "joined",
        "member_count": 2,
        "revision": joined["revision"],
    }
    joining = lambda e: e["username"] == bob.username  # noqa: E731
    assert await alice.wait_for("member", joining) == expected
    assert await bob.wait_for("member", joining) == expected
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "welcome"})
    assert await bob.wait_for("message", about(chat["id"])) == sent


async def test_joining_a_chat_twice_changes_nothing(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    first = await bob.ok("chats:join", {"chat_id": chat["id"]})
    second = await bob.ok("chats:join", {"chat_id": chat["id"]})
    assert second == first
    await alice.ok("messages:send", {"chat_id": chat["id"], "text": "one"})
    await bob.wait_for("message", about(chat["id"]))
    await alice.sync()
    assert len(alice.received("member", lambda e: e["username"] == bob.username)) == 1
    assert len(bob.received("message", about(chat["id"]))) == 1


async def test_many_users_joining_at_once_all_become_members(users: Users) -> None:
    owner, *joiners = await connect_all(users, 6)
    chat = await owner.ok("chats:create", {"name": "crowd"})
    await asyncio.gather(*(j.ok("chats:join", {"chat_id": chat["id"]}) for j in joiners))
    everyone = sorted([owner.username, *(j.username for j in joiners)])
    assert sorted(await member_names(owner, chat["id"], limit=2)) == everyone
    assert (await owner.ok("chats:get", {"chat_id": chat["id"]}))["member_count"] == 6


async def test_joining_in_one_tab_brings_the_chat_to_every_tab(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    bob_tab = await users.connect(bob.username)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    await bob.ok("chats:join", {"chat_id": chat["id"]})
    # Besides the chat's creation, which was for everyone: bob's chat, now his.
    await bob_tab.wait_for("chat", lambda c: c["id"] == chat["id"] and c["member_count"] == 2)
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "both tabs"})
    assert await bob_tab.wait_for("message", about(chat["id"])) == sent


async def test_joining_unknown_chat_is_not_found(users: Users) -> None:
    alice = await users.connect()
    assert await alice.refused("chats:join", {"chat_id": "no-such-chat"}) == "not_found"


async def test_private_chat_refuses_uninvited_user(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "secret", "private": True})
    assert await bob.refused("chats:join", {"chat_id": chat["id"]}) == "forbidden"
    assert await member_names(alice, chat["id"]) == [alice.username]


async def test_invited_user_may_join_private_chat_again_after_leaving(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "secret", "private": True})
    await alice.ok("chats:invite", {"chat_id": chat["id"], "username": bob.username})
    await bob.ok("chats:leave", {"chat_id": chat["id"]})
    rejoined = await bob.ok("chats:join", {"chat_id": chat["id"]})
    assert rejoined["member_count"] == 2
    assert sorted(await member_names(alice, chat["id"])) == sorted([alice.username, bob.username])


async def test_owner_who_left_their_private_chat_can_rejoin_it(users: Users) -> None:
    owner = await users.connect()
    chat = await owner.ok("chats:create", {"name": "mine", "private": True})
    await owner.ok("chats:leave", {"chat_id": chat["id"]})
    rejoined = await owner.ok("chats:join", {"chat_id": chat["id"]})
    assert rejoined["member_count"] == 1
    assert listed(await owner.ok("chats:list"), chat["id"])["role"] == "owner"


# chats:leave


async def test_leaving_a_chat_stops_its_messages_and_tells_the_members(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    await bob.ok("chats:join", {"chat_id": chat["id"]})
    await alice.ok("messages:send", {"chat_id": chat["id"], "text": "before"})
    await bob.wait_for("message", about(chat["id"]))
    reply = await bob.ok("chats:leave", {"chat_id": chat["id"]})
    now = await alice.ok("chats:get", {"chat_id": chat["id"]})
    assert reply == {"chat_id": chat["id"], "revision": now["revision"]}
    left = {
        "chat_id": chat["id"],
        "username": bob.username,
        "action": "left",
        "member_count": 1,
        "revision": now["revision"],
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
    assert await bob.refused("chats:get", {"chat_id": chat["id"]}) == "forbidden"


async def test_leaving_a_chat_one_is_not_in_changes_nothing(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "lunch"})
    left = await bob.ok("chats:leave", {"chat_id": chat["id"]})
    assert left == {"chat_id": chat["id"], "revision": chat["revision"]}  # unchanged
    await alice.sync()
    # Only her own joining, when she created it.
    assert [e["username"] for e in alice.received("member", about(chat["id"]))] == [alice.username]


async def test_leaving_unknown_chat_is_not_found(users: Users) -> None:
    alice = await users.connect()
    assert await alice.refused("chats:leave", {"chat_id": "no-such-chat"}) == "not_found"


# chats:invite


async def test_invitee_receives_the_chat_and_then_its_messages(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "secret", "private": True})
    invited = await alice.ok("chats:invite", {"chat_id": chat["id"], "username": bob.username})
    assert invited["member_count"] == 2
    announced = await bob.wait_for("chat", about(chat["id"]))
    assert announced == invited
    joined = {
        "chat_id": chat["id"],
        "username": bob.username,
        "action": "joined",
        "member_count": 2,
        "revision": invited["revision"],
    }
    assert await bob.wait_for("member", about(chat["id"])) == joined
    assert await alice.wait_for("member", lambda e: e["username"] == bob.username) == joined
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
        assert await member_names(alice, chat["id"]) == [alice.username]


async def test_inviting_unknown_user_is_not_found(users: Users) -> None:
    alice = await users.connect()
    chat = await alice.ok("chats:create", {"name": "secret", "private": True})
    invite = {"chat_id": chat["id"], "username": "nobody-here"}
    assert await alice.refused("chats:invite", invite) == "not_found"


async def test_inviting_into_unknown_chat_is_not_found(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    invite = {"chat_id": "no-such-chat", "username": bob.username}
    assert await alice.refused("chats:invite", invite) == "not_found"


# chats:browse


async def test_browse_finds_public_channels_by_name_a_page_at_a_time(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    tag = unique_name("Zq")
    names = [f"{tag} {letter}" for letter in "cabed"]
    made = {name: await alice.ok("chats:create", {"name": name}) for name in names}
    await alice.ok("chats:create", {"name": f"{tag} hidden", "private": True})
    pages, after = [], None
    while True:
        request: dict[str, Any] = {"query": tag.lower(), "limit": 2}
        if after:
            request["after"] = after
        page = await bob.ok("chats:browse", request)
        pages.append([chat["name"] for chat in page["chats"]])
        if not page["more"]:
            break
        after = page["chats"][-1]["id"]
    assert pages == [[f"{tag} a", f"{tag} b"], [f"{tag} c", f"{tag} d"], [f"{tag} e"]]
    assert listed((await bob.ok("chats:browse", {"query": tag}))["chats"], made[names[0]]["id"])
    assert await bob.refused("chats:browse", {"after": "no-such-chat"}) == "invalid"
    assert await bob.refused("chats:browse", {"limit": 101}) == "invalid"


async def test_browse_shows_public_channels_to_anyone_whatever_their_chats(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": unique_name("findme")})
    found = await bob.ok("chats:browse", {"query": chat["name"]})
    assert found == {"chats": [chat], "more": False}


# chats:get and chats:members


async def test_anyone_may_get_a_public_chat_and_its_members(users: Users) -> None:
    alice, bob = await connect_all(users, 2)
    chat = await alice.ok("chats:create", {"name": "open"})
    assert await bob.ok("chats:get", {"chat_id": chat["id"]}) == chat
    assert await member_names(bob, chat["id"]) == [alice.username]


async def test_only_members_get_a_private_chat_or_its_members(users: Users) -> None:
    alice, bob, carol = await connect_all(users, 3)
    chat = await alice.ok(
        "chats:create", {"name": "secret", "private": True, "members": [bob.username]}
    )
    assert (await bob.ok("chats:get", {"chat_id": chat["id"]}))["id"] == chat["id"]
    assert await carol.refused("chats:get", {"chat_id": chat["id"]}) == "forbidden"
    assert await carol.refused("chats:members", {"chat_id": chat["id"]}) == "forbidden"
    assert await carol.refused("chats:get", {"chat_id": "no-such-chat"}) == "not_found"


async def test_members_are_paged_by_username(users: Users) -> None:
    owner, *others = await connect_all(users, 5)
    chat = await owner.ok("chats:create", {"name": "crowd"})
    for other in others:
        await other.ok("chats:join", {"chat_id": chat["id"]})
    everyone = sorted([owner.username, *(o.username for o in others)])
    first = await owner.ok("chats:members", {"chat_id": chat["id"], "limit": 3})
    assert [m["username"] for m in first["members"]] == everyone[:3] and first["more"] is True
    rest = await owner.ok(
        "chats:members", {"chat_id": chat["id"], "limit": 3, "after": everyone[2]}
    )
    assert [m["username"] for m in rest["members"]] == everyone[3:] and rest["more"] is False
    assert await owner.refused("chats:members", {"chat_id": chat["id"], "limit": 501}) == "invalid"


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


async def test_joins_and_leaves_are_told_to_the_chats_members_only(users: Users) -> None:
    alice, bob, carol = await connect_all(users, 3)
    chat = await alice.ok("chats:create", {"name": "open"})
    await carol.wait_for("chat", about(chat["id"]))  # its creation is for everyone
    await bob.ok("chats:join", {"chat_id": chat["id"]})
    await bob.ok("chats:leave", {"chat_id": chat["id"]})
    await alice.wait_for("member", lambda e: e["action"] == "left")
    await carol.sync()
    assert carol.received("member", about(chat["id"])) == []
    assert len(carol.received("chat", about(chat["id"]))) == 1


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
    assert page == {"messages": [], "more": False, "truncated": False, "revisions": None}


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
