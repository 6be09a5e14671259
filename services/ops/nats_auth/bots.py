"""``chatbus bots add|list|remove``: a bot's account and its NATS user.

A bot is an account with no password (nobody logs in as it; it acts only over
NATS) and a NATS user allowed exactly a bot's rights (``roles.bot_user``).
Against the embedded server the user takes effect at once: the authorization
file is rewritten and the server reloads it; ``add`` returns once the bot can
connect, ``remove`` once it cannot (nats-server closes a removed user's
connections on reload). Against another NATS (``NATS_URL``) ``add`` prints the
entry for its nats.conf instead.

Every failure is a :class:`BotError`, one line on stderr::

    BotError          exit 1: NATS unreachable, a person's account of that name ...
     +-- BadBotName   exit 2: a name or chat id that cannot be right
"""

import re
from collections.abc import Awaitable, Sequence
from typing import TextIO

import nats
import nats.errors
from nats.js.errors import BucketNotFoundError, KeyWrongLastSequenceError, NotFoundError

from services.contracts import RESERVED_USERNAMES, is_username, storage, subjects, utc_now
from services.contracts.fields import CHAT_ID_PATTERN
from services.core.nats_urls import with_credentials, without_credentials
from services.core.settings import Settings
from services.ops.admin_connection import connect_once, embedded_admin_url
from services.ops.embedded_nats import LOOPBACK
from services.storage.account_records import AccountRecord

from .conf import password_variable, user_entry
from .credentials import BotEntry, CredentialsMissing, CredentialStore, new_password
from .embedded import (
    embedded_store,
    embedded_url,
    reload,
    running_server,
    until_connect,
    write_authorization,
)
from .roles import bot_user

__all__ = ["BadBotName", "BotError", "add_bot", "list_bots", "remove_bot"]

# Chats one bot may read, each a subject in its NATS user's permissions.
MAX_CHATS = 100


class BotError(Exception):
    """Why a bots command did nothing (one line for stderr)."""

    exit_code = 1


class BadBotName(BotError):
    """A bot name or chat id that cannot be right, found before anything changed."""

    exit_code = 2


def check_bot(name: str, chats: Sequence[str] = ()) -> None:
    """Refuse a name that is no username, a reserved name (a role's), or bad chat ids."""
    if not is_username(name):
        raise BadBotName(
            f"{name!r} is not a username (lowercase letters, digits, _ and -; 2-32 characters)"
        )
    if name in RESERVED_USERNAMES:
        raise BadBotName(f"{name!r} is reserved (a chatbus program's or the system's name)")
    for chat in chats:
        if not re.fullmatch(CHAT_ID_PATTERN, chat):
            raise BadBotName(f"{chat!r} is not a chat id (letters, digits, _ and -; 1-64)")
    if len(chats) > MAX_CHATS:
        raise BadBotName(f"a bot reads at most {MAX_CHATS} chats")


async def add_bot(settings: Settings, name: str, chats: Sequence[str], out: TextIO) -> None:
    """Create the bot's account and NATS user; print its ``NATS_URL=...`` line."""
    chats = list(dict.fromkeys(chats))  # each chat once, in the order given
    check_bot(name, chats)
    if settings.nats_url:
        password = new_password()
        await create_account(settings.nats_servers, name)
        _print_deploy_entry(settings, name, chats, password, out)
        return
    store = CredentialStore(settings.data_dir)
    server = running_server(embedded_store(settings))
    if server is None:
        raise BotError("the embedded nats-server is not running: start `chatbus up` first")
    await create_account([embedded_admin_url(settings, BotError)], name)
    try:
        with store.changing() as credentials:
            known = credentials.bots.get(name)
            password = known.password if known else new_password()
            credentials.bots[name] = BotEntry(password, tuple(chats))
            write_authorization(embedded_store(settings), credentials)
    except CredentialsMissing as missing:
        raise BotError(str(missing)) from None
    reload(server)
    url = embedded_url(settings, name)
    await _after_reload(until_connect(url))
    out.write(f"NATS_URL={url}\n")


