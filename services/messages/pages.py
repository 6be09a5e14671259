"""Reading a page of a chat's history in one or two round trips.

A page needs the chat's newest seq, and one batched direct get (``multi_get``)
reads the whole page, plus the message just below it. With a cursor
(``before`` or ``after``) the page most likely lies where the cursor says.

The newest seq is found from a hint when there is one: a seq this process saw
stored. One batched read of the hint, the ``PROBE`` seqs above it and the
likely page shows it most often (``services/newest_seqs.py``); otherwise the
last message on ``chat.store.<c>.*`` is read, which costs more as the chat grows.
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
from services.multi_get import last_for_each
from services.newest_seqs import top_of_run

from .retention import Retention, oldest_stored_seq, plan_page

__all__ = ["PROBE", "read_page"]

# Seqs above the hint read to find where the chat ends now. Another replica's
# appends since the hint was seen make it stale; past this many, the slow way.
PROBE = 32


async def read_page(
    js: JetStreamContext,
    retention: Retention,
    chat_id: str,
    *,
    before: int | None,
    after: int | None,
    limit: int,
    hint: int | None = None,
) -> tuple[HistoryPage, int]:
    """Up to ``limit`` messages of a chat between ``after`` and ``before``, ascending,
    and the chat's newest seq as the page found it.

    What ``MessageArchive.page`` promises: see there, and ``plan_page``. ``hint``:
    a seq of the chat seen stored, which spares the read of its newest message.
    """
    likely = _likely_seqs(before=before, after=after, limit=limit)
    if hint:
        newest, found, asked = await _newest_from_hint(js, chat_id, hint, likely, limit)
    elif likely is None:
        newest, _ = await last_seq(js, chat_id)
        found, asked = {}, set()
    else:
        # A cursor says where the page most likely is: read it while the newest seq is found.
        (newest, _), found = await asyncio.gather(last_seq(js, chat_id), _read(js, chat_id, likely))
        asked = set(likely)
    # The oldest seq retention by count still shows; messages below it may be stored.
    oldest = retention.oldest_kept(newest, 1)
    plan = plan_page(newest=newest, oldest=oldest, before=before, after=after, limit=limit)
    if not plan.seqs:
        # Nothing to read; truncated and more already hold whatever the chat's oldest is.
        return HistoryPage(messages=[], more=plan.more, truncated=plan.truncated), newest
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
    return HistoryPage(messages=messages, more=more, truncated=truncated), newest


async def _newest_from_hint(
    js: JetStreamContext, chat_id: str, hint: int, likely: range | None, limit: int
) -> tuple[int, dict[int, Message], set[int]]:
    """The newest seq, the messages read on the way by seq, and the seqs asked for.

    The likely page is read in the same request; without a cursor, so is the page
    that ends at the hint, which is most often the newest page itself.
    """
    ending_at_hint = range(max(1, hint - limit), hint) if likely is None else range(0)
    asked = {*(likely or ()), *ending_at_hint, *range(hint, hint + PROBE + 1)}
    found = await _read(js, chat_id, asked)
    newest = top_of_run(found.keys(), hint, asked)
    if newest is None:
        newest, _ = await last_seq(js, chat_id)
    return newest, found, asked


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
