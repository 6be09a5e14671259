"""Who may publish and subscribe what on NATS: every chatbus program's user, and a bot's.

The one definition: deploy/nats.conf's authorization block is rendered from it
(``services.ops.nats_auth.conf``, a test fails when the file is stale), and so is
the embedded nats-server's under ``chatbus up``. Whatever is not allowed is
denied. Adding a program is one ``Role`` in ``ROLES``; a handler service
(``answers=True``) may reply to every program that sends commands
(``asks=True``) and to every bot, on their inbox prefixes only.

JetStream's API, per stream S, as nats-py and FastStream use it::

    $JS.API.STREAM.INFO.S, $JS.API.STREAM.CREATE.S (UPDATE, PURGE)   open or create
    $JS.API.DIRECT.GET.S and $JS.API.DIRECT.GET.S.>                 direct reads
    $JS.API.STREAM.MSG.GET.S                                        reads (not direct)
    $JS.API.CONSUMER.CREATE.S(.>), CONSUMER.INFO.S.*, DELETE.S.>     KV watches
    $JS.FC.S.>                                                      watch flow control

and ``$JS.API.INFO`` (the account's limits). A key-value bucket B is the stream
KV_B; writing key K is publishing on ``$KV.B.K``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.contracts import (
    LIST_CHATS,
    LIST_PRESENCE,
    MESSAGE_HISTORY,
    SYSTEM_USER,
    storage,
    subjects,
)
from services.storage.jetstream import KV_STREAM_PREFIX, LAST_SEQS_BUCKET

__all__ = [
    "READINESS_PROBES",
    "ROLES",
    "ROLE_NAMES",
    "NatsUser",
    "Permissions",
    "Role",
    "bot_user",
    "role",
    "users",
]

# A command each service answers (for the reserved user, any answer proves it is subscribed):
# what `chatbus up` waits on and `chatbus status` asks, so all the ops user may send.
READINESS_PROBES = {
    "chats": LIST_CHATS.subject_for(SYSTEM_USER),
    "messages": MESSAGE_HISTORY.subject_for(SYSTEM_USER),
    "status": LIST_PRESENCE.subject_for(SYSTEM_USER),
}

ACCOUNT_INFO = "$JS.API.INFO"
STREAM_LIST = "$JS.API.STREAM.LIST"
# Never to a bot, whatever its allow lists say (kept explicit for whoever edits a bot's entry).
BOT_DENIED = ("$JS.>", "$KV.>", "chat.store.>", "chat.auth.>", "chat.conn.>")


@dataclass(frozen=True)
class Permissions:
    """What a NATS user may publish and subscribe to; everything else is denied."""

    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    publish_denied: tuple[str, ...] = ()
    subscribe_denied: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    """A chatbus program with a NATS user of its own.

    ``publish`` and ``subscribe`` hold its own subjects; its inbox prefix
    (``_INBOX_<name>.>``) is added to what it subscribes, and a handler service
    (``answers``) also publishes replies to the inboxes of whoever ``asks``.
    """

    name: str
    about: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...] = ()
    answers: bool = False
    asks: bool = False


@dataclass(frozen=True)
class NatsUser:
    """One user of the authorization block: its name, what it may do, why (a comment)."""

    name: str
    about: str
    permissions: Permissions


def opens(stream: str, *extra: str) -> tuple[str, ...]:
    """Look a stream up and create it when missing (``extra``: UPDATE, PURGE)."""
    return (
        f"$JS.API.STREAM.INFO.{stream}",
        f"$JS.API.STREAM.CREATE.{stream}",
        *(f"$JS.API.STREAM.{verb}.{stream}" for verb in extra),
    )


def reads(stream: str) -> tuple[str, ...]:
    """Read a stream's messages by sequence or subject, direct or not."""
    return (
        f"$JS.API.STREAM.MSG.GET.{stream}",
        *direct_reads(stream),
    )


def direct_reads(stream: str) -> tuple[str, ...]:
    """Read a stream's messages with direct gets only."""
    return (f"$JS.API.DIRECT.GET.{stream}", f"$JS.API.DIRECT.GET.{stream}.>")


def watches(stream: str) -> tuple[str, ...]:
    """Follow a stream (a bucket's watch): its ordered consumers and their flow control."""
    return (
        f"$JS.API.CONSUMER.CREATE.{stream}",
        f"$JS.API.CONSUMER.CREATE.{stream}.>",
        f"$JS.API.CONSUMER.INFO.{stream}.*",
        f"$JS.API.CONSUMER.DELETE.{stream}.>",
        f"$JS.FC.{stream}.>",
    )


