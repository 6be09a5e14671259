"""Payloads that only the edge and the services exchange."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .fields import ChatId, Username


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


class Connection(BaseModel):
    """One socket connection of a user on an edge."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"edge_id": "e1a2", "connection_id": "Zx9", "username": "alice"}]
        }
    )

    edge_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The edge process.")
    connection_id: str = Field(
        pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The socket.io sid on that edge."
    )
    username: Username


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
