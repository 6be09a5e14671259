"""The messages service decides who may post from a copy of the chats only when it is
new enough: never after a leave its sender was told of, never for programs on NATS.

Each test stops the copy (as a lagging watch would be) once it holds the chat, so what it
misses afterwards is certain, not a race.
"""

import contextlib
import json
from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from services.contracts import JOIN_CHAT, LEAVE_CHAT, SEND_MESSAGE, storage, subjects, success
from services.core.settings import Settings
from services.messages.messenger import Messenger
from tests.support.clients import Users, user_pool
from tests.support.nats_programs import Inbox, NatsUser, edge_headers, error_code
from tests.support.polling import wait_until
from tests.support.serving import edge_without, running_services

GENERAL = "general"


@pytest.fixture
def messenger() -> Messenger:
    return Messenger()


@pytest.fixture
async def services(settings: Settings, messenger: Messenger) -> AsyncIterator[None]:
    """As everywhere else, with the messages service's ``Messenger`` in the test's hands."""
    async with running_services(settings, messenger):
        yield


async def freeze_copy_at(messenger: Messenger, chat_id: str, revision: int) -> None:
    """Wait until the copy holds ``revision`` of the chat, then stop it following the bucket."""

    async def copied() -> bool:
        return messenger.members.copy.delivered_revision >= revision

    await wait_until(copied)
    await messenger.members.stop()


async def test_a_member_who_left_cannot_post_through_a_copy_that_missed_the_leave(
    users: Users, messenger: Messenger
) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat = await alice.ok("chats:create", {"name": "copied"})
    joined = await bob.ok("chats:join", {"chat_id": chat["id"]})
    await freeze_copy_at(messenger, chat["id"], joined["revision"])

    left = await bob.ok("chats:leave", {"chat_id": chat["id"]})
    refused = await bob.refused("messages:send", {"chat_id": chat["id"], "text": "after leaving"})

    assert refused == "forbidden"
    assert messenger.members.copy.delivered_revision < left["revision"]  # it was stale


async def test_who_left_a_private_chat_cannot_read_it_through_a_copy_that_missed_the_leave(
    users: Users, messenger: Messenger
) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat = await alice.ok(
        "chats:create", {"name": "secret", "private": True, "members": [bob.username]}
    )
    await alice.ok("messages:send", {"chat_id": chat["id"], "text": "for members"})
    await freeze_copy_at(messenger, chat["id"], chat["revision"])
    read = await bob.ok("messages:history", {"chat_id": chat["id"]})  # through the copy

    await bob.ok("chats:leave", {"chat_id": chat["id"]})
    refused = await bob.refused("messages:history", {"chat_id": chat["id"]})

    assert [m["text"] for m in read["messages"]] == ["for members"]
    assert refused == "forbidden"


async def test_the_edge_sends_the_revision_its_user_was_told_in_a_reply(
    users: Users, nc: Client
) -> None:
    bob = await users.connect()
    # Not in the messages queue group: a copy of each of bob's sends, with its headers.
    sends = await Inbox.listen(nc, SEND_MESSAGE.subject_for(bob.username))

    joined = await bob.ok("chats:join", {"chat_id": GENERAL})
    await bob.ok("messages:send", {"chat_id": GENERAL, "text": "in"})
    left = await bob.ok("chats:leave", {"chat_id": GENERAL})
    await bob.refused("messages:send", {"chat_id": GENERAL, "text": "out"})

    await sends.wait_for(lambda send: send["text"] == "out")
    revisions = [int(headers[storage.CHAT_REVISION_HEADER]) for headers in sends.headers]
    assert revisions[0] >= joined["revision"]
    assert revisions[1] >= left["revision"] > joined["revision"]


async def test_a_reply_s_revision_goes_with_the_next_command_before_any_event_says_it(
    settings: Settings, nc: Client
) -> None:
    # This test plays the chats service: it answers, and announces nothing, so the edge can
    # know the leave's revision only from the reply.
    async def play_chats(msg: Msg) -> None:
        await msg.respond(json.dumps(success({"chat_id": "lunch", "revision": 99})).encode())

    async def no_chats(msg: Msg) -> None:
        await msg.respond(json.dumps(success({"chats": []})).encode())

    await nc.subscribe(subjects.command("*", "chats", "*"), cb=play_chats)
    await nc.subscribe(subjects.CONNECTION_CHATS, cb=no_chats)
    sends = await Inbox.listen(nc, subjects.command("*", "messages", "send"))
    async with contextlib.AsyncExitStack() as stack:
        url = await edge_without(stack, settings, "chats")
        users = await stack.enter_async_context(user_pool(url))
        bob = await users.connect()

        await bob.ok("chats:leave", {"chat_id": "lunch"})
        await bob.call("messages:send", {"chat_id": "lunch", "text": "still here?"})

    await sends.wait_for(lambda send: send["text"] == "still here?")
    (headers,) = sends.headers
    assert headers[storage.CHAT_REVISION_HEADER] == "99"


async def test_a_program_on_nats_is_checked_against_jetstream_whatever_its_headers_say(
    users: Users, messenger: Messenger, nc: Client, settings: Settings
) -> None:
    bot = NatsUser(nc, await users.register())
    joined = await bot.ok(JOIN_CHAT, {"chat_id": GENERAL})
    await freeze_copy_at(messenger, GENERAL, joined["revision"])
    await bot.ok(LEAVE_CHAT, {"chat_id": GENERAL})
    stale = {storage.CHAT_REVISION_HEADER: str(joined["revision"])}
    text = {"chat_id": GENERAL, "text": "after leaving"}

    from_the_bot = await bot.call(SEND_MESSAGE, text, headers=stale)
    # The same stale revision from the edge is believed: the edge's word is what it has seen.
    from_the_edge = await bot.call(
        SEND_MESSAGE, text, headers=edge_headers(settings.signing_key) | stale
    )

    assert error_code(from_the_bot) == "forbidden"
    assert from_the_edge["ok"] is True


@pytest.mark.parametrize("header", ["0", "-3", "abc", "²", "1" * 40, ""])
async def test_a_malformed_revision_header_means_read_jetstream(
    users: Users, messenger: Messenger, nc: Client, settings: Settings, header: str
) -> None:
    bot = NatsUser(nc, await users.register())
    joined = await bot.ok(JOIN_CHAT, {"chat_id": GENERAL})
    await freeze_copy_at(messenger, GENERAL, joined["revision"])
    await bot.ok(LEAVE_CHAT, {"chat_id": GENERAL})
    headers = edge_headers(settings.signing_key) | {storage.CHAT_REVISION_HEADER: header}

    reply = await bot.call(SEND_MESSAGE, {"chat_id": GENERAL, "text": "hi"}, headers=headers)

    assert error_code(reply) == "forbidden"


async def test_a_join_the_copy_has_not_seen_is_read_from_jetstream_not_refused(
    users: Users, messenger: Messenger, nc: Client, settings: Settings
) -> None:
    alice = await users.connect()
    chat = await alice.ok("chats:create", {"name": "late copy"})
    await freeze_copy_at(messenger, chat["id"], chat["revision"])
    bot = NatsUser(nc, await users.register())
    await bot.ok(JOIN_CHAT, {"chat_id": chat["id"]})
    # The copy is as new as this says, yet does not have the join.
    behind = {storage.CHAT_REVISION_HEADER: str(chat["revision"])}

    reply = await bot.call(
        SEND_MESSAGE,
        {"chat_id": chat["id"], "text": "just joined"},
        headers=edge_headers(settings.signing_key) | behind,
    )

    assert reply["ok"] is True, reply
