"""Retention: how many messages a chat keeps and for how long, and what a page says about it.

Two limits, both off by default (``CHATBUS_RETENTION_*``):

- by age: the stream's own ``max_age``; JetStream removes expired messages;
- by count per chat: every message has its own subject, so the stream's
  per-subject limit cannot count them. After every ``purge_every``-th append
  a chat is purged down to its newest ``max_messages_per_chat`` (one purge
  of ``chat.store.<c>.>`` up to where its oldest kept message was appended).
  Between purges a chat may hold up to ``purge_every - 1`` more; history
  hides them already, so what a reader sees does not depend on when the last
  purge ran.

A history page whose range reaches below the chat's oldest kept message says
so with ``truncated``; its ``more`` never leads below that message, so a
client catching up skips the removed range in one step.
"""

import logging
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from services.contracts import storage, subjects
from services.core.settings import Settings
from services.storage.jetstream import last_seq
from services.storage.newest_seqs import end_of_run

log = logging.getLogger("chatbus.retention")

# Purge a chat once per this share of its limit: 10 purges per limit's worth of sends.
PURGES_PER_LIMIT = 10


@dataclass(frozen=True)
class Retention:
    """How long messages stay, and how many a chat keeps; 0 means no limit.

    Built from ``Settings`` (``from_settings``), where the defaults are.
    """

    max_age_seconds: float
    max_messages_per_chat: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "Retention":
        """The limits from ``CHATBUS_RETENTION_MAX_AGE_SECONDS`` and ``..._MESSAGES_PER_CHAT``."""
        return cls(
            max_age_seconds=settings.retention_max_age_seconds,
            max_messages_per_chat=settings.retention_max_messages_per_chat,
        )

    @property
    def expires(self) -> bool:
        """Whether messages expire by age (and so a chat can lose even its newest)."""
        return self.max_age_seconds > 0

    @property
    def purge_every(self) -> int:
        """Appends between two purges of one chat."""
        return max(1, self.max_messages_per_chat // PURGES_PER_LIMIT)

    def purge_due(self, seq: int) -> bool:
        """Whether the append that stored ``seq`` should purge its chat."""
        limit = self.max_messages_per_chat
        return limit > 0 and seq > limit and seq % self.purge_every == 0

    def oldest_kept(self, newest: int, oldest_stored: int) -> int:
        """The seq of a chat's oldest readable message (``newest + 1`` when none is)."""
        if self.max_messages_per_chat:
            return max(oldest_stored, newest - self.max_messages_per_chat + 1)
        return oldest_stored


# No limit either way: every message stays.
KEEP_ALL = Retention(max_age_seconds=0.0, max_messages_per_chat=0)


@dataclass(frozen=True)
class PagePlan:
    """Which seqs a history page reads, and what it tells the reader."""

    first: int
    last: int
    more: bool
    truncated: bool

    @property
    def seqs(self) -> range:
        """The seqs to read, ascending (empty when there is nothing to read)."""
        return range(self.first, self.last + 1)


def plan_page(
    *, newest: int, oldest: int, before: int | None, after: int | None, limit: int
) -> PagePlan:
    """The page of seqs ``(after, before)`` of a chat holding ``oldest..newest``.

    With ``after`` the page runs forward from ``after + 1``, else backward from
    ``before - 1`` (or the newest). ``truncated``: the range asked for reaches
    below ``oldest`` (messages there were removed by retention). ``more``:
    readable messages remain beyond the page in its direction.
    """
    upper = newest if before is None else min(newest, before - 1)
    if after is not None:
        lowest_asked = after + 1
        first = max(lowest_asked, oldest)
        last = min(upper, first + limit - 1)
        more = last < upper
    else:
        lowest_asked = max(1, upper - limit + 1)
        first = max(lowest_asked, oldest)
        last = upper
        more = first > oldest
    truncated = lowest_asked < oldest and lowest_asked <= upper
    if last < first:
        return PagePlan(first=first, last=first - 1, more=False, truncated=truncated)
    return PagePlan(first=first, last=last, more=more, truncated=truncated)


async def oldest_stored_seq(js: JetStreamContext, chat_id: str) -> int | None:
    """The seq of a chat's oldest message still in the stream; None when it has none.

    The chat's first write in the stream is a stored message, but not always the
    oldest: a message rolled up (deleted) or revised past the revisions kept has
    its first stored revision further on. So the run is followed down from it.
    """
    try:
        first = await js.get_msg(
            storage.MESSAGES_STREAM,
            seq=1,
            subject=subjects.stored_messages(chat_id),
            direct=True,
            next=True,
        )
    except NotFoundError:
        return None
    seq = int((first.subject or "").rsplit(".", 1)[1])
    return await end_of_run(js, chat_id, seq, step=-1) if seq > 1 else seq


async def purge_chat(
    js: JetStreamContext, chat_id: str, keep: int, newest: int | None = None
) -> None:
    """Remove all but a chat's newest ``keep`` messages (every revision of the others),
    and the thread index entries of what goes. ``newest``: the chat's newest seq, when
    the caller knows it.

    By message, not by write: a purge keeping the newest ``keep`` writes would count
    each revision as a message. Everything of the chat written before the oldest kept
    message was appended goes: every revision of every older message but those
    written since (an edit of a message then among the newest ``keep``). History
    hides those already, and a later purge takes them once the messages appended
    after them are the oldest kept, so a chat never holds more than twice its limit.
    """
    if keep <= 0:
        await js.purge_stream(storage.MESSAGES_STREAM, subject=subjects.stored_chat(chat_id))
        return
    if newest is None:
        newest, _ = await last_seq(js, chat_id)
    oldest_kept = newest - keep + 1
    if oldest_kept <= 1:
        return
    try:
        current = await js.get_last_msg(
            storage.MESSAGES_STREAM, subjects.stored_message(chat_id, oldest_kept), direct=True
        )
    except NotFoundError:
        return  # gone already (purged by another replica, or expired)
    appended_at = int((current.headers or {}).get(storage.REVISION_OF_HEADER) or current.seq or 0)
    if appended_at:
        await js.purge_stream(
            storage.MESSAGES_STREAM, subject=subjects.stored_chat(chat_id), seq=appended_at
        )
