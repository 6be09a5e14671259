"""Reading a page of a chat's history in one or two round trips.

One request finds the chat's newest seq; one batched direct get
(``multi_get``) reads the whole page, plus the message just below it. With a
cursor (``before`` or ``after``) the page most likely lies where the cursor
says, so both go at once; the newest page needs the newest seq first.
Where the chat starts now is not looked up: a chat's stored messages are
always one run of seqs (retention removes only the oldest), so the page
shows it. The message below a backward page being there means ``more``; the
page's first message being there means nothing the page asks for is gone.
Only when retention removed the page's first message does a page take more
round trips: to find the chat's oldest message and read the page again.
"""

import asyncio
from collections.abc import Iterable

from nats.js import JetStreamContext

from services.contracts import HistoryPage, Message, storage, subjects
from services.jetstream import last_seq

from .multi_get import last_for_each
from .retention import Retention, oldest_stored_seq, plan_page

__all__ = ["read_page"]


async def read_page(
    js: JetStreamContext,
    retention: Retention,
    chat_id: str,
    *,
    before: int | None,
    after: int | None,
    limit: int,
) -> HistoryPage:
    """Up to ``limit`` messages of a chat between ``after`` and ``before``, ascending.

    What ``MessageArchive.page`` promises: see there, and ``plan_page``.
    """
    likely = _likely_seqs(before=before, after=after, limit=limit)
    if likely is None:
        newest, _ = await last_seq(js, chat_id)
        found: dict[int, Message] = {}
    else:
        # A cursor says where the page most likely is: read it while the newest seq is found.
        (newest, _), found = await asyncio.gather(last_seq(js, chat_id), _read(js, chat_id, likely))
    asked = set(likely or ())
    # The oldest seq retention by count still shows; messages below it may be stored.
    oldest = retention.oldest_kept(newest, 1)
    plan = plan_page(newest=newest, oldest=oldest, before=before, after=after, limit=limit)
    if not plan.seqs:
        # Nothing to read; truncated and more already hold whatever the chat's oldest is.
        return HistoryPage(messages=[], more=plan.more, truncated=plan.truncated)
    # A backward page says more when a message below it is still there.
    below = plan.first - 1 if after is None and plan.more else None
    wanted = [*([] if below is None else [below]), *plan.seqs]
    found |= await _read(js, chat_id, [seq for seq in wanted if seq not in asked])
    asked.update(wanted)
    more = plan.more if below is None else below in found
    if plan.first not in found and not any(seq < plan.first for seq in found):
        # Retention removed the page's first messages: the page starts at the chat's
        # oldest message now (none stored: the chat is empty, its seqs go on).
        kept = [seq for seq in found if seq <= plan.last]
        stored = min(kept) if kept else await oldest_stored_seq(js, chat_id)
        oldest = retention.oldest_kept(newest, newest + 1 if stored is None else stored)
        plan = plan_page(newest=newest, oldest=oldest, before=before, after=after, limit=limit)
        found |= await _read(js, chat_id, [seq for seq in plan.seqs if seq not in asked])
        more = plan.more
    messages = [found[seq] for seq in plan.seqs if seq in found]
    # A message missing inside the page expired while we read: say so too.
    truncated = plan.truncated or len(messages) < len(plan.seqs)
    return HistoryPage(messages=messages, more=more, truncated=truncated)


def _likely_seqs(*, before: int | None, after: int | None, limit: int) -> range | None:
    """The seqs a page with this cursor reads when the chat holds them all (and the one below).

    None without a cursor: the newest page is found from the newest seq.
    """
    if after is not None:
        end = after + limit + 1
        return range(after + 1, end if before is None else min(before, end))
    if before is not None:
        return range(max(1, before - limit - 1), before)
    return None


async def _read(js: JetStreamContext, chat_id: str, seqs: Iterable[int]) -> dict[int, Message]:
    """The chat's messages with these seqs that are still stored, by seq."""
    seq_of = {subjects.stored_message(chat_id, seq): seq for seq in seqs}
    if not seq_of:
        return {}
    stored = await last_for_each(js, storage.MESSAGES_STREAM, list(seq_of))
    return {seq_of[subject]: Message.model_validate_json(data) for subject, data in stored.items()}
