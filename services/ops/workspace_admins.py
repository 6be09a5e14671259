"""``chatbus admin grant|revoke USERNAME``: who is a workspace administrator.

A workspace admin may deactivate users (``users:deactivate``) and delete any message.
The role is the ``role`` field of the user's account in the users bucket; this writes
it as the embedded server's admin NATS user, or over ``NATS_URL`` (whose credentials
must allow writing the users bucket), with compare-and-set so a login or profile change
at the same moment is not lost. The first admin is made this way, on the server's host.

Every failure is an :class:`AdminError`, one line on stderr, exit status 1.
"""

from typing import TextIO

import nats.errors
from nats.aio.client import Client
from nats.js.errors import BucketNotFoundError, KeyWrongLastSequenceError, NotFoundError

from services.contracts import UserRole, is_username, storage
from services.core.settings import Settings
from services.ops.admin_connection import connect_once, embedded_admin_url
from services.storage.account_records import read_account

__all__ = ["AdminError", "set_role"]

MAX_WRITES = 20


class AdminError(Exception):
    """Why ``chatbus admin`` changed nothing (one line for stderr)."""

    exit_code = 1


async def set_role(settings: Settings, username: str, role: UserRole, out: TextIO) -> None:
    """Give ``username`` the workspace role ``role``; say what changed on ``out``."""
    if not is_username(username):
        raise AdminError(f"{username!r} is not a username")
    if settings.nats_url:
        servers = settings.nats_servers
    else:
        servers = [embedded_admin_url(settings, AdminError)]
    nc = await connect_once(servers, "chatbus-admin", AdminError)
    try:
        changed = await _write_role(nc, username, role)
    except (nats.errors.Error, NotFoundError) as error:
        raise AdminError(f"NATS failed while writing the account: {error!r}") from None
    finally:
        await nc.close()
    what = "a workspace admin" if role == "admin" else "no longer a workspace admin"
    out.write(f"{username} is {what}{'' if changed else ' (as before)'}\n")


async def _write_role(nc: Client, username: str, role: UserRole) -> bool:
    try:
        users = await nc.jetstream().key_value(storage.USERS_BUCKET)
    except BucketNotFoundError:
        raise AdminError("no users bucket yet: start chatbus's status service first") from None
    for _ in range(MAX_WRITES):
        record, revision = await read_account(users, username)
        if record is None:
            raise AdminError(f"no user named {username!r} (they register first)")
        if record.role == role:
            return False
        updated = record.model_copy(update={"role": role})
        try:
            await users.update(username, updated.model_dump_json().encode(), last=revision)
        except KeyWrongLastSequenceError:
            continue  # the account changed meanwhile: apply the role to what is there now
        return True
    raise AdminError("the account kept changing; try again")
