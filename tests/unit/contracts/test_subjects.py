"""Inbox subjects: the only reply subjects a service answers on, and each program's own prefix."""

import pytest

from services.contracts import subjects

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


def test_room_event_subjects_round_trip() -> None:
    assert subjects.room_event("general", "typing") == "chat.room.general.typing"
    assert subjects.parse_room_event("chat.room.general.typing") == ("general", "typing")
    assert subjects.presence("alice") == "chat.presence.alice"


@pytest.mark.parametrize(
    "subject", ["chat.room.general", "chat.room.a.b.message", "chat.presence.alice", "x.room.g.m"]
)
def test_subjects_that_are_not_room_events_are_not_parsed_as_one(subject: str) -> None:
    assert subjects.parse_room_event(subject) is None
