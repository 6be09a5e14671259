"""Two replicas appending to one chat never give out a seq twice, whatever retention removed.

Real nats-server. Each ``MessageArchive`` stands for one messages replica: it
remembers the newest message it stored, and that memory goes stale when the
other replica appends. Every test makes one replica build on a stale memory and
checks that its message still gets the next seq, not one already given out.
"""

import asyncio

import pytest
from nats.js import JetStreamContext

from services.contracts import Message, storage, subjects
from services.messages.archive import MessageArchive
from services.messages.retention import Retention
from tests.support.polling import wait_until
from tests.support.stored_messages import (  # noqa: F401 (the module's fixtures)
    js_with_retention,
    message_draft,
    no_retention,
)

CHAT = "appends"


@pytest.fixture
def replicas(js: JetStreamContext, retention: Retention) -> tuple[MessageArchive, MessageArchive]:
    """Two messages replicas' archives, each with its own memory of the newest message."""
    return MessageArchive(js, retention), MessageArchive(js, retention)


async def append(archive: MessageArchive, text: str) -> int:
    """Append one message as a send does; the seq it was stored with."""
    message, is_new = await archive.append(message_draft(CHAT, text, text), dedupe_key=text)
    assert is_new
    return message.seq


async def stored_text(js: JetStreamContext, seq: int) -> str:
    stored = await js.get_msg(
        storage.MESSAGES_STREAM, subject=subjects.stored_message(CHAT, seq), direct=True
    )
    return Message.model_validate_json(stored.data or b"").text


async def test_a_replica_that_missed_an_append_takes_the_seq_after_it(
    js: JetStreamContext, replicas: tuple[MessageArchive, MessageArchive]
) -> None:
    first, second = replicas
    assert await append(first, "a1") == 1  # `first` now believes 1 is the newest
    assert await append(second, "b2") == 2
    assert await append(first, "a3") == 3  # not a second message under seq 2
    assert [await stored_text(js, seq) for seq in (1, 2, 3)] == ["a1", "b2", "a3"]

    # Both at once, racing for every seq: still every seq once, none skipped.
    texts = [f"{name}{n}" for n in range(20) for name in ("x", "y")]
    seqs = await asyncio.gather(
        *(append(first if text[0] == "x" else second, text) for text in texts)
    )
    assert sorted(seqs) == list(range(4, 44))
    assert {await stored_text(js, seq) for seq in seqs} == set(texts)


@pytest.mark.parametrize("retention", [Retention(max_age_seconds=0.0, max_messages_per_chat=1)])
async def test_a_stale_replica_does_not_reuse_a_seq_a_purge_removed(
    js: JetStreamContext, replicas: tuple[MessageArchive, MessageArchive]
) -> None:
    first, second = replicas
    assert await append(first, "a1") == 1
    assert await append(second, "b2") == 2
    assert await append(second, "b3") == 3  # the purge after it keeps 3 only: 2 is gone
    assert await append(first, "a4") == 4  # its memory says 1; seq 2 is free to take, and wrong
    assert await stored_text(js, 4) == "a4"


@pytest.mark.parametrize("retention", [Retention(max_age_seconds=1.0, max_messages_per_chat=0)])
async def test_a_stale_replica_does_not_reuse_a_seq_that_expired(
    js: JetStreamContext, replicas: tuple[MessageArchive, MessageArchive]
) -> None:
    first, second = replicas
    assert await append(first, "a1") == 1
    assert await append(second, "b2") == 2

    async def chat_is_empty() -> bool:
        info = await js.stream_info(
            storage.MESSAGES_STREAM, subjects_filter=subjects.stored_messages(CHAT)
        )
        return not info.state.subjects

    await wait_until(chat_is_empty, timeout=15, every=0.1)
    assert await append(first, "a3") == 3  # its memory says 1, and seq 2 has expired
