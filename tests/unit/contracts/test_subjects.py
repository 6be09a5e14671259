"""Inbox subjects: the only reply subjects a service answers on, and each program's own prefix."""

import pytest

from services.contracts import subjects
from services.runtime.log_budget import LogBudget

INBOXES = [
    "_INBOX.abc",
    "_INBOX.Zx9kQ2.1",
    "_INBOX_edge.Zx9kQ2r7",
    "_INBOX_weatherbot.a.b.c",
    "_INBOX_ops-2.x",
    "_INBOX_a_b.x",
]
NOT_INBOXES = [
    "",
    "_INBOX",
    "_INBOX.",
    "_INBOX..a",
    "_INBOX.a.",
    "_INBOX.>",
    "_INBOX.*",
    "_INBOX_weatherbot.>",
    "_INBOX_.a",
    "_INBOX_we.ather.*",
    "_INBOXES.a",
    "_inbox.a",
    "_INBOX_bad name.a",
    "_INBOX_bad$name.a",
    "x._INBOX.a",
    "$KV.chat_users.alice",
    "$KV.chat_chats.general",
    "$JS.API.STREAM.PURGE.CHAT_MESSAGES",
    "$O.files.C.x",
    "chat.store.general.12",
    "chat.room.general.message",
    "chat.user.alice.chat",
    "_INBOX.a b",
]


@pytest.mark.parametrize("subject", INBOXES)
def test_inbox_subjects_are_inboxes(subject: str) -> None:
    assert subjects.is_inbox(subject)


@pytest.mark.parametrize("subject", NOT_INBOXES)
def test_other_subjects_are_not_inboxes(subject: str) -> None:
    assert not subjects.is_inbox(subject)


def test_a_programs_inbox_prefix_is_named_for_it() -> None:
    assert subjects.inbox_prefix("edge") == "_INBOX_edge"
    assert subjects.inbox_of("weatherbot") == "_INBOX_weatherbot.>"
    assert subjects.is_inbox(subjects.inbox_prefix("ops") + ".Zx9")
    for bad in ("", "a.b", "a*", ">", "a b"):
        with pytest.raises(ValueError):
            subjects.inbox_prefix(bad)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_log_budget_logs_its_lines_per_window_and_counts_the_rest() -> None:
    clock = Clock()
    budget = LogBudget(3, 60.0, clock=clock)
    assert [budget.take() for _ in range(1000)] == [0, 0, 0] + [None] * 997
    clock.now += 59.9
    assert budget.take() is None
    clock.now += 0.1
    # The window's first line tells how many went unlogged before it.
    assert [budget.take() for _ in range(4)] == [998, 0, 0, None]


def test_a_log_budget_needs_a_line_and_a_window() -> None:
    for lines, window in ((0, 60.0), (1, 0.0)):
        with pytest.raises(ValueError):
            LogBudget(lines, window)
