"""Messages that live: edit, delete, react, threads, mentions, over socket.io and NATS.

Real nats-server, the services and the edge in the module's loop, real socket.io
clients; a plain NATS connection (full rights) reads the stream raw.
"""

import asyncio
import json
from typing import Any

import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from services.contracts import (
    EDIT_MESSAGE,
    REACT_TO_MESSAGE,
    storage,
    subjects,
)
from tests.support.clients import ChatClient, Users, read_all_after
from tests.support.nats_programs import NatsUser, error_code
from tests.support.polling import wait_until
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


async def chat_of(owner: ChatClient, *members: ChatClient, private: bool = False) -> str:
    chat = await owner.ok("chats:create", {"name": "living", "private": private})
    for member in members:
        if private:
            await owner.ok("chats:invite", {"chat_id": chat["id"], "username": member.username})
        else:
            await member.ok("chats:join", {"chat_id": chat["id"]})
    return str(chat["id"])


async def send(client: ChatClient, chat_id: str, text: str, **extra: Any) -> dict[str, Any]:
    sent: dict[str, Any] = await client.ok(
        "messages:send", {"chat_id": chat_id, "text": text, **extra}
    )
    return sent


async def everything_stored(js: JetStreamContext, chat_id: str) -> list[bytes]:
    """Every message the stream holds under the chat's subjects, each revision, raw."""
    info = await js.stream_info(storage.MESSAGES_STREAM)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            stored = await js.get_msg(storage.MESSAGES_STREAM, seq=seq)
        except Exception:  # noqa: BLE001 (a removed message)
            continue
        if (stored.subject or "").startswith(f"chat.store.{chat_id}."):
            found.append(stored.data or b"")
    return found


async def test_an_edit_keeps_the_seq_tells_the_chat_and_keeps_the_earlier_text(
    users: Users,
) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    sent = await send(alice, chat_id, "helo")

    edited = await alice.ok(
        "messages:edit", {"chat_id": chat_id, "seq": sent["seq"], "text": "hello"}
    )
    assert (edited["seq"], edited["id"], edited["text"]) == (sent["seq"], sent["id"], "hello")
    assert edited["edited_at"] is not None
    changed = await bob.wait_for("message_changed", lambda m: m["id"] == sent["id"])
    assert changed["text"] == "hello"
    await alice.ok("messages:edit", {"chat_id": chat_id, "seq": sent["seq"], "text": "hello!"})

    page = await alice.ok("messages:history", {"chat_id": chat_id, "revisions": True})
    assert [m["text"] for m in page["messages"]] == ["hello!"]
    assert [r["text"] for r in page["revisions"][0]["revisions"]] == ["helo", "hello"]
    assert page["revisions"][0]["seq"] == sent["seq"]
    # Not bob's message: he sees no earlier texts; without asking, nobody does.
    assert (await bob.ok("messages:history", {"chat_id": chat_id, "revisions": True}))[
        "revisions"
    ] == []
    assert (await alice.ok("messages:history", {"chat_id": chat_id}))["revisions"] is None


