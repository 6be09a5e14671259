"""What chatbus stores and announces: chats, messages, presence and their events."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from .fields import ChatId, Timestamp, Username

PresenceStatus = Literal["online", "away", "busy", "offline"]
ChosenStatus = Literal["online", "away", "busy"]


ChatKind = Literal["channel", "dm"]
ChatRole = Literal["owner", "admin", "member"]
MemberAction = Literal["joined", "left", "kicked"]

_CHAT_EXAMPLE: dict[str, JsonValue] = {
    "id": "general",
    "name": "general",
    "kind": "channel",
    "private": False,
    "owner": "chatbus",
    "topic": "Anything goes",
    "member_count": 2,
    "pinned": [],
    "created_at": "2026-11-25T17:30:00Z",
    "last_seq": 42,
    "revision": 7,
}


class Chat(BaseModel):
    """A chat room. Public chats are visible to everyone; private ones to their members only.

    Its members are not part of it: page them with `chats:members`.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [_CHAT_EXAMPLE]})

    id: ChatId
    name: str = Field(
        description="The chat's display name; for a DM, the two usernames sorted, joined by `,`.",
        examples=["general"],
    )
    kind: ChatKind = Field(
        description="`channel`, or `dm`: a private chat of exactly two people.",
        examples=["channel"],
    )
    private: bool = Field(description="Whether only members can see and join it.", examples=[False])
    owner: Username = Field(description="The user who created it.")
    topic: str = Field(description="What the chat is about; may be empty.", examples=[""])
    member_count: int = Field(ge=0, description="How many members it has.", examples=[2])
    pinned: list[int] = Field(
        description="Seqs of its pinned messages, oldest pin first.", examples=[[]]
    )
    created_at: Timestamp
    last_seq: int = Field(
        ge=0, description="The seq of the newest message; 0 while the chat is empty.", examples=[42]
    )
    revision: int = Field(
        ge=1,
        description=(
            "Grows with every change to the chat, a member joining or leaving included. Copies"
            " can arrive out of order (several chats services answer at once): keep the one"
            " with the highest revision."
        ),
        examples=[7],
    )


class ChatView(Chat):
    """One of the user's own chats, with the user's place and read state in it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_CHAT_EXAMPLE,
                    "role": "member",
                    "read_seq": 40,
                    "unread": 2,
                    "mentions": 0,
                    "muted": False,
                }
            ]
        }
    )

    role: ChatRole = Field(description="The user's role in the chat.", examples=["member"])
    read_seq: int = Field(
        ge=0, description="The newest seq the user has read (0: none).", examples=[40]
    )
    unread: int = Field(
        ge=0,
        description="Messages after `read_seq` that others sent.",
        examples=[2],
    )
    mentions: int = Field(
        ge=0, description="Of the unread messages, those naming the user.", examples=[0]
    )
    muted: bool = Field(description="Whether the user muted the chat.", examples=[False])


class Member(BaseModel):
    """A member of a chat."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"username": "alice", "role": "owner", "joined_at": "2026-11-25T17:30:00Z"}
            ]
        }
    )

    username: Username
    role: ChatRole = Field(examples=["owner"])
    joined_at: Timestamp


class MemberPage(BaseModel):
    """A page of a chat's members, by username."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "members": [
                        {"username": "alice", "role": "owner", "joined_at": "2026-11-25T17:30:00Z"}
                    ],
                    "more": False,
                }
            ]
        }
    )

    members: list[Member]
    more: bool = Field(
        description="Whether members after the last one remain: ask again with `after`.",
        examples=[False],
    )


class ChatPage(BaseModel):
    """A page of public chats, by name."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chats": [_CHAT_EXAMPLE], "more": False}]}
    )

    chats: list[Chat]
    more: bool = Field(
        description="Whether chats after the last one remain: ask again with `after`.",
        examples=[False],
    )


class Presence(BaseModel):
    """Whether a user is reachable, across all their connections."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "alice", "status": "online", "since": "2026-11-25T17:30:00Z"}]
        }
    )

    username: Username
    status: PresenceStatus = Field(
        description="`offline` when the user has no connection; otherwise what they chose.",
        examples=["online"],
    )
    since: Timestamp = Field(description="When this status began.")


class MemberEvent(BaseModel):
    """Someone joined, left or was removed from a chat."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "chat_id": "general",
                    "username": "bob",
                    "action": "joined",
                    "member_count": 3,
                    "revision": 8,
                }
            ]
        }
    )

    chat_id: ChatId
    username: Username
    action: MemberAction = Field(examples=["joined"])
    member_count: int = Field(ge=0, description="The chat's members after this change.")
    revision: int = Field(
        ge=1,
        description="The chat's revision after this change (see Chat.revision).",
        examples=[8],
    )


class TypingEvent(BaseModel):
    """Someone is typing in a chat. Consider it over at `expires_at` unless another arrives."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"chat_id": "general", "username": "bob", "expires_at": "2026-11-25T17:30:05Z"}
            ]
        }
    )

    chat_id: ChatId
    username: Username
    expires_at: Timestamp = Field(description="5 s after the keystroke that caused it.")


class ChatLeft(BaseModel):
    """The chat the user has left."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "revision": 9}]}
    )

    chat_id: ChatId
    revision: int = Field(
        ge=1,
        description="The chat's revision after the leave (see Chat.revision).",
        examples=[9],
    )


class Empty(BaseModel):
    """No data."""

    model_config = ConfigDict(json_schema_extra={"examples": [{}]})
