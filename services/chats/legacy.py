"""Chats stored by the first edition, which kept every member inside the chat's record.

Such a record grows with its chat until it no longer fits a NATS message, and every
join rewrites all of it. On start the chats service gives each member of such a
record a membership key of its own (``services/storage/chat_records.py``), then writes the
record again without its members. Each step can run again after a crash: a
membership already written is left as it is.
"""

import json
import logging

from nats.js.errors import KeyWrongLastSequenceError, NoKeysError
from nats.js.kv import KeyValue

from services.contracts import ChatRole
from services.storage.chat_records import ChatRecord, MemberRecord, MemberStatus, member_key

log = logging.getLogger("chatbus.chats.legacy")


async def move_members_out_of_records(bucket: KeyValue) -> int:
    """Rewrite every first-edition chat record in ``bucket``; how many there were."""
    try:
        keys = await bucket.keys()
    except NoKeysError:
        return 0
    moved = 0
    for key in keys:
        if "." in key:
            continue  # a membership
        entry = await bucket.get(key)
        if not entry.value:
            continue
        stored = json.loads(entry.value)
        if not isinstance(stored, dict) or "members" not in stored:
            continue
        record = ChatRecord.model_validate(stored)
        members = [name for name in stored.get("members") or [] if isinstance(name, str)]
        invited = [name for name in stored.get("invited") or [] if isinstance(name, str)]
        for username in dict.fromkeys([*members, *invited]):
            status: MemberStatus = "member" if username in members else "left"
            role: ChatRole = "owner" if username == record.owner else "member"
            membership = MemberRecord(role=role, joined_at=record.created_at, status=status)
            try:
                await bucket.create(
                    member_key(record.id, username), membership.model_dump_json().encode()
                )
            except KeyWrongLastSequenceError:
                pass  # written by an earlier, interrupted run
        try:
            await bucket.update(key, record.model_dump_json().encode(), last=entry.revision)
        except KeyWrongLastSequenceError:
            continue  # changed meanwhile by another replica, which moves it itself
        moved += 1
    if moved:
        log.info("moved the members of %d chats into membership keys", moved)
    return moved
