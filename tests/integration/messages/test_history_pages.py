"""History pages read in one batched request say exactly what reading message by message said.

Real nats-server; messages stored through ``MessageArchive.append`` (so with the
headers real messages carry). The reference reads a page the plain way: the chat's
oldest stored seq looked up, then one direct get per seq.
"""

import asyncio
import itertools

import nats
import nats.errors
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from services.contracts import HistoryPage, Message, storage, subjects
from services.messages.archive import MessageArchive
from services.messages.pages import PROBE
from services.messages.retention import (
    KEEP_ALL,
    Retention,
    oldest_stored_seq,
    plan_page,
    purge_chat,
)
from services.storage.jetstream import last_seq
from services.storage.multi_get import last_for_each
from tests.support.stored_messages import store_messages

CHAT = "pages"
STORED = 120
BEFORES = [None, 1, 2, 11, 50, 90, 91, 92, 100, 120, 121, 200]
AFTERS = [None, 0, 10, 60, 89, 90, 91, 110, 119, 120, 150]
LIMITS = [1, 10, 50]


async def page_read_one_by_one(
    js: JetStreamContext, retention: Retention, before: int | None, after: int | None, limit: int
) -> HistoryPage:
    """A page read the plain way, one direct get per seq: what the batched read must match."""
    newest, _ = await last_seq(js, CHAT)
    stored = await oldest_stored_seq(js, CHAT) if newest else 1
    oldest = retention.oldest_kept(newest, newest + 1 if stored is None else stored)
    plan = plan_page(newest=newest, oldest=oldest, before=before, after=after, limit=limit)

    async def read(seq: int) -> Message | None:
        subject = subjects.stored_message(CHAT, seq)
        try:
            message = await js.get_msg(storage.MESSAGES_STREAM, subject=subject, direct=True)
        except NotFoundError:
            return None
        return Message.model_validate_json(message.data or b"")

    found = await asyncio.gather(*(read(seq) for seq in plan.seqs))
    messages = [message for message in found if message is not None]
    truncated = plan.truncated or len(messages) < len(found)
    return HistoryPage(messages=messages, more=plan.more, truncated=truncated)


async def assert_pages_match_reference(
    js: JetStreamContext, retention: Retention, archive: MessageArchive | None = None
) -> int:
    """Every cursor's page equals the reference's; how many of them were truncated."""
    archive = archive or MessageArchive(js, retention)
    truncated = 0
    for before, after, limit in itertools.product(BEFORES, AFTERS, LIMITS):
        if before is not None and after is not None and after >= before:
            continue  # refused before it reaches the archive
        page = await archive.page(CHAT, before=before, after=after, limit=limit)
        expected = await page_read_one_by_one(js, retention, before, after, limit)
        assert page == expected, (before, after, limit)
        truncated += page.truncated
    return truncated


async def test_pages_of_a_whole_chat_match_reading_message_by_message(
    js: JetStreamContext,
) -> None:
    await store_messages(js, CHAT, STORED)
    assert await assert_pages_match_reference(js, KEEP_ALL) == 0


async def test_pages_match_when_another_replica_appended_since_the_last_page(
    js: JetStreamContext,
) -> None:
    # The reader looks for the newest seq just above the newest it saw: first found there,
    # then too far above it for that look (PROBE), then gone below the chat's oldest.
    reader = MessageArchive(js)
    await store_messages(js, CHAT, STORED)
    await assert_pages_match_reference(js, KEEP_ALL, reader)
    await store_messages(js, CHAT, PROBE // 2, first=STORED + 1)
    await assert_pages_match_reference(js, KEEP_ALL, reader)
    await store_messages(js, CHAT, 2 * PROBE, first=STORED + PROBE // 2 + 1)
    await assert_pages_match_reference(js, KEEP_ALL, reader)
    newest = STORED + PROBE // 2 + 2 * PROBE
    await purge_chat(js, CHAT, keep=3)
    assert await assert_pages_match_reference(js, KEEP_ALL, reader) > 0
    page = await reader.page(CHAT, before=None, after=None, limit=50)
    assert [m.seq for m in page.messages] == list(range(newest - 2, newest + 1))
    await purge_chat(js, CHAT, keep=0)  # the newest it saw is gone too
    emptied = await reader.page(CHAT, before=None, after=None, limit=50)
    assert emptied == HistoryPage(messages=[], more=False, truncated=False)


async def test_pages_after_a_purge_match_and_start_at_the_oldest_kept_message(
    js: JetStreamContext,
) -> None:
    await store_messages(js, CHAT, STORED)
    await purge_chat(js, CHAT, keep=30)  # 91..120 stay

    assert await assert_pages_match_reference(js, KEEP_ALL) > 0
    page = await MessageArchive(js).page(CHAT, before=None, after=10, limit=10)
    assert [m.seq for m in page.messages] == list(range(91, 101))
    assert (page.more, page.truncated) == (True, True)


async def test_pages_hide_messages_over_the_count_limit_that_are_still_stored(
    js: JetStreamContext,
) -> None:
    await store_messages(js, CHAT, STORED)  # stored without purges: 1..120, the limit shows 96..120

    assert (
        await assert_pages_match_reference(
            js, Retention(max_age_seconds=0.0, max_messages_per_chat=25)
        )
        > 0
    )


async def test_pages_of_an_empty_chat_and_of_a_chat_that_never_was(
    js: JetStreamContext,
) -> None:
    await store_messages(js, CHAT, 3)
    await purge_chat(js, CHAT, keep=0)
    archive = MessageArchive(js)

    emptied = await archive.page(CHAT, before=None, after=None, limit=50)
    never = await archive.page("nobody-here", before=None, after=5, limit=50)

    # The emptied chat's newest seq is gone with its messages (no age limit recorded it).
    assert emptied == HistoryPage(messages=[], more=False, truncated=False)
    assert never == HistoryPage(messages=[], more=False, truncated=False)


async def test_batched_read_returns_only_stored_subjects_in_one_request(
    js: JetStreamContext,
) -> None:
    await store_messages(js, CHAT, 5)
    await store_messages(js, "other", 2)
    wanted = [subjects.stored_message(CHAT, seq) for seq in (0, 2, 4, 6)]

    found = await last_for_each(js, storage.MESSAGES_STREAM, wanted)
    nothing = await last_for_each(js, storage.MESSAGES_STREAM, wanted[:1])

    seqs = {subject: Message.model_validate_json(data).seq for subject, data in found.items()}
    assert seqs == {wanted[1]: 2, wanted[2]: 4}
    assert nothing == {}


async def test_batched_read_of_a_stream_nobody_serves_fails_as_a_direct_get_would(
    js: JetStreamContext,
) -> None:
    with pytest.raises(nats.errors.NoRespondersError):
        await last_for_each(js, "NO_SUCH_STREAM", [subjects.stored_message(CHAT, 1)])