def bucket(name: str) -> str:
    """A key-value bucket's stream."""
    return KV_STREAM_PREFIX + name


def writes(bucket_name: str) -> str:
    """Every key of a bucket, to put, create, update or delete it."""
    return f"$KV.{bucket_name}.>"


CHATS = bucket(storage.CHATS_BUCKET)
USERS = bucket(storage.USERS_BUCKET)
PRESENCE = bucket(storage.PRESENCE_BUCKET)
THROTTLE = bucket(storage.THROTTLE_BUCKET)
READS = bucket(storage.READS_BUCKET)
LAST_SEQS = bucket(LAST_SEQS_BUCKET)
REACTIONS = bucket(storage.REACTIONS_BUCKET)
MESSAGES = storage.MESSAGES_STREAM
MENTIONS = storage.MENTIONS_STREAM

ROLES: tuple[Role, ...] = (
    Role(
        "edge",
        "The socket.io edge: acts on behalf of every logged-in user, so it may send any\n"
        "command; it also relays log-ins and registrations, reports connections, fans out\n"
        "room, presence and per-user events, and hears which tokens are revoked.",
        publish=(subjects.ALL_COMMANDS, "chat.auth.*", "chat.conn.*"),
        subscribe=(
            subjects.ALL_ROOM_EVENTS,
            subjects.ALL_PRESENCE,
            subjects.ALL_USER_EVENTS,
            subjects.TOKENS_REVOKED,
        ),
        asks=True,
    ),
    Role(
        "chats",
        "chats: the chat directory (bucket chat_chats), read markers (chat_reads), reads\n"
        "accounts (chat_users), each chat's newest seq (stream CHAT_MESSAGES,\n"
        "chat_last_seqs) and follows the mentions (stream CHAT_MENTIONS) to count them;\n"
        "announces chat changes, to a chat's room and to each user added or removed\n"
        "(chat.user.<name>.chat), and read markers (chat.user.<name>.read).",
        publish=(
            "chat.room.*.updated",
            "chat.room.*.member",
            "chat.user.*.chat",
            "chat.user.*.read",
            ACCOUNT_INFO,
            *opens(CHATS),
            *reads(CHATS),
            *watches(CHATS),
            writes(storage.CHATS_BUCKET),
            *opens(READS),
            *reads(READS),
            *watches(READS),
            writes(storage.READS_BUCKET),
            *opens(USERS),
            *reads(USERS),
            *opens(MENTIONS),
            *watches(MENTIONS),
            *opens(MESSAGES),
            *direct_reads(MESSAGES),
            f"$JS.API.DIRECT.GET.{LAST_SEQS}.>",
            *direct_reads(MENTIONS),
        ),
        subscribe=(
            subjects.command("*", "chats", "*"),
            subjects.command("*", "reads", "*"),
            subjects.CONNECTION_CHATS,
        ),
        answers=True,
    ),
    Role(
        "messages",
        "messages: appends to and reads stream CHAT_MESSAGES, reads and watches chat\n"
        "membership (chat_chats, never writes it), presence (chat_presence) and\n"
        "accounts' roles and deactivation (chat_users), keeps each chat's last seq\n"
        "(chat_last_seqs), who reacted (chat_reactions), mentions (stream CHAT_MENTIONS)\n"
        "and a sender's own read marker (chat_reads); announces messages, their changes,\n"
        "mentions and the sender's marker.",
        publish=(
            "chat.room.*.message",
            "chat.room.*.changed",
            "chat.user.*.mention",
            "chat.user.*.read",
            subjects.ALL_STORED_MESSAGES,
            subjects.ALL_STORED_MENTIONS,
            *opens(MENTIONS),
            *direct_reads(MENTIONS),
            *opens(USERS),
            *reads(USERS),
            *watches(USERS),
            *opens(PRESENCE),
            *reads(PRESENCE),
            *watches(PRESENCE),
            *opens(READS),
            *reads(READS),
            writes(storage.READS_BUCKET),
            *opens(REACTIONS, "PURGE"),
            *reads(REACTIONS),
            *watches(REACTIONS),
            writes(storage.REACTIONS_BUCKET),
            ACCOUNT_INFO,
            *opens(MESSAGES, "UPDATE", "PURGE"),
            *reads(MESSAGES),
            *opens(CHATS),
            *reads(CHATS),
            *watches(CHATS),
            *opens(LAST_SEQS),
            *direct_reads(LAST_SEQS),
            writes(LAST_SEQS_BUCKET),
        ),
        subscribe=(
            subjects.command("*", "messages", "*"),
            subjects.command("*", "mentions", "*"),
        ),
        answers=True,
    ),
    Role(
        "status",
        "status: accounts and profiles (chat_users, watched for users:search), log-in\n"
        "throttling (chat_throttle), presence (chat_presence), typing (reads and watches\n"
        "chat_chats); announces presence, typing and revoked tokens.",
        publish=(
            subjects.ALL_PRESENCE,
            "chat.room.*.typing",
            subjects.TOKENS_REVOKED,
            ACCOUNT_INFO,
            *opens(USERS),
            *reads(USERS),
            *watches(USERS),
            writes(storage.USERS_BUCKET),
            *opens(THROTTLE),
            *reads(THROTTLE),
            writes(storage.THROTTLE_BUCKET),
            *opens(PRESENCE),
            *reads(PRESENCE),
            *watches(PRESENCE),
            writes(storage.PRESENCE_BUCKET),
            *opens(CHATS),
            *reads(CHATS),
            *watches(CHATS),
        ),
        subscribe=(
            subjects.command("*", "status", "*"),
            subjects.command("*", "presence", "*"),
            subjects.command("*", "typing", "*"),
            subjects.command("*", "users", "*"),
            "chat.auth.*",
            "chat.conn.*",
        ),
        answers=True,
    ),
    Role(
        "ops",
        "chatbus status (compose: `docker compose run --rm ops`): asks each service the\n"
        "question `chatbus up` waits on, as the system user, and reads JetStream's account and\n"
        "stream list; it can change nothing, and reads no other program's replies.",
        publish=(*READINESS_PROBES.values(), ACCOUNT_INFO, STREAM_LIST),
        asks=True,
    ),
    Role(
        "admin",
        "An administrator (`chatbus say`, `chatbus tail`, `chatbus bots`, the `nats` CLI):\n"
        "every subject. Give this password to administrators only.",
        publish=(">",),
        subscribe=(">",),
        asks=True,
    ),
)

