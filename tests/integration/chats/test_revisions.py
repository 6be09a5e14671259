"""Chat revisions: news of a chat that arrives out of order never undoes newer news.

Several chats services may announce changes to one chat at once, so an edge
(or a browser) can receive revision 5 after revision 6. The edge must not take
an older ``member`` event and move a member's sockets out of the chat's room.
"""

from nats.aio.client import Client

from services.contracts import Chat, MemberEvent, storage, subjects
from tests.support.clients import Users, unique_name


async def test_every_change_to_a_chat_raises_its_revision_in_replies_and_events(
    users: Users,
) -> None:
    alice, bob = await users.connect(), await users.connect()
    created = await alice.ok("chats:create", {"name": unique_name("room")})
    joined = await bob.ok("chats:join", {"chat_id": created["id"]})
    member = await alice.wait_for("member", lambda m: m["username"] == bob.username)
    assert joined["revision"] > created["revision"] >= 1
    assert member["revision"] == joined["revision"]

    # Joining again changes nothing, so the revision stays.
    again = await bob.ok("chats:join", {"chat_id": created["id"]})
    assert again["revision"] == joined["revision"]
    (listed,) = [c for c in await bob.ok("chats:list") if c["id"] == created["id"]]
    assert listed["revision"] == joined["revision"]
    left = await bob.ok("chats:leave", {"chat_id": created["id"]})
    assert left["revision"] > joined["revision"]


async def test_a_stale_member_event_does_not_take_a_member_out_of_the_room(
    users: Users, nc: Client
) -> None:
    alice, bob = await users.connect(), await users.connect()
    room = await alice.ok("chats:create", {"name": unique_name("room")})
    joined = await bob.ok("chats:join", {"chat_id": room["id"]})

    # An announcement older than bob's join, saying he left, arriving late.
    stale = MemberEvent(
        chat_id=room["id"],
        username=bob.username,
        action="left",
        member_count=1,
        revision=joined["revision"] - 1,
    )
    await nc.publish(subjects.room_event(room["id"], "member"), stale.model_dump_json().encode())
    # Then, from the same connection (so after it, in order), a chat for everyone: once bob
    # has it, the edge has handled the stale event.
    marker = Chat.model_validate(joined).model_copy(update={"id": unique_name("marker")})
    await nc.publish(
        subjects.room_event(marker.id, "updated"),
        marker.model_dump_json().encode(),
        headers={storage.AUDIENCE_HEADER: storage.EVERYONE},
    )
    await bob.wait_for("chat", lambda c: c["id"] == marker.id)

    sent = await alice.ok("messages:send", {"chat_id": room["id"], "text": "still here?"})
    assert (await bob.wait_for("message", lambda m: m["id"] == sent["id"]))["text"] == "still here?"


async def test_a_newer_member_event_takes_a_member_out_of_the_room(
    users: Users, nc: Client
) -> None:
    # The same path with a newer revision does move him: the test above can fail.
    alice, bob = await users.connect(), await users.connect()
    room = await alice.ok("chats:create", {"name": unique_name("room")})
    joined = await bob.ok("chats:join", {"chat_id": room["id"]})
    newer = MemberEvent(
        chat_id=room["id"],
        username=bob.username,
        action="left",
        member_count=1,
        revision=joined["revision"] + 1_000,
    )
    await nc.publish(subjects.room_event(room["id"], "member"), newer.model_dump_json().encode())
    await bob.wait_for("member", lambda e: e["action"] == "left")
    sent = await alice.ok("messages:send", {"chat_id": room["id"], "text": "gone"})
    await alice.wait_for("message", lambda m: m["id"] == sent["id"])
    await bob.sync()
    assert bob.received("message", lambda m: m["id"] == sent["id"]) == []
