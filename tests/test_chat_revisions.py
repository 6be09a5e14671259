"""Chat revisions: copies of a chat that arrive out of order never undo a newer one.

Several chats services may announce changes to one chat at once, so an edge
(or a browser) can receive revision 5 after revision 6. The edge must not
take the older member list and move a member's sockets out of the room.
"""

from nats.aio.client import Client

from services.contracts import Chat, subjects

from .support import Users, unique_name


async def test_every_change_to_a_chat_raises_its_revision_in_replies_and_events(
    users: Users,
) -> None:
    alice, bob = await users.connect(), await users.connect()
    created = await alice.ok("chats:create", {"name": unique_name("room")})
    joined = await bob.ok("chats:join", {"chat_id": created["id"]})
    member = await alice.wait_for("member", lambda m: m["username"] == bob.username)
    updated = await alice.wait_for("chat", lambda c: bob.username in c["members"])
    assert joined["revision"] > created["revision"] >= 1
    assert member["revision"] == updated["revision"] == joined["revision"]

    # Joining again changes nothing, so the revision stays.
    assert (await bob.ok("chats:join", {"chat_id": created["id"]}))["revision"] == joined[
        "revision"
    ]
    (listed,) = [c for c in await bob.ok("chats:list") if c["id"] == created["id"]]
    assert listed["revision"] == joined["revision"]


async def test_a_stale_copy_of_a_chat_does_not_take_a_member_out_of_its_room(
    users: Users, nc: Client
) -> None:
    alice, bob = await users.connect(), await users.connect()
    room = await alice.ok("chats:create", {"name": unique_name("room")})
    current = Chat.model_validate(await bob.ok("chats:join", {"chat_id": room["id"]}))

    # The announcement of the revision before bob's join, arriving late.
    stale = current.model_copy(update={"members": [alice.username], "revision": room["revision"]})
    await nc.publish(subjects.room_event(room["id"], "updated"), stale.model_dump_json().encode())
    # Then, from the same connection (so after it, in order), a chat bob can see: once he
    # has it, the edge has handled the stale copy.
    marker = current.model_copy(update={"id": unique_name("marker"), "members": []})
    await nc.publish(subjects.room_event(marker.id, "updated"), marker.model_dump_json().encode())
    await bob.wait_for("chat", lambda c: c["id"] == marker.id)

    sent = await alice.ok("messages:send", {"chat_id": room["id"], "text": "still here?"})
    assert (await bob.wait_for("message", lambda m: m["id"] == sent["id"]))["text"] == "still here?"
