"""Revisions of a stored message: an edit, a reaction, a thread's count, a delete.

A message's subject ``chat.store.<c>.<n>`` holds its revisions, the current one
last (the stream keeps ``REVISIONS_KEPT``). A revision is written on the one read
(expected last subject sequence): when another writer got there first, the change
is applied again to what it wrote, so two concurrent changes both land, in some
order, and neither is lost.

Every revision but the first says where the first was appended
(``REVISION_OF_HEADER``): readers of a chat's newest seq tell a revision from a new
message by it, and a count purge finds where a message began. While messages expire
by age, a revision expires with the message it revises (a per-message TTL), so an
edit never keeps one message alive among expired ones.

Earlier texts travel in each revision (``StoredMessage.earlier``, the last
``MAX_EARLIER_TEXTS``), not as earlier revisions of the stream: reactions and
thread counts write revisions too, and a storm of them would push every earlier
text out of a per-subject limit.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError
from pydantic import Field

from services.contracts import Message, storage, subjects, utc_now
from services.contracts.messages import MessageRevision
from services.core.errors import NotFound, Unavailable

from .archive import WRONG_LAST_SEQUENCE, WRONG_LAST_SEQUENCE_CLUSTERED
from .retention import Retention

# Earlier texts an edited message keeps, the oldest dropped first.
MAX_EARLIER_TEXTS = 10
# Writes of one message that lose a race before one wins (a reaction storm).
MAX_REVISE_ATTEMPTS = 100


class StoredMessage(Message):
    """A message as its current revision stores it: the message and its earlier texts."""

    earlier: list[MessageRevision] = Field(default_factory=list)

    def public(self) -> Message:
        """The message as readers get it, without its earlier texts."""
        fields = {name: getattr(self, name) for name in Message.model_fields}
        return Message.model_construct(**fields)


@dataclass(frozen=True)
class Current:
    """A message's current revision, where it is in the stream, and where it began."""

    message: StoredMessage
    stream_seq: int
    appended_at: int


# Given the current message, the next revision; None when there is nothing to change.
Change = Callable[[StoredMessage], StoredMessage | None]


async def read_current(js: JetStreamContext, chat_id: str, seq: int) -> Current | None:
    """The message's current revision; None when the chat holds no message ``seq``."""
    try:
        stored = await js.get_last_msg(
            storage.MESSAGES_STREAM, subjects.stored_message(chat_id, seq), direct=True
        )
    except NotFoundError:
        return None
    stream_seq = stored.seq or 0
    appended_at = int((stored.headers or {}).get(storage.REVISION_OF_HEADER) or stream_seq)
    return Current(StoredMessage.model_validate_json(stored.data or b""), stream_seq, appended_at)


async def revise(
    js: JetStreamContext,
    retention: Retention,
    chat_id: str,
    seq: int,
    change: Change,
    *,
    rollup: bool = False,
) -> tuple[StoredMessage, StoredMessage | None]:
    """Write ``change`` of message ``seq`` as its next revision, again on a lost race.

    Returns the revision it applied to and the one written (None: nothing changed).
    ``rollup``: the revision replaces every earlier one (a delete). Raises
    ``NotFound`` when there is no such message, and whatever ``change`` raises.
    """
    for _ in range(MAX_REVISE_ATTEMPTS):
        current = await read_current(js, chat_id, seq)
        if current is None:
            raise NotFound("no such message")
        revised = change(current.message)
        if revised is None:
            return current.message, None
        headers = {
            storage.EXPECTED_LAST_SUBJECT_SEQ: str(current.stream_seq),
            storage.REVISION_OF_HEADER: str(current.appended_at),
            **_expiry(retention, current.message),
        }
        if rollup:
            headers[storage.ROLLUP_HEADER] = storage.ROLLUP_SUBJECT
        try:
            await js.publish(
                subjects.stored_message(chat_id, seq),
                revised.model_dump_json().encode(),
                headers=headers,
            )
        except APIError as error:
            if error.err_code in (WRONG_LAST_SEQUENCE, WRONG_LAST_SEQUENCE_CLUSTERED):
                continue  # another revision landed first: apply the change to it
            raise
        return current.message, revised
    raise Unavailable("the message is too busy right now; try again")


def _expiry(retention: Retention, message: Message) -> dict[str, str]:
    """A TTL header that makes a revision expire when its message does (nothing: no max age)."""
    if not retention.expires:
        return {}
    left = retention.max_age_seconds - (utc_now() - message.sent_at).total_seconds()
    if left < 1:
        raise NotFound("no such message")  # it expires this second
    return {storage.TTL_HEADER: f"{math.ceil(left)}s"}