ROLE_NAMES = tuple(entry.name for entry in ROLES)


def role(name: str) -> Role:
    """The role named ``name``."""
    for entry in ROLES:
        if entry.name == name:
            return entry
    raise KeyError(name)


def bot_user(name: str, chats: Sequence[str]) -> NatsUser:
    """A bot's NATS user: it acts only as itself and reads only the rooms of ``chats``.

    It publishes ``chat.cmd.<name>.>`` and subscribes ``chat.room.<chat>.>`` of each
    chat, ``chat.user.<name>.>`` and its own inbox prefix (``_INBOX_<name>.>``).
    """
    return NatsUser(
        name,
        f"The bot {name}. It acts only as itself, reads only the rooms of its chats, and\n"
        "gets its replies on its own inbox prefix (a subscription to _INBOX.> would overhear\n"
        f'other programs\' replies): connect it with inbox_prefix "{subjects.inbox_prefix(name)}".',
        Permissions(
            publish=(f"chat.cmd.{name}.>",),
            subscribe=(
                *(f"chat.room.{chat}.>" for chat in chats),
                f"chat.user.{name}.>",
                subjects.inbox_of(name),
            ),
            publish_denied=BOT_DENIED,
            subscribe_denied=(*BOT_DENIED, f"{subjects.DEFAULT_INBOX_PREFIX}.>"),
        ),
    )


def users(bots: Iterable[NatsUser] = ()) -> list[NatsUser]:
    """Every role's user, then the bots'; services may reply to each bot's inbox."""
    bot_users = list(bots)
    requesters = [entry.name for entry in ROLES if entry.asks] + [bot.name for bot in bot_users]
    replies = (
        f"{subjects.DEFAULT_INBOX_PREFIX}.>",
        *(subjects.inbox_of(name) for name in requesters),
    )
    role_users = [
        NatsUser(
            entry.name,
            entry.about,
            Permissions(
                publish=entry.publish + (replies if entry.answers else ()),
                subscribe=_with_inbox(entry.subscribe, entry.name),
            ),
        )
        for entry in ROLES
    ]
    return role_users + bot_users


def _with_inbox(subscribe: tuple[str, ...], name: str) -> tuple[str, ...]:
    return subscribe if ">" in subscribe else (*subscribe, subjects.inbox_of(name))
