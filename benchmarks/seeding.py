"""Putting a scenario's users, chats and stored history into a running chatbus, fast.

Accounts go straight into the users bucket in the status service's own record
format (one Argon2id hash for all: hashing thousands of passwords would take
minutes and measure nothing the benchmark is about). Chats are created through
the chats service's own NATS commands, so they are exactly what it stores.
History is published straight into the message stream in the messages
service's stored format, pipelined, so a million messages take seconds.
"""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Iterable
from datetime import timedelta
from typing import Any

import nats.aio.client
from argon2 import PasswordHasher

from services.contracts import (
    CREATE_CHAT,
    INVITE_TO_CHAT,
    CreateChat,
    InviteToChat,
    Message,
    storage,
    subjects,
    utc_now,
)
from services.storage.account_records import AccountRecord
from services.storage.jetstream import open_bucket

__all__ = ["add_users", "create_chats", "store_history"]

AT_ONCE = 64
# CreateChat takes at most this many members besides the creator; the rest are invited.
MEMBERS_AT_CREATE = 100


async def _in_batches(calls: Iterable[Awaitable[Any]], size: int = AT_ONCE) -> list[Any]:
    results: list[Any] = []
    batch: list[Awaitable[Any]] = []
    for call in calls:
        batch.append(call)
        if len(batch) == size:
            results += await asyncio.gather(*batch)
            batch = []
    return results + list(await asyncio.gather(*batch))


async def add_users(nc: nats.aio.client.Client, usernames: list[str]) -> None:
    """Accounts for ``usernames``, written into the users bucket."""
    users = await open_bucket(nc.jetstream(), storage.USERS_BUCKET)
    password_hash = PasswordHasher().hash(uuid.uuid4().hex)
    now = utc_now()
    await _in_batches(
        users.put(
            name,
            AccountRecord(username=name, password_hash=password_hash, created_at=now)
            .model_dump_json()
            .encode(),
        )
        for name in usernames
    )


async def _command(nc: nats.aio.client.Client, subject: str, body: bytes) -> Any:
    reply = json.loads((await nc.request(subject, body, timeout=30)).data)
    if not reply.get("ok"):
        raise RuntimeError(f"{subject}: {reply}")
    return reply["data"]


async def create_chats(
    nc: nats.aio.client.Client, names: list[str], rooms: list[list[str]]
) -> list[str]:
    """One private chat per room, created by its first member; the chats' ids."""

    async def create(name: str, members: list[str]) -> str:
        owner, *others = members
        request = CreateChat(name=name, private=True, members=others[:MEMBERS_AT_CREATE])
        chat = await _command(
            nc, CREATE_CHAT.subject_for(owner), request.model_dump_json().encode()
        )
        for guest in others[MEMBERS_AT_CREATE:]:
            invite = InviteToChat(chat_id=chat["id"], username=guest)
            await _command(nc, INVITE_TO_CHAT.subject_for(owner), invite.model_dump_json().encode())
        return str(chat["id"])

    return await _in_batches(
        create(name, members) for name, members in zip(names, rooms, strict=True)
    )


async def store_history(
    nc: nats.aio.client.Client, chat_ids: list[str], sender: str, per_chat: int
) -> int:
    """``per_chat`` messages in each chat, seqs 1..per_chat; how many the stream took."""
    js = nc.jetstream(publish_async_max_pending=20_000)
    sent_at = utc_now() - timedelta(days=1)
    for chat_id in chat_ids:
        for seq in range(1, per_chat + 1):
            message = Message(
                chat_id=chat_id,
                seq=seq,
                id=uuid.uuid4().hex,
                sender=sender,
                text=f"stored message {seq} of {chat_id}",
                sent_at=sent_at,
                via="nats",
            )
            await js.publish_async(
                subjects.stored_message(chat_id, seq), message.model_dump_json().encode()
            )
    await asyncio.wait_for(js.publish_async_completed(), 300)
    info = await js.stream_info(storage.MESSAGES_STREAM)
    return int(info.state.messages)
