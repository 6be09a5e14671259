"""The copy of the chats bucket and its indexes, on a real nats-server.

The indexes follow the copy's changes one key at a time; these tests check them
against a scan of every key in the copy after each kind of change, written by
this process or by another program.
"""

import random

import pytest
from nats.aio.client import Client

from services.chats.directory import ChatDirectory
from services.contracts import utc_now
from services.contracts.storage import CHATS_BUCKET
from services.storage import bucket_copy
from services.storage.chat_records import ChatRecord, MemberRecord, member_key, split_key
from services.storage.jetstream import open_bucket
from tests.support.polling import wait_until

USERS = ["ann", "bob", "cy", "dee"]
CHATS = [f"chat-{n}" for n in range(8)]


def scanned(directory: ChatDirectory) -> dict[str, object]:
    """What the indexes should say, from every key in the copy, asked one by one."""
    entries = {
        key: entry
        for key in directory.copy._copy.keys()
        if (entry := directory.copy._copy.entry(key)) is not None
    }
    members: dict[str, list[str]] = {}
    chats_of: dict[str, dict[str, int]] = {}
    revisions: dict[str, int] = {}
    for key, (value, revision) in entries.items():
        chat_id, username = split_key(key)
        revisions[chat_id] = max(revisions.get(chat_id, 0), revision)
        if isinstance(value, MemberRecord) and value.active and username:
            members.setdefault(chat_id, []).append(username)
            chats_of.setdefault(username, {})[chat_id] = revision
    public = sorted(
        (value.name.casefold(), value.id)
        for value, _ in entries.values()
        if isinstance(value, ChatRecord) and not value.private and value.kind == "channel"
    )
    return {
        "members": {chat: sorted(names) for chat, names in members.items()},
        "chats_of": chats_of,
        "revisions": revisions,
        "public": [chat_id for _, chat_id in public],
    }


def indexed(directory: ChatDirectory) -> dict[str, object]:
    """What the indexes say."""
    copy = directory.copy
    members = {}
    for chat_id in CHATS:
        page, more = copy.members_after(chat_id, None, 100)
        assert not more
        if page:
            members[chat_id] = [name for name, _ in page]
            assert copy.member_count(chat_id) == len(page)
    public, more = copy.public_after(None, None, 100) or ([], True)
    assert not more
    return {
        "members": members,
        "chats_of": {user: copy.chats_of(user) for user in USERS if copy.chats_of(user)},
        "revisions": {chat: copy.revision(chat) for chat in CHATS if copy.revision(chat)},
        "public": [record.id for record in public],
    }


def a_chat(chooser: random.Random, chat_id: str) -> ChatRecord:
    return ChatRecord(
        id=chat_id,
        name=chooser.choice(["alpha", "Beta", "gamma", "beta"]),
        private=chooser.random() < 0.4,
        owner="ann",
        created_at=utc_now(),
    )


def a_membership(chooser: random.Random) -> MemberRecord:
    status = chooser.choice(["member", "member", "left", "kicked"])
    return MemberRecord(role="member", joined_at=utc_now(), status=status)  # type: ignore[arg-type]


@pytest.mark.parametrize("kept", [bucket_copy.CHANGES_KEPT, 3])
async def test_the_indexes_say_what_a_scan_of_every_key_would(
    nc: Client, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    monkeypatch.setattr(bucket_copy, "CHANGES_KEPT", kept)
    bucket = await open_bucket(nc.jetstream(), CHATS_BUCKET)
    directory = ChatDirectory(bucket)
    await directory.start()
    chooser = random.Random(kept)
    try:
        for step in range(120):
            chat_id = chooser.choice(CHATS)
            user = chooser.choice(USERS)
            action = chooser.choice(["create", "rename", "member", "another program"])
            if action == "create":
                await directory.create(a_chat(chooser, chat_id))
            elif action == "rename" and directory.copy.chat(chat_id) is not None:
                name = chooser.choice(["delta", "Alpha", "omega"])
                await directory.change(
                    chat_id, lambda record, n=name: record.model_copy(update={"name": n})
                )
            elif action == "member":
                membership = a_membership(chooser)
                await directory.change_membership(chat_id, user, lambda _, m=membership: m)
            elif action == "another program":
                # Written past this process: the copy hears of it from its watch.
                if chooser.random() < 0.5:
                    key, value = chat_id, a_chat(chooser, chat_id).model_dump_json()
                else:
                    key, value = member_key(chat_id, user), a_membership(chooser).model_dump_json()
                revision = await bucket.put(key, value.encode())

                async def heard(at: int = revision) -> bool:
                    return directory.copy.delivered_revision >= at

                await wait_until(heard)
            if step % 6 == 5:
                assert indexed(directory) == scanned(directory), step
        # A reload (a lost watch) derives the same indexes afresh.
        before = indexed(directory)
        directory.copy.reloaded()
        assert indexed(directory) == before == scanned(directory)
    finally:
        await directory.stop()


async def test_browsing_pages_public_channels_by_name_and_filters_them(nc: Client) -> None:
    bucket = await open_bucket(nc.jetstream(), CHATS_BUCKET)
    directory = ChatDirectory(bucket)
    await directory.start()
    try:
        names = ["Kitchen", "books", "Bicycles", "kites", "secret"]
        for n, name in enumerate(names):
            record = ChatRecord(
                id=f"c{n}", name=name, private=name == "secret", owner="ann", created_at=utc_now()
            )
            await directory.create(record)
        copy = directory.copy
        first, more = copy.public_after(None, None, 2) or ([], False)
        assert [r.name for r in first] == ["Bicycles", "books"] and more
        rest, more = copy.public_after(None, first[-1].id, 10) or ([], True)
        assert [r.name for r in rest] == ["Kitchen", "kites"] and not more
        found, more = copy.public_after("KI", None, 10) or ([], True)
        assert [r.name for r in found] == ["Kitchen", "kites"] and not more
        assert copy.public_after(None, "c4", 10) is None  # the private one is no cursor
    finally:
        await directory.stop()
