"""Payloads of the commands a client (browser or bot) sends. Unknown fields are refused."""

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .fields import MAX_TEXT_LENGTH, ChatId, ChatName, ChatTopic, MessageText, Username
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


class SendMessage(Request):
    """Send a message. A retry with the same `client_id` is stored once."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "text": "hi!", "client_id": "c-17"}]}
    )

    chat_id: ChatId
    text: MessageText = Field(
        min_length=1,
        max_length=MAX_TEXT_LENGTH,
        description=("1-4000 characters, kept exactly; no control characters but newline and tab."),
    )
    client_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="The sender's own id for this message, to make retries safe.",
        examples=["c-17"],
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text must not be blank")
        return text


class MessageHistory(Request):
    """Read a chat's messages. Without bounds: the newest page."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "after": 40, "limit": 50}]}
    )

    chat_id: ChatId
    before: int | None = Field(default=None, ge=1, description="Only messages with a smaller seq.")
    after: int | None = Field(default=None, ge=0, description="Only messages with a larger seq.")
    limit: int = Field(default=50, ge=1, le=100, description="At most this many messages.")


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
