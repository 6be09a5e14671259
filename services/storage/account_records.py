"""Accounts as stored in the users bucket, one key per username.

Shared by the services that read accounts: status writes them (register, log in,
profiles, deactivation); chats reads whether a user exists and is active; messages
reads a user's workspace role (admins delete any message).
"""

from datetime import datetime

from nats.js.errors import NotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel, Field

from services.contracts import TokenRevocation, User, UserRole, is_username


class AccountRecord(BaseModel):
    """A user as stored in the users bucket.

    A bot's account (``chatbus bots add``) has no password hash: nobody logs in as it.
    ``role``: ``admin`` for a workspace administrator (``chatbus admin grant``).
    ``deactivated``: no login, no token works; their messages stay under their name.
    """

    username: str
    password_hash: str | None = None
    created_at: datetime
    revoked: TokenRevocation | None = None
    known_addresses: list[str] = Field(default_factory=list)
    display_name: str = ""
    about: str = ""
    role: UserRole = "member"
    deactivated: bool = False

    def token_works(self, token_id: str | None, issued_at: datetime | None) -> bool:
        """Whether a token of this user, with this id and issue time, is still good."""
        if self.deactivated:
            return False
        return self.revoked is None or not self.revoked.voids(token_id, issued_at)

    def to_user(self) -> User:
        """The profile others see."""
        return User(
            username=self.username,
            display_name=self.display_name,
            about=self.about,
            role=self.role,
            deactivated=self.deactivated,
            created_at=self.created_at,
        )


async def read_account(users: KeyValue, username: str) -> tuple[AccountRecord | None, int]:
    """The account and its revision from JetStream; ``(None, 0)`` when there is none."""
    if not is_username(username):
        return None, 0
    try:
        entry = await users.get(username)
    except NotFoundError:
        return None, 0
    if not entry.value:
        return None, 0
    return AccountRecord.model_validate_json(entry.value), entry.revision or 0
