"""Payloads that only the edge and the services exchange."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .fields import ChatId, Timestamp, Username


class Credentials(BaseModel):
    """A username and password, for register and login."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"username": "alice", "password": "s3cret-pass"}]},
    )

    username: Username
    password: str = Field(min_length=8, max_length=256, description="At least 8 characters.")


class LoginAttempt(BaseModel):
    """Credentials as typed at login; not validated beyond size, so any failure reads the same."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"username": "alice", "password": "s3cret-pass"}]},
    )

    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


# Where a request to the edge came from: an IPv4 or IPv6 address as the edge saw it.
ClientAddress = Annotated[
    str | None,
    Field(
        default=None,
        max_length=64,
        description="The client's network address as the edge saw it (for throttling).",
        examples=["203.0.113.7"],
    ),
]


class Registration(Credentials):
    """A registration as the edge relays it: the credentials and where they came from."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "alice", "password": "s3cret-pass", "address": "203.0.113.7"}]
        }
    )

    address: ClientAddress


class LoginRequest(LoginAttempt):
    """A login as the edge relays it: the attempt and where it came from."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "alice", "password": "s3cret-pass", "address": "203.0.113.7"}]
        }
    )

    address: ClientAddress


class Account(BaseModel):
    """A registered user."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "alice"}]})

    username: Username


# A token's id (its ``jti``), as the edge read it from a verified token.
TokenId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="The token's id (its `jti` claim).",
        examples=["LqWg12GZk0i725LA_4HmUA"],
    ),
]


class Connection(BaseModel):
    """One socket connection of a user on an edge, and the token it was opened with."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "edge_id": "e1a2",
                    "connection_id": "Zx9",
                    "username": "alice",
                    "token_id": "LqWg12GZk0i725LA_4HmUA",
                    "token_issued_at": "2026-11-25T17:30:00.123456Z",
                }
            ]
        }
    )

    edge_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The edge process.")
    connection_id: str = Field(
        pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The socket.io sid on that edge."
    )
    username: Username
    token_id: TokenId | None = Field(
        default=None, description="The token's id; an opening without one is refused."
    )
    token_issued_at: datetime | None = Field(
        default=None, description="When the token was issued (its `iat` claim)."
    )


class TokenInUse(BaseModel):
    """A verified token an HTTP route was called with: is it still good?"""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "alice",
                    "token_id": "LqWg12GZk0i725LA_4HmUA",
                    "issued_at": "2026-11-25T17:30:00.123456Z",
                }
            ]
        },
    )

    username: Username
    token_id: TokenId
    issued_at: Timestamp


class PasswordChange(TokenInUse):
    """A password change as the edge relays it, with the token it was made with."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "alice",
                    "token_id": "LqWg12GZk0i725LA_4HmUA",
                    "issued_at": "2026-11-25T17:30:00.123456Z",
                    "old_password": "s3cret-pass",
                    "new_password": "n3w-s3cret-pass",
                    "address": "203.0.113.7",
                }
            ]
        }
    )

    old_password: str = Field(max_length=256)
    new_password: str = Field(min_length=8, max_length=256, description="At least 8 characters.")
    address: ClientAddress


class TokenRevocation(BaseModel):
    """A user's tokens issued before `void_before` stop working, all but `kept_token`.

    Kept with the account and announced to every edge, which disconnects the
    sockets opened with a void token. A password change keeps the token it was
    made with; a deactivation keeps none.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "alice",
                    "void_before": "2026-11-25T17:30:00.123456Z",
                    "kept_token": "LqWg12GZk0i725LA_4HmUA",
                }
            ]
        }
    )

    username: Username
    void_before: Timestamp
    kept_token: TokenId | None = Field(default=None, description="The one token that stays.")

    def voids(self, token_id: str | None, issued_at: datetime | None) -> bool:
        """Whether the token with this id and issue time no longer works."""
        if token_id is not None and token_id == self.kept_token:
            return False
        return issued_at is None or issued_at < self.void_before


class EdgeHeartbeat(BaseModel):
    """An edge is alive; the connections of an edge that falls silent are closed within 30 s."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"edge_id": "e1a2"}]})

    edge_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The edge process.")


class ChatMembership(BaseModel):
    """One chat a user is a member of, at the revision the membership was last changed."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "revision": 7}]}
    )

    chat_id: ChatId
    revision: int = Field(ge=1, description="The chat's revision when the user joined.")


class ConnectionChats(BaseModel):
    """The chats a newly connected user is a member of: which rooms their socket joins."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chats": [{"chat_id": "general", "revision": 7}]}]}
    )

    chats: list[ChatMembership]
