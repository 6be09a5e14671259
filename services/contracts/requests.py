"""Payloads of the commands a client (browser or bot) sends. Unknown fields are refused."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .fields import ChatId, ChatName, ChatSeq, ChatTopic, Username
from .models import ChosenStatus


class Request(BaseModel):
    """Base of every command payload: strict about unknown fields and about types.

    Strict, so ``"private": "yes"`` or ``"limit": "5"`` is refused rather than guessed at:
    a bot learns the contract from its first mistake.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class ListChats(Request):
    """List the user's own chats, with their read state (at most 1,000 memberships)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{}]})


class BrowseChats(Request):
    """Find public chats by name, a page at a time."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"query": "gen", "limit": 20}]})

    query: str | None = Field(
        default=None,
        max_length=80,
        description="Only chats whose name contains this, ignoring case.",
        examples=["gen"],
    )
    after: ChatId | None = Field(
        default=None, description="The last chat of the previous page: the page starts after it."
    )
    limit: int = Field(default=50, ge=1, le=100, description="At most this many chats.")


class GetChat(Request):
    """Read one chat: a public one, or one of the user's own."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"chat_id": "general"}]})

    chat_id: ChatId


class ListMembers(Request):
    """Read a chat's members by username, a page at a time."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "limit": 100}]}
    )

    chat_id: ChatId
    after: Username | None = Field(
        default=None, description="The last member of the previous page: the page starts after it."
    )
    limit: int = Field(default=100, ge=1, le=500, description="At most this many members.")


class CreateChat(Request):
    """Create a chat; the creator becomes its owner and first member."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "project-x", "private": True, "members": ["bob"]}]}
    )

    name: ChatName = Field(description="Display name, 1-80 characters.", examples=["project-x"])
    private: bool = Field(default=False, description="Only members can see and join it.")
    members: list[Username] = Field(
        default_factory=list, max_length=100, description="Users to add besides the creator."
    )
    topic: ChatTopic = Field(default="", description="What the chat is about, 0-250 characters.")


class JoinChat(Request):
    """Join a public chat, or a private one the user was invited to."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"chat_id": "general"}]})

    chat_id: ChatId


class LeaveChat(Request):
    """Leave a chat; its messages stop arriving."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"chat_id": "general"}]})

    chat_id: ChatId


class InviteToChat(Request):
    """Add a user to a chat the acting user is a member of."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "project-x", "username": "carol"}]}
    )

    chat_id: ChatId
    username: Username


class UpdateChat(Request):
    """Rename a chat or change its topic; its owner and admins only."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "project-x", "topic": "Ship by Friday"}]}
    )

    chat_id: ChatId
    name: ChatName | None = Field(default=None, description="A new name, 1-80 characters.")
    topic: ChatTopic | None = Field(default=None, description="A new topic, 0-250 characters.")

    @model_validator(mode="after")
    def _changes_something(self) -> "UpdateChat":
        if self.name is None and self.topic is None:
            raise ValueError("give a name or a topic")
        return self


class KickFromChat(Request):
    """Remove a member from a chat; its owner and admins only. They may be invited again."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "project-x", "username": "mallory"}]}
    )

    chat_id: ChatId
    username: Username


class SetChatRole(Request):
    """Make a member an admin of the chat, or a plain member again; its owner only."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"chat_id": "project-x", "username": "bob", "role": "admin"}]
        }
    )

    chat_id: ChatId
    username: Username
    role: Literal["admin", "member"]


class OpenDm(Request):
    """The direct-message chat with another user: made on first use, the same one after."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "bob"}]})

    username: Username


class PinMessage(Request):
    """Pin a message of the chat, or unpin it; members only, at most 50 pins per chat."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "seq": 42, "pinned": True}]}
    )

    chat_id: ChatId
    seq: ChatSeq
    pinned: bool


class MuteChat(Request):
    """Mute a chat (no mention events; counts go on) or unmute it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "muted": True}]}
    )

    chat_id: ChatId
    muted: bool


class MarkRead(Request):
    """Move the user's read marker in a chat forward to `seq` (never backwards)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"chat_id": "general", "seq": 42}]})

    chat_id: ChatId
    seq: int = Field(ge=0, description="The newest seq the user has read.")


class Typing(Request):
    """Tell the chat's members the user is typing."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"chat_id": "general"}]})

    chat_id: ChatId


class SetStatus(Request):
    """Choose the status others see while the user is connected."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "away"}]})

    status: ChosenStatus


class ListPresence(Request):
    """List the users who are not offline."""

    model_config = ConfigDict(json_schema_extra={"examples": [{}]})
