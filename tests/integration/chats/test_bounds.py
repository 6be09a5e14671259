"""No account can make the chats of others too big to list or to connect with.

A ``chats:list`` that carried every public chat with all its members, which every
connect waits for, would outgrow NATS's max payload with 96 accounts in 300 public
chats, and refuse every connect from then on. Here that state is written straight
into the chats bucket (as that many joins would leave it), then a new
user connects and lists; and a victim made a member of as many chats as anyone may be,
with the longest names and topics there can be, still lists them in one reply.
"""

import asyncio
import time

import pytest
from nats.aio.client import Client

from services.chats import rules
from services.contracts import storage, utc_now
from services.storage.chat_records import ChatRecord, MemberRecord, member_key
from services.storage.jetstream import open_bucket
from tests.support.clients import Users

ATTACKERS = 96
PUBLIC_CHATS = 300


async def write_all(nc: Client, entries: dict[str, bytes]) -> None:
    """Put every key into the chats bucket, many publishes in flight at once."""
    bucket = await open_bucket(nc.jetstream(), storage.CHATS_BUCKET)
    items = list(entries.items())
    for start in range(0, len(items), 500):
        await asyncio.gather(*(bucket.put(key, value) for key, value in items[start : start + 500]))


async def test_a_crowd_in_hundreds_of_public_chats_locks_nobody_out(
    users: Users, nc: Client
) -> None:
    attackers = [await users.register() for _ in range(ATTACKERS)]
    now = utc_now()
    entries: dict[str, bytes] = {}
    for n in range(PUBLIC_CHATS):
        chat_id = f"crowded-{n}"
        record = ChatRecord(
            id=chat_id, name=f"crowded {n}", private=False, owner=attackers[0], created_at=now
        )
        entries[chat_id] = record.model_dump_json().encode()
        for attacker in attackers:
            membership = MemberRecord(role="member", joined_at=now)
            entries[member_key(chat_id, attacker)] = membership.model_dump_json().encode()
    await write_all(nc, entries)

    started = time.perf_counter()
    newcomer = await users.connect()
    listed = await newcomer.ok("chats:list")
    elapsed = time.perf_counter() - started
    print(f"connect and list with {len(entries):,} keys in the bucket: {elapsed * 1000:.0f} ms")

    assert listed == []
    page = await newcomer.ok("chats:browse", {"query": "crowded", "limit": 100})
    assert len(page["chats"]) == 100 and page["more"] is True
    assert all(chat["member_count"] == ATTACKERS for chat in page["chats"])
    attacker = await users.connect(attackers[-1])
    assert len(await attacker.ok("chats:list")) == PUBLIC_CHATS


@pytest.mark.parametrize("width", [1, 4], ids=["ascii", "four-byte-characters"])
async def test_a_victim_in_as_many_chats_as_allowed_still_lists_and_connects(
    users: Users, nc: Client, width: int
) -> None:
    victim = await users.register()
    owner = await users.register()
    now = utc_now()
    letter = "x" if width == 1 else "\U0001f600"
    entries: dict[str, bytes] = {}
    for n in range(rules.MAX_MEMBERSHIPS):
        chat_id = f"trap-{n:04d}-{'a' * 50}"
        record = ChatRecord(
            id=chat_id,
            name=letter * 80,
            private=True,
            owner=owner,
            topic=letter * 250,
            pinned=list(range(10**9, 10**9 + 50)),
            created_at=now,
        )
        entries[chat_id] = record.model_dump_json().encode()
        entries[member_key(chat_id, victim)] = (
            MemberRecord(role="member", joined_at=now).model_dump_json().encode()
        )
    await write_all(nc, entries)

    client = await users.connect(victim)
    listed = await client.ok("chats:list")

    assert len(listed) == rules.MAX_MEMBERSHIPS
    size = len(str(listed).encode())
    print(f"chats:list of {len(listed)} worst-case chats: about {size / 1024:.0f} KiB")
    assert nc.max_payload > size