async def remove_bot(settings: Settings, name: str, out: TextIO) -> None:
    """Revoke the bot's NATS user at once; its account stays (no login, its messages its own)."""
    _embedded_only(settings, "remove")
    check_bot(name)
    try:
        with CredentialStore(settings.data_dir).changing() as credentials:
            removed = credentials.bots.pop(name, None)
            if removed is None:
                raise BotError(f"no bot {name!r} (see `chatbus bots list`)")
            write_authorization(embedded_store(settings), credentials)
    except CredentialsMissing as missing:
        raise BotError(str(missing)) from None
    server = running_server(embedded_store(settings))
    if server is not None:
        reload(server)
        url = with_credentials(f"nats://{LOOPBACK}:{server.port}", name, removed.password)
        await _after_reload(until_connect(url, refused=True))
    out.write(f"removed {name}: its NATS user is revoked and its connections are closed\n")


def list_bots(settings: Settings, out: TextIO) -> None:
    """Each bot of the embedded server and the chats whose rooms it reads."""
    _embedded_only(settings, "list")
    try:
        bots = CredentialStore(settings.data_dir).load().bots
    except CredentialsMissing as missing:
        raise BotError(str(missing)) from None
    if not bots:
        out.write("no bots (add one with `chatbus bots add NAME --chat ID`)\n")
        return
    width = max(len("NAME"), *(len(name) for name in bots))
    out.write(f"{'NAME':<{width}}  CHATS\n")
    for name, bot in sorted(bots.items()):
        out.write(f"{name:<{width}}  {', '.join(bot.chats) or '-'}\n")


async def create_account(servers: list[str], name: str) -> None:
    """The bot's account in the users bucket, with no password; a person's name is refused."""
    record = AccountRecord(username=name, created_at=utc_now())
    nc = await connect_once(servers, "chatbus-bots", BotError)
    try:
        js = nc.jetstream()
        try:
            users = await js.key_value(storage.USERS_BUCKET)
        except BucketNotFoundError:
            raise BotError("no users bucket yet: start chatbus's status service first") from None
        try:
            await users.create(name, record.model_dump_json().encode())
        except KeyWrongLastSequenceError:
            entry = await users.get(name)
            existing = AccountRecord.model_validate_json(entry.value or b"{}")
            if existing.password_hash is not None:
                raise BotError(f"{name!r} is a person's account; choose another name") from None
    except (nats.errors.Error, NotFoundError) as error:
        raise BotError(f"NATS failed while creating the account: {error!r}") from None
    finally:
        await nc.close()


async def _after_reload(waiting: Awaitable[None]) -> None:
    try:
        await waiting
    except TimeoutError as error:
        raise BotError(f"nats-server did not apply the change: {error}") from None


def _embedded_only(settings: Settings, verb: str) -> None:
    if settings.nats_url:
        raise BadBotName(
            f"`chatbus bots {verb}` manages the embedded nats-server's bots; with NATS_URL set, "
            "bots are users in your nats.conf (see deploy/nats.conf)"
        )


def _print_deploy_entry(
    settings: Settings, name: str, chats: Sequence[str], password: str, out: TextIO
) -> None:
    """What to add to an external nats.conf (deploy/nats.conf's form), and the bot's URL."""
    variable = password_variable(name)
    out.write("# Add this user to authorization.users in your nats.conf (deploy/nats.conf):\n")
    for line in user_entry(bot_user(name, chats), f"${variable}"):
        out.write(line + "\n")
    out.write(
        f'# and "{subjects.inbox_of(name)}" to the publish allow lists of chats, messages and\n'
        f"# status; give nats-server {variable}={password} and reload it\n"
        "# (nats-server --signal reload=<pid>).\n"
    )
    urls = [
        with_credentials(without_credentials(url), name, password) for url in settings.nats_servers
    ]
    out.write(f"NATS_URL={','.join(urls)}\n")
