"""Direct messages: one private chat per pair of users, made on first use.

Its id is derived from the sorted pair, so however many chats services two users
reach at the same moment, their creates race for one key and exactly one wins
(a create-only write): the losers read the winner's chat. It is private, of kind
``dm``, named ``a,b``; nobody joins or is invited into it, and nobody is kicked.
"""

import base64
import hashlib

from services.contracts import Chat, OpenDm, utc_now
from services.core.errors import Forbidden, InvalidInput, NotFound
from services.storage.account_records import read_account
from services.storage.chat_records import ChatRecord

from .rules import ChatRules

DM_PREFIX = "dm-"


def dm_id(first: str, second: str) -> str:
    """The id of the DM between two users, whichever of them asks.

    A hash, not the names: two usernames can be longer together than a chat id may be.
    """
    pair = "\0".join(sorted((first, second))).encode()
    digest = base64.b32encode(hashlib.sha256(pair).digest()).decode().rstrip("=").lower()
    return DM_PREFIX + digest[:32]


async def open_dm(chats: ChatRules, username: str, request: OpenDm) -> Chat:
    """The DM between ``username`` and ``request.username``, created if need be."""
    other = request.username
    if other == username:
        raise InvalidInput("a direct message is with someone else")
    await chats.require_registered(username)
    account, _ = await read_account(chats.users, other)
    if account is None:
        raise NotFound(f"no user named {other}")
    if account.deactivated:
        raise Forbidden(f"{other} is deactivated")
    first, second = sorted((username, other))
    chat_id = dm_id(first, second)
    record = chats.directory.copy.chat(chat_id)
    created = False
    if record is None:
        draft = ChatRecord(
            id=chat_id,
            name=f"{first},{second}",
            kind="dm",
            private=True,
            owner=username,
            created_at=utc_now(),
        )
        created = await chats.directory.create(draft) is not None
        record = draft if created else (await chats.directory.get(chat_id))[0]
    for member in (first, second):
        if await chats.current_membership(record.id, member) is None:
            await chats.add_member(record, member, invited=True, read_from=0 if created else -1)
    chat = (await chats.as_chats([record]))[0]
    if created:
        await chats.announce_chat(chat, everyone=False)
    return chat
