"""How many unread mentions each user has in each chat, from a follow of the mentions stream.

The messages service stores each mention (``MentionRecord``, services/storage/mentions.py)
on ``chat.mentions.<username>`` in ``storage.MENTIONS_STREAM``. Whoever shows read state
follows that stream from its start with an ordered consumer and keeps, per user and chat,
the mentioned seqs; a count is then the seqs above the user's read marker (a bisection,
no read). Markers only move forward, so seqs at or below one are dropped when counted:
what stays is bounded by the unread mentions, and by what the stream itself keeps per user.
"""

import bisect
import contextlib
import logging

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from pydantic import ValidationError

from services.contracts import storage, subjects
from services.storage._natspy.flow_control import stop_subscription_flow_control_polling
from services.storage.mentions import MentionRecord

log = logging.getLogger("chatbus.mention_counts")


class MentionCounts:
    """Per user and chat, the seqs of the messages that mentioned them."""

    def __init__(self, js: JetStreamContext) -> None:
        self._js = js
        self._seqs: dict[str, dict[str, list[int]]] = {}
        self._subscription: JetStreamContext.PushSubscription | None = None

    async def start(self) -> None:
        """Follow the stream from its first mention."""
        self._subscription = await self._js.subscribe(
            subjects.ALL_STORED_MENTIONS,
            stream=storage.MENTIONS_STREAM,
            cb=self._mentioned,
            ordered_consumer=True,
            deliver_policy=DeliverPolicy.ALL,
        )
        stop_subscription_flow_control_polling(self._subscription)

    async def stop(self) -> None:
        """Stop following."""
        if self._subscription is not None:
            with contextlib.suppress(Exception):
                await self._subscription.unsubscribe()

    def unread(self, username: str, chat_id: str, read_seq: int) -> int:
        """How many mentions of ``username`` in ``chat_id`` are above ``read_seq``."""
        chats = self._seqs.get(username)
        seqs = chats.get(chat_id) if chats else None
        if not seqs:
            return 0
        del seqs[: bisect.bisect_right(seqs, read_seq)]
        return len(seqs)

    async def _mentioned(self, msg: Msg) -> None:
        try:
            mention = MentionRecord.model_validate_json(msg.data)
        except ValidationError:
            log.warning("ignored a malformed mention on %s", msg.subject)
            return
        username = msg.subject.rpartition(".")[2]
        seqs = self._seqs.setdefault(username, {}).setdefault(mention.chat_id, [])
        position = bisect.bisect_left(seqs, mention.seq)
        if position == len(seqs) or seqs[position] != mention.seq:
            seqs.insert(position, mention.seq)
