"""The message stream: appending with per-chat seqs, and reading pages by seq.

Message ``n`` of chat ``c`` is kept under ``chat.store.<c>.<n>``. An append of
``n`` is conditional (JetStream's expected-last-subject-sequence), so two
replicas never give out the same seq; the loser reads again and retries:

- while nothing is ever removed from a chat but by age, the condition is that
  ``chat.store.<c>.<n>`` is still empty. nats-server checks that in one lookup.
  It keeps seqs contiguous as long as ``n - 1`` is known to be stored and nothing
  newer can have expired since (see ``_trusted_newest``);
- with a count limit per chat, purges remove old seqs, and an empty subject no
  longer proves ``n`` was never given out. The condition is then that the chat's
  newest message (``chat.store.<c>.*``) is the one read. nats-server finds it by
  matching every subject of the chat, which the limit keeps bounded; without one,
  that check would cost more the more the chat holds (benchmarks/FINDINGS.md, "An
  append checks that its own seq is still free"; ``python -m benchmarks.append_cost
  --wildcard-check``).

The ``Nats-Msg-Id`` header makes a retried send store nothing new. Retention
(``retention.py``) trims chats after appends and shapes what pages say.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.errors import APIError

from services.contracts import HistoryPage, Message, storage, subjects
from services.core.errors import Unavailable
from services.storage.jetstream import last_seq, record_last_seq
from services.storage.newest_seqs import NewestSeqHints, newest_near

from .pages import PROBE, read_page
from .retention import KEEP_ALL, Retention, purge_chat

log = logging.getLogger("chatbus.archive")

WRONG_LAST_SEQUENCE = 10071
# The same conflict as a replicated stream (CHATBUS_REPLICAS=3) often reports it: its
# leader refuses before proposing, saying "wrong last sequence" without the number.
# Not retried, it reached clients as "storage is unavailable" under concurrent writers.
WRONG_LAST_SEQUENCE_CLUSTERED = 10164
MAX_APPEND_ATTEMPTS = 50
# Appends to one chat take turns within a process (a chat maps to one of these locks):
# racing our own workers only burns attempts, and a burst of concurrent sends to one chat
# could use up MAX_APPEND_ATTEMPTS. Other replicas are still kept apart by the expected seq.
APPEND_TURNS = 64
# An append whose ack is lost (nats-server died under it) holds its chat's turn until this
# runs out; the client retries with the same client_id and Nats-Msg-Id stores it once.
APPEND_ACK_TIMEOUT = 2.0


class Newest(NamedTuple):
    """A chat's newest stored message as this process saw it, and when (monotonic seconds)."""

    seq: int
    stream_seq: int
    seen_at: float


