"""A revision is not a message: seqs stay gap-free and unique with edits among the appends.

Real nats-server. Each ``MessageArchive`` stands for one messages replica; edits
are written with ``revise`` the way the messages service writes them, on old
messages, so the chat's last write is a revision while both replicas append.
"""

import asyncio
import random

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig

from services.contracts import Message, storage, subjects
from services.messages.archive import MessageArchive
from services.messages.retention import KEEP_ALL, Retention, oldest_stored_seq, purge_chat
from services.messages.revisions import StoredMessage, read_current, revise
from services.ops.embedded_nats import EmbeddedNats
from services.storage.jetstream import LAST_SEQS_BUCKET, REVISIONS_KEPT, ensure_state, last_seq
from tests.support.stored_messages import (  # noqa: F401 (the module's fixtures)
    js_with_retention,
    message_draft,
    no_retention,
)

CHAT = "revised"
BY_AGE = Retention(max_age_seconds=3600.0, max_messages_per_chat=0)
BY_COUNT = Retention(max_age_seconds=0.0, max_messages_per_chat=10)


async def append(archive: MessageArchive, text: str) -> int:
    message, is_new = await archive.append(message_draft(CHAT, text, text), dedupe_key=text)
    assert is_new
    return message.seq


async def chat_of(js: JetStreamContext, count: int) -> None:
    """The chat with ``count`` messages, m1..m<count>."""
    archive = MessageArchive(js)
    for n in range(1, count + 1):
        await append(archive, f"m{n}")


async def edit(js: JetStreamContext, retention: Retention, seq: int, text: str) -> None:
    def change(message: StoredMessage) -> StoredMessage:
        return message.model_copy(update={"text": text})

    await revise(js, retention, CHAT, seq, change)


async def stored(js: JetStreamContext, seq: int) -> Message:
    stored = await js.get_last_msg(
        storage.MESSAGES_STREAM, subjects.stored_message(CHAT, seq), direct=True
    )
    return Message.model_validate_json(stored.data or b"")


@pytest.mark.parametrize("retention", [KEEP_ALL, BY_AGE, BY_COUNT], ids=["all", "age", "count"])
async def test_two_replicas_appending_among_edits_give_every_seq_once(
    js: JetStreamContext, retention: Retention
) -> None:
    first, second = MessageArchive(js, retention), MessageArchive(js, retention)
    assert [await append(first, f"a{n}") for n in range(1, 6)] == [1, 2, 3, 4, 5]
    await edit(js, retention, 1, "a1, edited")  # the chat's last write revises seq 1
    # A replica that knows nothing of the chat reads its newest from that last write.
    assert await append(MessageArchive(js, retention), "fresh") == 6

    texts = [f"{name}{n}" for n in range(15) for name in ("x", "y")]
    rng = random.Random(7)

    async def edits() -> None:
        for n in range(30):
            newest, _ = await last_seq(js, CHAT)
            limit = retention.max_messages_per_chat
            low = max(1, newest - limit + 2) if limit else 1
            await edit(js, retention, rng.randint(low, newest), f"edit {n}")

    seqs, _ = await asyncio.gather(
        asyncio.gather(*(append(first if t[0] == "x" else second, t) for t in texts)), edits()
    )
    assert sorted(seqs) == list(range(7, 37))
    assert (await last_seq(js, CHAT))[0] == 36
    # Each seq holds the message appended under it (edits change text, never the id).
    kept = 36 - retention.max_messages_per_chat if retention.max_messages_per_chat else 0
    ids = {seq: text for seq, text in zip(seqs, texts, strict=True) if seq > kept}
    assert {seq: (await stored(js, seq)).id for seq in ids} == ids


async def test_the_newest_seq_is_found_above_a_revision_of_an_old_message(
    js: JetStreamContext,
) -> None:
    await chat_of(js, 300)
    await edit(js, KEEP_ALL, 2, "far below the newest")
    newest, stream_seq = await last_seq(js, CHAT)
    assert newest == 300
    current = await read_current(js, CHAT, 2)
    assert current is not None and stream_seq == current.stream_seq  # the chat's last write


async def test_a_purge_keeps_messages_not_revisions(js: JetStreamContext) -> None:
    await chat_of(js, 20)
    for n in range(6):
        await edit(js, KEEP_ALL, 18, f"m18 edited {n}")
    await purge_chat(js, CHAT, keep=5)

    assert await oldest_stored_seq(js, CHAT) == 16
    assert [(await stored(js, seq)).text for seq in range(16, 21)] == [
        "m16",
        "m17",
        "m18 edited 5",
        "m19",
        "m20",
    ]


async def test_the_oldest_stored_seq_is_a_message_whose_first_revision_went(
    js: JetStreamContext,
) -> None:
    await chat_of(js, 5)

    def tombstone(message: StoredMessage) -> StoredMessage:
        return message.model_copy(update={"text": "", "deleted": True})

    # A rollup replaces seq 1's append: the chat's first write in the stream is now seq 2.
    await revise(js, KEEP_ALL, CHAT, 1, tombstone, rollup=True)
    assert await oldest_stored_seq(js, CHAT) == 1
    assert (await stored(js, 1)).deleted


@pytest.mark.parametrize("retention", [BY_AGE], ids=["age"])
async def test_a_revision_expires_with_the_message_it_revises(
    js: JetStreamContext, retention: Retention
) -> None:
    archive = MessageArchive(js, retention)
    await append(archive, "m1")
    await edit(js, retention, 1, "m1 edited")
    last = await js.get_last_msg(
        storage.MESSAGES_STREAM, subjects.stored_message(CHAT, 1), direct=True
    )
    ttl = int((last.headers or {})[storage.TTL_HEADER].removesuffix("s"))
    sent_at = (await stored(js, 1)).sent_at
    assert last.time is not None
    # What the message had left of its max age when revised, to the second above.
    assert ttl == pytest.approx(3600 - (last.time - sent_at).total_seconds(), abs=1.5)


async def test_a_stream_made_before_revisions_gets_their_settings_at_start(
    nats_server: EmbeddedNats,
) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(
        StreamConfig(
            name=storage.MESSAGES_STREAM,
            subjects=[subjects.ALL_STORED_MESSAGES],
            storage=StorageType.FILE,
            allow_direct=True,
        )
    )
    await ensure_state(js, [LAST_SEQS_BUCKET], replicas=1, max_age_seconds=0)
    config = (await js.stream_info(storage.MESSAGES_STREAM)).config
    await nc.drain()
    assert (config.max_msgs_per_subject, config.allow_rollup_hdrs, config.allow_msg_ttl) == (
        REVISIONS_KEPT,
        True,
        True,
    )
