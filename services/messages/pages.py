"""Reading a page of a chat's history in one or two round trips.

A page needs the chat's newest seq, and one batched direct get (``multi_get``)
reads the whole page, plus the message just below it. With a cursor
(``before`` or ``after``) the page most likely lies where the cursor says.

The newest seq is found from a hint when there is one: a seq this process saw
stored. One batched read of the hint, the ``PROBE`` seqs above it and the
likely page shows it most often (``services/storage/newest_seqs.py``); otherwise the
last message on ``chat.store.<c>.*`` is read, which costs more as the chat grows.
Where the chat starts now is not looked up: a chat's stored messages are
always one run of seqs (retention removes only the oldest), so the page
shows it. The message below a backward page being there means ``more``; the
page's first message being there means nothing the page asks for is gone.
Only when retention removed the page's first message does a page take more
round trips: to find the chat's oldest message and read the page again.

A page also stops at ``MAX_PAGE_BYTES`` of messages, measured as the reply
encodes them (``encoded_size``), whatever they hold: control characters, which an
older chatbus or a program writing to the stream directly may have stored, take up
to six bytes each. A forward page keeps its first
messages, a backward one its last, and says ``more``: the next page, from the
last (or first) message kept, goes on where this one stopped.
"""

import asyncio
import json
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from nats.js import JetStreamContext

from services.contracts import HistoryPage, Message, storage, subjects
from services.contracts.fields import MAX_PAGE_BYTES
from services.storage.jetstream import last_seq
from services.storage.multi_get import last_for_each
from services.storage.newest_seqs import top_of_run

from .retention import Retention, oldest_stored_seq, plan_page

__all__ = [
    "MAX_PAGE_BYTES",
    "PROBE",
    "Stored",
    "encoded_size",
    "fitting",
    "read_page",
    "read_stored",
]

# Seqs above the hint read to find where the chat ends now. Another replica's
# appends since the hint was seen make it stale; past this many, the slow way.
PROBE = 32
# How much larger than its stored JSON a message can be as sent (see ``_surely_fit``)...
GROWTH_AS_SENT = 6
# ...plus what the reply adds beyond that: fields an older version did not store, sent
# with their defaults, and values stored in a shorter form (a time as a number).
DEFAULTS_AS_SENT = 1024


class Stored(NamedTuple):
    """A message as read from the stream, and how many bytes its stored JSON took."""

    message: Message
    stored_bytes: int


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
        (newest, _), found = await asyncio.gather(
            last_seq(js, chat_id), read_stored(js, chat_id, likely)
        )
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
    found |= await read_stored(js, chat_id, [seq for seq in wanted if seq not in asked])
    asked.update(wanted)
    more = plan.more if below is None else below in found
    if plan.first not in found and not any(seq < plan.first for seq in found):
        # Retention removed the page's first messages: the page starts at the chat's
        # oldest message now (none stored: the chat is empty, its seqs go on).
        kept = [seq for seq in found if seq <= plan.last]
        stored = min(kept) if kept else await oldest_stored_seq(js, chat_id)
        oldest = retention.oldest_kept(newest, newest + 1 if stored is None else stored)
        plan = plan_page(newest=newest, oldest=oldest, before=before, after=after, limit=limit)
        found |= await read_stored(js, chat_id, [seq for seq in plan.seqs if seq not in asked])
        more = plan.more
    on_page = [found[seq] for seq in plan.seqs if seq in found]
    shown = fitting(on_page, keep_last=after is None)
    messages = [message for message, _ in shown]
    covered = plan.seqs
    if len(shown) < len(on_page):
        more = True  # stopped at MAX_PAGE_BYTES: the rest is for the next page
        if after is None:
            covered = range(messages[0].seq, plan.last + 1)
        else:
            covered = range(plan.first, messages[-1].seq + 1)
    # A message missing inside the page expired while we read: say so too. A backward
    # page cut short no longer reaches down to where retention removed messages.
    reaches_removed = plan.truncated and covered.start == plan.first
    truncated = reaches_removed or len(messages) < len(covered)
    return HistoryPage(messages=messages, more=more, truncated=truncated), newest


def encoded_size(message: Message) -> int:
    """The bytes ``message`` takes in a page as sent.

    socket.io encodes its packets with the standard library's ``json.dumps``, which
    escapes DEL and every non-ASCII character (six bytes each, twelve outside the BMP):
    the larger of the two forms a page travels in. The reply on NATS is the same JSON
    in UTF-8 (pydantic's), never longer.
    """
    return len(json.dumps(message.model_dump(mode="json"), separators=(",", ":")))


def fitting(stored: Sequence[Stored], *, keep_last: bool) -> Sequence[Stored]:
    """The messages that fit in ``MAX_PAGE_BYTES``: the first ones, or with ``keep_last``
    the last ones; never none, so paging always moves on."""
    if _surely_fit(stored):
        return stored
    order = reversed(range(len(stored))) if keep_last else range(len(stored))
    total = 0
    count = 0
    for index in order:
        total += encoded_size(stored[index].message) + len(",")
        if total > MAX_PAGE_BYTES and count:
            break
        count += 1
    return stored[len(stored) - count :] if keep_last else stored[:count]


def _surely_fit(stored: Sequence[Stored]) -> bool:
    """Whether the page fits whatever its messages hold, without encoding them.

    Each byte of the stored JSON (pydantic's, in UTF-8) takes at most six as sent: an
    ASCII byte one, but DEL six; a character of two to four bytes in UTF-8 six or twelve.
    So ``GROWTH_AS_SENT`` times the stored size bounds a message. Nearly every page fits
    by far, and encoding each of its messages again would cost more than reading them.
    """
    bound = sum(GROWTH_AS_SENT * size + DEFAULTS_AS_SENT for _, size in stored)
    return bound <= MAX_PAGE_BYTES


async def _newest_from_hint(
    js: JetStreamContext, chat_id: str, hint: int, likely: range | None, limit: int
) -> tuple[int, dict[int, Stored], set[int]]:
    """The newest seq, the messages read on the way by seq, and the seqs asked for.

    The likely page is read in the same request; without a cursor, so is the page
    that ends at the hint, which is most often the newest page itself.
    """
    ending_at_hint = range(max(1, hint - limit), hint) if likely is None else range(0)
    asked = {*(likely or ()), *ending_at_hint, *range(hint, hint + PROBE + 1)}
    found = await read_stored(js, chat_id, asked)
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


async def read_stored(js: JetStreamContext, chat_id: str, seqs: Iterable[int]) -> dict[int, Stored]:
    """The chat's messages with these seqs that are still stored, by seq."""
    seq_of = {subjects.stored_message(chat_id, seq): seq for seq in seqs}
    if not seq_of:
        return {}
    stored = await last_for_each(js, storage.MESSAGES_STREAM, list(seq_of))
    return {
        seq_of[subject]: Stored(Message.model_validate_json(data), len(data))
        for subject, data in stored.items()
    }