class MessageArchive:
    """Every chat's messages, in order."""

    def __init__(self, js: JetStreamContext, retention: Retention | None = None) -> None:
        self._js = js
        self._retention = retention or KEEP_ALL
        self._newest: dict[str, Newest] = {}
        # Where reads of a chat's newest seq look first (besides ``_newest``): what pages found.
        self._seen_in_pages = NewestSeqHints()
        self._turns = [asyncio.Lock() for _ in range(APPEND_TURNS)]

    async def append(
        self,
        draft: Message,
        dedupe_key: str,
        then: Callable[[Message], Awaitable[None]] | None = None,
    ) -> tuple[Message, bool]:
        """Store ``draft`` as its chat's next message.

        Returns the message as stored and whether it is new (False: a retry of
        one already stored, which is returned instead). ``then`` runs with a new
        message before the chat's next append here: a reply takes its place in its
        thread in the order of the seqs this process gives out.
        """
        async with self._turns[hash(draft.chat_id) % APPEND_TURNS]:
            message, is_new = await self._append(draft, dedupe_key)
            if is_new and then is not None:
                await then(message)
        if is_new and self._retention.purge_due(message.seq):
            await self._trim(message.chat_id, message.seq)
        return message, is_new

    async def _append(self, draft: Message, dedupe_key: str) -> tuple[Message, bool]:
        chat_id = draft.chat_id
        # A seq known to be stored, to look for the newest near: a page's, then a lost race's.
        stored = self._hint(chat_id)
        for _ in range(MAX_APPEND_ATTEMPTS):
            newest = self._trusted_newest(chat_id) or await self._read_newest(chat_id, stored)
            message = draft.model_copy(update={"seq": newest.seq + 1})
            sent_at = time.monotonic()
            try:
                ack = await self._js.publish(
                    subjects.stored_message(chat_id, message.seq),
                    message.model_dump_json().encode(),
                    headers={storage.MSG_ID_HEADER: dedupe_key, **self._condition(chat_id, newest)},
                    timeout=APPEND_ACK_TIMEOUT,
                )
            except APIError as error:
                if error.err_code in (WRONG_LAST_SEQUENCE, WRONG_LAST_SEQUENCE_CLUSTERED):
                    self._newest.pop(chat_id, None)  # another writer got there first
                    stored = message.seq
                    continue
                raise
            if ack.duplicate:
                return await self._stored(ack.seq), False
            self._newest[chat_id] = Newest(message.seq, ack.seq, sent_at)
            if self._retention.expires:
                # Once age empties the chat, its seqs go on from here. Written after the
                # message: written before, a lost race would leave a gap in the seqs.
                await record_last_seq(self._js, chat_id, message.seq)
            return message, True
        raise Unavailable("the chat is too busy right now; try again")

    def _trusted_newest(self, chat_id: str) -> Newest | None:
        """The newest message this process knows of, if an append may build on it.

        It may be stale when another replica appended since: the append's condition
        then fails and the chat is read again. But once that newer message is gone
        too, nothing would fail, and its seq would be given out a second time. Age
        removes a chat's messages oldest first, so a message written after this one
        was seen cannot have expired within half the max age of seeing it.
        """
        newest = self._newest.get(chat_id)
        max_age = self._retention.max_age_seconds
        if newest is not None and max_age and time.monotonic() - newest.seen_at > max_age / 2:
            return None
        return newest

    async def _read_newest(self, chat_id: str, stored: int) -> Newest:
        """The chat's newest message now; near ``stored`` (a seq seen stored, or 0) if it can.

        Only the chat seq is found that way, without its stream seq, which only the
        condition under a count limit needs.
        """
        seen_at = time.monotonic()  # before the read: what it returns was newest by then
        if stored and not self._retention.max_messages_per_chat:
            near = await newest_near(self._js, {chat_id: stored}, PROBE)
            if chat_id in near:
                return Newest(near[chat_id], 0, seen_at)
        seq, stream_seq = await last_seq(self._js, chat_id)
        return Newest(seq, stream_seq, seen_at)

    def _condition(self, chat_id: str, newest: Newest) -> dict[str, str]:
        """The headers that make appending ``newest.seq + 1`` fail unless it is next."""
        if self._retention.max_messages_per_chat:
            return {
                storage.EXPECTED_LAST_SUBJECT_SEQ: str(newest.stream_seq),
                storage.EXPECTED_LAST_SUBJECT: subjects.stored_messages(chat_id),
            }
        return {storage.EXPECTED_LAST_SUBJECT_SEQ: "0"}  # its own subject holds nothing yet

    async def page(
        self, chat_id: str, *, before: int | None, after: int | None, limit: int
    ) -> HistoryPage:
        """Up to ``limit`` messages between ``after`` and ``before`` (exclusive), ascending.

        With ``after`` the page starts right after it; otherwise it ends right
        before ``before`` (or at the newest message).
        """
        page, newest = await read_page(
            self._js,
            self._retention,
            chat_id,
            before=before,
            after=after,
            limit=limit,
            hint=self._hint(chat_id) or None,
        )
        self._seen_in_pages.learn({chat_id: newest})
        return page

    def _hint(self, chat_id: str) -> int:
        """The newest seq of the chat this process saw stored, by an append or a page; or 0."""
        newest = self._newest.get(chat_id)
        return max(newest.seq if newest else 0, self._seen_in_pages.get(chat_id))

    async def _trim(self, chat_id: str, newest: int) -> None:
        """Purge the chat down to its limit; a failure waits for the next due purge."""
        try:
            await purge_chat(
                self._js, chat_id, self._retention.max_messages_per_chat, newest=newest
            )
        except NatsError as error:
            # The send itself succeeded, and history already hides what is over the limit.
            log.warning("could not trim chat %s: %s", chat_id, error)

    async def _stored(self, stream_seq: int) -> Message:
        stored = await self._js.get_msg(storage.MESSAGES_STREAM, seq=stream_seq, direct=True)
        return Message.model_validate_json(stored.data or b"")