async def test_edit_refusals(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    sent = await send(alice, chat_id, "mine")
    edit = {"chat_id": chat_id, "seq": sent["seq"], "text": "theirs"}

    assert await bob.refused("messages:edit", edit) == "forbidden"
    assert await alice.refused("messages:edit", {**edit, "seq": 99}) == "not_found"
    assert await alice.refused("messages:edit", {**edit, "text": "  "}) == "invalid"
    await alice.ok("messages:delete", {"chat_id": chat_id, "seq": sent["seq"]})
    assert await alice.refused("messages:edit", edit) == "not_found"


async def test_a_delete_leaves_no_trace_of_the_text_in_the_stream(
    users: Users, js: JetStreamContext
) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    sent = await send(alice, chat_id, "secret plans v1")
    await send(alice, chat_id, "after it")
    seq = sent["seq"]
    await alice.ok("messages:edit", {"chat_id": chat_id, "seq": seq, "text": "secret plans v2"})
    await bob.ok("messages:react", {"chat_id": chat_id, "seq": seq, "emoji": "👍", "on": True})

    assert await bob.refused("messages:delete", {"chat_id": chat_id, "seq": seq}) == "forbidden"
    gone = await alice.ok("messages:delete", {"chat_id": chat_id, "seq": seq})
    assert (gone["deleted"], gone["text"], gone["seq"], gone["sender"]) == (
        True,
        "",
        seq,
        alice.username,
    )
    assert (gone["sent_at"], gone["id"], gone["reactions"]) == (sent["sent_at"], sent["id"], [])
    await bob.wait_for("message_changed", lambda m: m["id"] == sent["id"] and m["deleted"])

    raw = await everything_stored(js, chat_id)
    assert raw and not any(b"secret" in data for data in raw)
    revisions = await js.get_msg(
        storage.MESSAGES_STREAM, subject=subjects.stored_message(chat_id, seq), seq=1, next=True
    )
    assert json.loads(revisions.data or b"")["deleted"] is True  # the first left is the tombstone
    reactors = await js.stream_info(
        "KV_" + storage.REACTIONS_BUCKET,
        subjects_filter=f"$KV.{storage.REACTIONS_BUCKET}.{chat_id}.>",
    )
    assert not reactors.state.subjects
    # Idempotent; and history shows the tombstone in its place.
    assert (await alice.ok("messages:delete", {"chat_id": chat_id, "seq": seq}))["deleted"]
    page = await bob.ok("messages:history", {"chat_id": chat_id})
    assert [(m["seq"], m["deleted"]) for m in page["messages"]] == [(seq, True), (seq + 1, False)]
    assert (
        await alice.refused(
            "messages:react", {"chat_id": chat_id, "seq": seq, "emoji": "👍", "on": True}
        )
        == "not_found"
    )


async def test_the_chats_owner_deletes_anyones_message(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    sent = await send(bob, chat_id, "spam")
    assert (await alice.ok("messages:delete", {"chat_id": chat_id, "seq": sent["seq"]}))["deleted"]


async def test_reactions_toggle_idempotently_and_members_only(users: Users) -> None:
    alice, bob, carol = await users.connect(), await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    sent = await send(alice, chat_id, "react to me")
    react = {"chat_id": chat_id, "seq": sent["seq"], "emoji": "🎉", "on": True}

    await bob.ok("messages:react", react)
    twice = await bob.ok("messages:react", react)
    assert twice["reactions"] == [{"emoji": "🎉", "count": 1, "users": [bob.username]}]
    both = await alice.ok("messages:react", react)
    assert both["reactions"] == [
        {"emoji": "🎉", "count": 2, "users": [bob.username, alice.username]}
    ]
    await bob.wait_for(
        "message_changed", lambda m: m["id"] == sent["id"] and m["reactions"][0]["count"] == 2
    )
    off = await bob.ok("messages:react", {**react, "on": False})
    assert off["reactions"] == [{"emoji": "🎉", "count": 1, "users": [alice.username]}]
    assert (await bob.ok("messages:react", {**react, "on": False}))["reactions"] == off["reactions"]

    assert await carol.refused("messages:react", react) == "forbidden"
    assert await bob.refused("messages:react", {**react, "emoji": "not one"}) == "invalid"
    for n in range(49):
        await alice.ok("messages:react", {**react, "emoji": chr(0x1F600 + n)})
    assert await alice.refused("messages:react", {**react, "emoji": "🦄"}) == "too_large"


async def test_a_storm_of_twenty_reactions_counts_each_once(users: Users) -> None:
    owner = await users.connect()
    storm = [await users.connect() for _ in range(20)]
    chat_id = await chat_of(owner, *storm)
    sent = await send(owner, chat_id, "storm")
    react = {"chat_id": chat_id, "seq": sent["seq"], "emoji": "👍", "on": True}

    await asyncio.gather(*(client.ok("messages:react", react) for client in storm))
    page = await owner.ok("messages:history", {"chat_id": chat_id})
    (reaction,) = page["messages"][0]["reactions"]
    assert reaction["count"] == 20
    assert sorted(reaction["users"]) == sorted(client.username for client in storm)

    await asyncio.gather(*(c.ok("messages:react", {**react, "on": c is storm[0]}) for c in storm))
    page = await owner.ok("messages:history", {"chat_id": chat_id})
    assert page["messages"][0]["reactions"] == [
        {"emoji": "👍", "count": 1, "users": [storm[0].username]}
    ]


async def test_threads_attach_to_their_root_and_page_without_the_chat(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    root = await send(alice, chat_id, "root")
    await send(alice, chat_id, "not in the thread")
    first = await send(bob, chat_id, "reply 1", reply_to=root["seq"])
    second = await send(alice, chat_id, "reply 2", reply_to=first["seq"])  # a reply to a reply
    assert (first["reply_to"], second["reply_to"]) == (root["seq"], root["seq"])
    changed = await alice.wait_for(
        "message_changed", lambda m: m["id"] == root["id"] and m["thread"]["count"] == 2
    )
    assert changed["thread"]["last_at"] == second["sent_at"]

    thread = await bob.ok("messages:thread", {"chat_id": chat_id, "root": root["seq"]})
    assert ([m["text"] for m in thread["messages"]], thread["more"]) == (
        ["reply 1", "reply 2"],
        False,
    )
    one = await bob.ok("messages:thread", {"chat_id": chat_id, "root": root["seq"], "limit": 1})
    assert ([m["seq"] for m in one["messages"]], one["more"]) == ([first["seq"]], True)
    rest = await bob.ok(
        "messages:thread", {"chat_id": chat_id, "root": root["seq"], "after": first["seq"]}
    )
    assert [m["seq"] for m in rest["messages"]] == [second["seq"]]
    # History holds every message, replies too, with no gap.
    assert [
        m["seq"] for m in (await bob.ok("messages:history", {"chat_id": chat_id}))["messages"]
    ] == [1, 2, 3, 4]

    assert (
        await alice.refused("messages:send", {"chat_id": chat_id, "text": "x", "reply_to": 50})
        == "invalid"
    )
    await alice.ok("messages:delete", {"chat_id": chat_id, "seq": root["seq"]})
    assert (
        await alice.refused(
            "messages:send", {"chat_id": chat_id, "text": "x", "reply_to": root["seq"]}
        )
        == "not_found"
    )


async def test_mentions_are_told_once_listed_and_lose_their_words_with_the_message(
    users: Users,
) -> None:
    alice, bob, carol = await users.connect(), await users.connect(), await users.connect()
    outsider = await users.connect()
    chat_id = await chat_of(alice, bob, carol)
    plain = await send(alice, chat_id, "no one named here")
    assert plain["mentions"] == []
    sent = await send(
        alice, chat_id, f"@{bob.username} and @{outsider.username} and @{alice.username}, look"
    )
    assert sent["mentions"] == [bob.username, alice.username]
    mention = await bob.wait_for("mention", lambda m: m["seq"] == sent["seq"])
    assert (mention["chat_id"], mention["sender"]) == (chat_id, alice.username)

    edited = await alice.ok(
        "messages:edit",
        {"chat_id": chat_id, "seq": sent["seq"], "text": f"@{bob.username} @{carol.username}"},
    )
    assert edited["mentions"] == [bob.username, carol.username]
    await carol.wait_for("mention", lambda m: m["seq"] == sent["seq"])
    await bob.sync()
    assert len(bob.received("mention", lambda m: m["seq"] == sent["seq"])) == 1

    listed = await bob.ok("mentions:list", {})
    assert [(m["seq"], m["excerpt"]) for m in listed["mentions"]] == [
        (sent["seq"], f"@{bob.username} @{carol.username}")
    ]
    assert listed["more"] is False
    assert (await alice.ok("mentions:list", {}))["mentions"] == []  # not by oneself
    await alice.ok("messages:delete", {"chat_id": chat_id, "seq": sent["seq"]})
    assert (await bob.ok("mentions:list", {}))["mentions"][0]["excerpt"] == ""


async def test_mentions_page_newest_first(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    seqs = [(await send(alice, chat_id, f"@{bob.username} {n}"))["seq"] for n in range(5)]

    first = await bob.ok("mentions:list", {"limit": 2})
    assert ([m["seq"] for m in first["mentions"]], first["more"]) == (seqs[:-3:-1], True)
    rest = await bob.ok("mentions:list", {"before": first["mentions"][-1]["id"]})
    assert ([m["seq"] for m in rest["mentions"]], rest["more"]) == (seqs[2::-1], False)


async def test_a_client_catching_up_gets_what_changed_while_it_was_away(
    users: Users,
) -> None:
    alice = await users.connect()
    bob = await users.connect()
    chat_id = await chat_of(alice, bob)
    kept = await send(alice, chat_id, "kept")
    doomed = await send(alice, chat_id, "doomed")
    await bob.sio.disconnect()

    await alice.ok(
        "messages:edit", {"chat_id": chat_id, "seq": kept["seq"], "text": "kept, edited"}
    )
    await alice.ok("messages:delete", {"chat_id": chat_id, "seq": doomed["seq"]})
    await alice.ok(
        "messages:react", {"chat_id": chat_id, "seq": kept["seq"], "emoji": "👀", "on": True}
    )
    await send(alice, chat_id, "new")

    back = await users.connect(bob.username)
    caught_up = await read_all_after(back, chat_id, 0, limit=2)
    assert [(m["text"], m["deleted"]) for m in caught_up] == [
        ("kept, edited", False),
        ("", True),
        ("new", False),
    ]
    assert caught_up[0]["reactions"][0]["emoji"] == "👀"


async def test_the_same_rules_hold_over_nats(users: Users, nc: Client) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob)
    sent = await send(alice, chat_id, "over nats")
    as_bob = NatsUser(nc, bob.username)
    as_alice = NatsUser(nc, alice.username)

    edit = {"chat_id": chat_id, "seq": sent["seq"], "text": "nope"}
    assert error_code(await as_bob.call(EDIT_MESSAGE, edit)) == "forbidden"
    assert (await as_alice.ok(EDIT_MESSAGE, {**edit, "text": "yes"}))["text"] == "yes"
    react = {"chat_id": chat_id, "seq": sent["seq"], "emoji": "👍", "on": True}
    assert (await as_bob.ok(REACT_TO_MESSAGE, react))["reactions"][0]["count"] == 1
    stranger = NatsUser(nc, (await users.connect()).username)
    assert error_code(await stranger.call(REACT_TO_MESSAGE, react)) == "forbidden"


@pytest.mark.parametrize("private", [True])
async def test_a_private_chats_thread_is_for_its_members(users: Users, private: bool) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, private=private)
    root = await send(alice, chat_id, "root")
    assert (
        await bob.refused("messages:thread", {"chat_id": chat_id, "root": root["seq"]})
        == "forbidden"
    )
    assert (
        await bob.refused("messages:delete", {"chat_id": chat_id, "seq": root["seq"]})
        == "forbidden"
    )


async def test_the_edge_gives_user_events_to_that_users_sockets_only(
    users: Users, nc: Client
) -> None:
    alice, bob = await users.connect(), await users.connect()
    marker = {"chat_id": "general", "read_seq": 7}
    await nc.publish(subjects.user_event(alice.username, "read"), json.dumps(marker).encode())
    assert await alice.wait_for("read") == marker
    await bob.sync()
    assert bob.received("read") == []


async def test_at_here_names_the_members_online(users: Users) -> None:
    alice, bob, gone = await users.connect(), await users.connect(), await users.connect()
    chat_id = await chat_of(alice, bob, gone)
    stranger = await users.connect()  # online, not a member
    await gone.sio.disconnect()
    named: list[str] = []

    async def only_bob_is_named() -> bool:
        # The messages service learns who is online from its copy of the presence bucket.
        named[:] = (await send(alice, chat_id, "@here stand-up"))["mentions"]
        return bob.username in named and gone.username not in named

    await wait_until(only_bob_is_named)
    assert named == sorted([alice.username, bob.username])
    assert stranger.username not in named
    await bob.wait_for("mention", lambda m: m["chat_id"] == chat_id)


async def test_a_workspace_admin_deletes_in_any_chat_and_reads_earlier_texts(
    users: Users, js: JetStreamContext
) -> None:
    alice, admin = await users.connect(), await users.connect()
    chat_id = await chat_of(alice, private=True)
    sent = await send(alice, chat_id, "draft")
    await alice.ok("messages:edit", {"chat_id": chat_id, "seq": sent["seq"], "text": "final"})
    delete = {"chat_id": chat_id, "seq": sent["seq"]}
    assert await admin.refused("messages:delete", delete) == "forbidden"

    users_bucket = await js.key_value(storage.USERS_BUCKET)
    entry = await users_bucket.get(admin.username)
    record = json.loads(entry.value or b"{}")
    await users_bucket.put(admin.username, json.dumps({**record, "role": "admin"}).encode())
    assert (await admin.ok("messages:delete", delete))["deleted"] is True

    public = await chat_of(alice)
    edited = await send(alice, public, "v1")
    await alice.ok("messages:edit", {"chat_id": public, "seq": edited["seq"], "text": "v2"})
    page = await admin.ok("messages:history", {"chat_id": public, "revisions": True})
    assert [r["text"] for r in page["revisions"][0]["revisions"]] == ["v1"]
