"""Reading a page of a chat's history in two round trips.

The first finds the chat's newest seq; the second reads the whole page with
one batched direct get (``multi_get``), plus the message just below it.
Where the chat starts now is not looked up: a chat's stored messages are
always one run of seqs (retention removes only the oldest), so the page
shows it. The message below a backward page being there means ``more``; the
page's first message being there means nothing the page asks for is gone.
Only when retention removed the page's first message does a page take more
round trips: to find the chat's oldest message and read the page again.
"""

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
    newest, _ = await last_seq(js, chat_id)
    # The oldest seq retention by count still shows; messages below it may be stored.
    oldest = retention.oldest_kept(newest, 1)
    plan = plan_page(newest=newest, oldest=oldest, before=before, after=after, limit=limit)
    if not plan.seqs:
        # Nothing to read; truncated and more already hold whatever the chat's oldest is.
        return HistoryPage(messages=[], more=plan.more, truncated=plan.truncated)
    # A backward page says more when a message below it is still there.
    below = plan.first - 1 if after is None and plan.more else None
    found = await _read(js, chat_id, [*([] if below is None else [below]), *plan.seqs])
    more = plan.more if below is None else below in found
    if plan.first not in found and below not in found:
        # Retention removed the page's first messages: the page starts at the chat's
        # oldest message now (none stored: the chat is empty, its seqs go on).
        stored = min(found) if found else await oldest_stored_seq(js, chat_id)
        oldest = retention.oldest_kept(newest, newest + 1 if stored is None else stored)
        asked = set(plan.seqs)
        plan = plan_page(newest=newest, oldest=oldest, before=before, after=after, limit=limit)
        found |= await _read(js, chat_id, [seq for seq in plan.seqs if seq not in asked])
        more = plan.more
    messages = [found[seq] for seq in plan.seqs if seq in found]
    # A message missing inside the page expired while we read: say so too.
    truncated = plan.truncated or len(messages) < len(plan.seqs)
    return HistoryPage(messages=messages, more=more, truncated=truncated)


async def _read(js: JetStreamContext, chat_id: str, seqs: Iterable[int]) -> dict[int, Message]:
    """The chat's messages with these seqs that are still stored, by seq."""
    seq_of = {subjects.stored_message(chat_id, seq): seq for seq in seqs}
    if not seq_of:
        return {}
    stored = await last_for_each(js, storage.MESSAGES_STREAM, list(seq_of))
    return {seq_of[subject]: Message.model_validate_json(data) for subject, data in stored.items()}
