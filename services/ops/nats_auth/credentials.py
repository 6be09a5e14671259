"""The embedded nats-server's users and passwords, kept in the data dir.

``chatbus up`` generates one password per role the first time it runs, and
``chatbus bots add`` one per bot; they live in one JSON file that only its
owner may read. The file is never written in place: a new one is created
0600 from the start (``O_EXCL``, never write-then-chmod) and renamed over
the old one, under a lock, so two commands at once cannot lose each other's
change or leave a readable copy behind.
"""

import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from services.core.private_files import PRIVATE, write_private

from .roles import ROLE_NAMES, NatsUser, bot_user, users

__all__ = [
    "CREDENTIALS_FILE",
    "BotEntry",
    "CredentialStore",
    "CredentialsMissing",
    "NatsCredentials",
    "new_password",
]

CREDENTIALS_FILE = "nats-credentials.json"
_LOCK_FILE = ".nats-credentials.lock"


class CredentialsMissing(Exception):
    """The data dir holds no NATS credentials: ``chatbus up`` never ran with it."""


def new_password() -> str:
    """A long random password that needs no escaping in a ``nats://`` URL."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class BotEntry:
    """A bot's NATS password and the chats whose rooms it may read."""

    password: str
    chats: tuple[str, ...] = ()


@dataclass
class NatsCredentials:
    """Every role's password and every bot of the embedded server."""

    roles: dict[str, str]
    bots: dict[str, BotEntry] = field(default_factory=dict)

    def users(self) -> list[NatsUser]:
        """The users of the server's authorization block, with their rights."""
        return users(bot_user(name, bot.chats) for name, bot in sorted(self.bots.items()))

    def password(self, user: str) -> str:
        """The password of a role or a bot."""
        if user in self.roles:
            return self.roles[user]
        return self.bots[user].password

    def to_json(self) -> str:
        """What the file holds."""
        bots = {
            name: {"password": bot.password, "chats": list(bot.chats)}
            for name, bot in sorted(self.bots.items())
        }
        return json.dumps({"roles": dict(sorted(self.roles.items())), "bots": bots}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "NatsCredentials":
        """Read what ``to_json`` wrote."""
        data = json.loads(text)
        bots = {
            name: BotEntry(str(bot["password"]), tuple(str(chat) for chat in bot["chats"]))
            for name, bot in data.get("bots", {}).items()
        }
        return cls({str(k): str(v) for k, v in data["roles"].items()}, bots)


class CredentialStore:
    """The credentials file of one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / CREDENTIALS_FILE

    def load(self) -> NatsCredentials:
        """The credentials; ``CredentialsMissing`` when there are none yet."""
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            raise CredentialsMissing(
                f"no NATS credentials in {self.data_dir} (`chatbus up` never ran with this "
                "data dir): run `chatbus up` first, or set NATS_URL"
            ) from None
        try:
            return NatsCredentials.from_json(text)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CredentialsMissing(
                f"{self.path} is not a credentials file chatbus wrote"
            ) from None

    def load_or_create(self) -> NatsCredentials:
        """The credentials, with a new password for each role that has none (all, at first)."""
        with self.changing(create=True) as credentials:
            return credentials

    @contextmanager
    def changing(self, *, create: bool = False) -> Iterator[NatsCredentials]:
        """The credentials to change in place; written back when the block ends without error.

        ``create``: start from nothing when there is no file yet (``chatbus up``).
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            try:
                credentials = self.load()
            except CredentialsMissing:
                if not create or self.path.exists():
                    raise
                credentials = NatsCredentials({})
            before = credentials.to_json()
            for name in ROLE_NAMES:
                credentials.roles.setdefault(name, new_password())
            yield credentials
            if credentials.to_json() != before:
                write_private(self.path, credentials.to_json() + "\n")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        descriptor = os.open(self.data_dir / _LOCK_FILE, os.O_RDWR | os.O_CREAT, PRIVATE)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing it releases the lock
