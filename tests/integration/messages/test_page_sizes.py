"""History pages stay readable whatever their messages hold: texts are refused control
characters, and a page stops at 512 KiB of messages, as encoded in the reply, with ``more``.

The worst texts are stored the way an older version stored them (``MessageArchive.append``
takes any text): 4,000 control characters or DELs, six bytes each in socket.io's JSON, or
4,000 characters outside the BMP, twelve bytes each there (and still allowed).
"""

import json
import time
from typing import Any

import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from services.contracts import MESSAGE_HISTORY
from services.contracts.fields import MAX_PAGE_BYTES
from services.messages.archive import MessageArchive
from services.messages.pages import encoded_size
from tests.support.clients import ChatClient, Users, read_all_after
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
from tests.support.stored_messages import WORST_TEXTS, message_draft

pytestmark = IN_THE_MODULES_LOOP

STORED = 100
# What a reply holds besides its messages: the envelope and the page's own fields.
ENVELOPE_BYTES = 100


async def store_texts(js: JetStreamContext, chat_id: str, texts: list[str]) -> None:
    """Store ``texts`` in a chat, seqs 1.., as a send of a version without text checks did."""
    archive = MessageArchive(js)
    for n, text in enumerate(texts, start=1):
        await archive.append(message_draft(chat_id, f"{chat_id}-{n}", text), f"{chat_id}-{n}")


async def chat_of(client: ChatClient) -> str:
    return str((await client.ok("chats:create", {"name": "big texts"}))["id"])


async def read_all_before(client: ChatClient, chat_id: str, limit: int) -> list[dict[str, Any]]:
    """Page ``messages:history`` backward from the newest until ``more`` is false."""
    messages: list[dict[str, Any]] = []
    query: dict[str, Any] = {"chat_id": chat_id, "limit": limit}
    while True:
        page = await client.ok("messages:history", query)
        messages = page["messages"] + messages
        if not page["more"]:
            return messages
        assert page["messages"], page
        query["before"] = page["messages"][0]["seq"]


def size_within_the_limit(page: dict[str, Any]) -> int:
    """The page's messages' size as socket.io encodes them (non-ASCII escaped, compact),
    the larger of its two forms, checked against the limit."""
    size = len(json.dumps(page["messages"], separators=(",", ":")))
    assert 0 < size <= MAX_PAGE_BYTES, size
    return size


@pytest.mark.parametrize("kind", WORST_TEXTS)
async def test_pages_of_the_worst_stored_texts_are_answered_under_the_limit_with_more(
    kind: str, users: Users, js: JetStreamContext, nc: Client
) -> None:
    alice = await users.connect()
    chat_id = await chat_of(alice)
    await store_texts(js, chat_id, [WORST_TEXTS[kind]] * STORED)
    for limit in (50, 100):
        started = time.perf_counter()
        page = await alice.ok("messages:history", {"chat_id": chat_id, "limit": limit})
        took = time.perf_counter() - started
        size = size_within_the_limit(page)
        print(f"\n{kind}, limit {limit}: {len(page['messages'])} messages in {took * 1000:.0f} ms,")
        print(f"  {size:,} bytes of messages on socket.io")
        assert page["more"] is True and page["truncated"] is False
        assert page["messages"][-1]["seq"] == STORED  # the newest page ends at the newest
        assert len(page["messages"]) < limit
        # The reply as the messages service publishes it, which is what NATS limits.
        reply = await nc.request(
            MESSAGE_HISTORY.subject_for(alice.username),
            json.dumps({"chat_id": chat_id, "limit": limit}).encode(),
            timeout=10,
        )
        print(f"  {len(reply.data):,} bytes on NATS")
        assert len(reply.data) <= MAX_PAGE_BYTES + ENVELOPE_BYTES
        assert json.loads(reply.data)["data"] == page

    backward = await read_all_before(alice, chat_id, limit=100)
    forward = await read_all_after(alice, chat_id, after=0, limit=100)
    for collected in (backward, forward):
        assert [message["seq"] for message in collected] == list(range(1, STORED + 1))
        assert all(message["text"] == WORST_TEXTS[kind] for message in collected)


async def test_paging_mixed_sizes_both_ways_reaches_every_message_once(
    js: JetStreamContext,
) -> None:
    # Big and small texts in a pattern that cuts pages at many different places.
    texts = [WORST_TEXTS["astral"] if n % 3 else f"small {n}" for n in range(1, STORED + 1)]
    await store_texts(js, "mixed", texts)
    archive = MessageArchive(js)
    for limit in (7, 50, 100):
        seen: list[int] = []
        after = 0
        while True:
            page = await archive.page("mixed", before=None, after=after, limit=limit)
            assert sum(encoded_size(m) + 1 for m in page.messages) <= MAX_PAGE_BYTES
            seen += [message.seq for message in page.messages]
            if not page.more:
                break
            after = page.messages[-1].seq
        assert seen == list(range(1, STORED + 1)), limit
        seen = []
        before: int | None = None
        while True:
            page = await archive.page("mixed", before=before, after=None, limit=limit)
            assert sum(encoded_size(m) + 1 for m in page.messages) <= MAX_PAGE_BYTES
            assert not page.truncated
            seen = [message.seq for message in page.messages] + seen
            if not page.more:
                break
            before = page.messages[0].seq
        assert seen == list(range(1, STORED + 1)), limit


@pytest.mark.parametrize(
    "text",
    ["\x01", "bell\x07", "nul\x00", "escape \x1b[31m red", "cr\r\nlf", "del\x7f", "c1 \x85 \x9f"],
    ids=["soh", "bell", "nul", "ansi-escape", "carriage-return", "del", "c1"],
)
async def test_text_with_a_control_character_is_refused_invalid_saying_which(
    text: str, users: Users
) -> None:
    alice = await users.connect()
    chat_id = await chat_of(alice)
    reply = await alice.call("messages:send", {"chat_id": chat_id, "text": text})
    assert reply["ok"] is False and reply["error"]["code"] == "invalid", reply
    assert "control characters" in reply["error"]["message"]
    assert (await alice.ok("messages:history", {"chat_id": chat_id}))["messages"] == []


async def test_newline_and_tab_are_text_and_kept_exactly(users: Users) -> None:
    alice = await users.connect()
    chat_id = await chat_of(alice)
    text = "two\tcolumns\nand a second line\n"
    assert (await alice.ok("messages:send", {"chat_id": chat_id, "text": text}))["text"] == text
