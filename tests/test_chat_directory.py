"""Who sees which chat, from the chats service's index, on a real nats-server.

The index follows the watched copy's changes one chat at a time; these tests
check it against every chat in the copy after each kind of change.
"""

import random

import pytest
from nats.aio.client import Client

from services import kvmirror
from services.chat_records import ChatRecord
from services.chats.directory import ChatDirectory
from services.contracts import utc_now
from services.contracts.storage import CHATS_BUCKET
from services.jetstream import open_bucket

from .support import wait_until

USERS = ["ann", "bob", "cy", "dee"]


def visible(directory: ChatDirectory, username: str) -> set[tuple[str, int]]:
    return {(record.id, revision) for record, revision in directory.visible_to(username)}


def expected(directory: ChatDirectory, username: str) -> set[tuple[str, int]]:
    # Every chat in the copy, asked one by one (the index's own copy, read without it).
    return {
        (record.id, revision)
        for record, revision in directory._mirror.entries()
        if record.can_see(username)
    }


def a_chat(chooser: random.Random, n: int) -> ChatRecord:
    return ChatRecord(
        id=f"chat-{n}",
        name=f"chat {n}",
        private=chooser.random() < 0.5,
        owner="ann",
        members=chooser.sample(USERS, chooser.randint(1, len(USERS))),
        created_at=utc_now(),
    )


@pytest.mark.parametrize("kept", [kvmirror.CHANGES_KEPT, 3])
async def test_the_index_shows_each_user_what_a_scan_of_every_chat_would(
    nc: Client, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    # With 3 changes kept, the index is often further behind than that and starts afresh.
    monkeypatch.setattr(kvmirror, "CHANGES_KEPT", kept)
    bucket = await open_bucket(nc.jetstream(), CHATS_BUCKET)
    directory = ChatDirectory(bucket)
    await directory.start()
    chooser = random.Random(kept)
    try:
        for step in range(100):
            n = chooser.randrange(12)
            action = chooser.choice(["create", "change", "another program", "delete", "read"])
            if action == "create":
                await directory.create(a_chat(chooser, n))
            elif action == "change" and directory._mirror.get(f"chat-{n}") is not None:
                members = chooser.sample(USERS, chooser.randint(1, len(USERS)))
                private = chooser.random() < 0.5
                await directory.change(
                    f"chat-{n}",
                    lambda record, m=members, p=private: record.model_copy(
                        update={"members": m, "private": p}
                    ),
                )
            elif action == "another program":
                # Written past this process: the copy hears of it from its watch.
                value = a_chat(chooser, n).model_dump_json().encode()
                revision = await bucket.put(f"chat-{n}", value)

                async def heard(key: str = f"chat-{n}", at: int = revision) -> bool:
                    known = directory._mirror.entry(key)
                    return known is not None and known[1] >= at

                await wait_until(heard)
            elif action == "delete":
                await bucket.delete(f"chat-{n}")

                async def gone(key: str = f"chat-{n}") -> bool:
                    return directory._mirror.entry(key) is None

                await wait_until(gone)
            if step % 5 == 4:  # several changes between reads, more than 3 at times
                for user in USERS:
                    assert visible(directory, user) == expected(directory, user), (step, user)
    finally:
        await directory.stop()
