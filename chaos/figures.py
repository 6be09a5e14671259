"""What a chaos run measured, checked against what the chat stored.

``audit`` compares the senders' view (what they sent, what was acknowledged
as which seq, what was pushed to them live) with the chat's history read back
through ``messages:history``, and ``Figures.table`` prints the result.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .clients import Send, Sender

__all__ = ["Figures", "audit"]


@dataclass
class Figures:
    """The numbers one scenario is judged by."""

    scenario: str
    sent: int = 0
    acked: int = 0
    stored: int = 0
    # Acknowledged, or sent, but not in history.
    lost_acked: int = 0
    never_stored: int = 0
    # The same message (same text) stored more than once.
    duplicates: int = 0
    # Seqs missing from 1..newest, and acks whose seq holds another message.
    gaps: int = 0
    wrong_acks: int = 0
    # The same seq pushed twice to one client, or one message pushed under two seqs.
    visible_duplicates: int = 0
    attempts: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    # Retried sends whose ack was a message stored during an earlier attempt.
    redeliveries: int = 0
    tracebacks: int = 0
    resume_seconds: list[float] = field(default_factory=list)
    exit_seconds: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        """Acknowledged messages missing from history."""
        return self.lost_acked

    def table(self) -> str:
        """The figures as an aligned two-column table."""
        rows: list[tuple[str, str]] = [
            ("scenario", self.scenario),
            ("sent", str(self.sent)),
            ("acked", str(self.acked)),
            ("stored", str(self.stored)),
            ("lost (acked, not stored)", str(self.lost_acked)),
            ("never stored (sent)", str(self.never_stored)),
            ("duplicates stored", str(self.duplicates)),
            ("gaps in seqs", str(self.gaps)),
            ("acks naming another seq", str(self.wrong_acks)),
            ("duplicates seen by clients", str(self.visible_duplicates)),
            ("send attempts", str(self.attempts)),
            ("failed attempts", _counts(self.failures)),
            ("redeliveries (stored, re-sent)", str(self.redeliveries)),
            ("tracebacks in logs", str(self.tracebacks)),
        ]
        if self.resume_seconds:
            rows.append(("resume s (max / each)", _seconds(self.resume_seconds)))
        for role, seconds in self.exit_seconds.items():
            rows.append((f"exit s after SIGTERM: {role}", f"{seconds:.2f}"))
        rows += [(key, str(value)) for key, value in self.extra.items()]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def audit(
    figures: Figures,
    sends: Sequence[Send],
    history: Sequence[dict[str, Any]],
    listeners: Iterable[Sender] = (),
    *,
    chat_id: str,
) -> Figures:
    """Fill ``figures`` from what was sent and what ``history`` (the whole chat) holds."""
    texts = Counter(message["text"] for message in history)
    by_seq = {message["seq"]: message for message in history}
    ours = {send.text for send in sends}
    figures.sent = len(sends)
    figures.acked = sum(1 for send in sends if send.acked is not None)
    figures.stored = sum(1 for text in texts if text in ours)
    figures.lost_acked = sum(1 for send in sends if send.acked and texts[send.text] == 0)
    figures.never_stored = sum(1 for send in sends if texts[send.text] == 0)
    figures.duplicates = sum(count - 1 for count in texts.values() if count > 1)
    newest = max(by_seq, default=0)
    figures.gaps = newest - len(by_seq) + (len(history) - len(by_seq))
    figures.wrong_acks = sum(
        1
        for send in sends
        if send.acked and by_seq.get(send.acked["seq"], {}).get("text") != send.text
    )
    figures.attempts = sum(send.attempts for send in sends)
    for send in sends:
        figures.failures.update(send.failures)
    figures.redeliveries = sum(1 for send in sends if send.stored_before_last_attempt)
    figures.visible_duplicates = sum(
        _pushed_twice(listener.messages, chat_id) for listener in listeners
    )
    return figures


def _pushed_twice(pushed: Sequence[dict[str, Any]], chat_id: str) -> int:
    in_chat = [message for message in pushed if message["chat_id"] == chat_id]
    seqs = Counter(message["seq"] for message in in_chat)
    texts = Counter(message["text"] for message in in_chat)
    return sum(count - 1 for count in seqs.values() if count > 1) + sum(
        count - 1 for count in texts.values() if count > 1
    )


def _counts(counter: Counter[str]) -> str:
    if not counter:
        return "0"
    total = sum(counter.values())
    return f"{total}: " + "; ".join(f"{count} {why}" for why, count in counter.most_common())


def _seconds(values: Sequence[float]) -> str:
    each = " ".join(f"{value:.2f}" for value in values)
    return f"{max(values):.2f} / {each}"
