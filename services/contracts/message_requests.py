"""Payloads of the messages commands: send, read, edit, delete, react, threads, mentions."""

from pydantic import ConfigDict, Field, field_validator

from .fields import MAX_TEXT_LENGTH, ChatId, ChatSeq, Emoji, MessageText
from .requests import Request


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("text must not be blank")
    return text


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
    reply_to: ChatSeq | None = Field(
        default=None,
        description="Reply in the thread of this message of the same chat (a reply to a reply"
        " joins its root's thread).",
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        return _not_blank(text)


class MessageHistory(Request):
    """Read a chat's messages. Without bounds: the newest page."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "after": 40, "limit": 50}]}
    )

    chat_id: ChatId
    before: int | None = Field(default=None, ge=1, description="Only messages with a smaller seq.")
    after: int | None = Field(default=None, ge=0, description="Only messages with a larger seq.")
    limit: int = Field(default=50, ge=1, le=100, description="At most this many messages.")
    revisions: bool = Field(
        default=False,
        description="Also give the earlier texts of edited messages the user sent (workspace"
        " admins: of every message) in the page's `revisions`.",
    )


class MessageThread(Request):
    """Read the replies to a message, oldest first, a page at a time."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "root": 40, "limit": 50}]}
    )

    chat_id: ChatId
    root: ChatSeq = Field(description="The seq of the thread's first message.")
    after: int | None = Field(default=None, ge=0, description="Only replies with a larger seq.")
    limit: int = Field(default=50, ge=1, le=100, description="At most this many replies.")


class EditMessage(Request):
    """Replace a message's text; its sender only. Its seq stays."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "seq": 42, "text": "hello"}]}
    )

    chat_id: ChatId
    seq: ChatSeq
    text: MessageText = Field(
        min_length=1, max_length=MAX_TEXT_LENGTH, description="The new text, as for a send."
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        return _not_blank(text)


class DeleteMessage(Request):
    """Delete a message for good: its sender, the chat's owner and admins, workspace admins."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"chat_id": "general", "seq": 42}]})

    chat_id: ChatId
    seq: ChatSeq


class ReactToMessage(Request):
    """Add (`on: true`) or take back (`on: false`) one's reaction; members only; idempotent."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"chat_id": "general", "seq": 42, "emoji": "👍", "on": True}]
        }
    )

    chat_id: ChatId
    seq: ChatSeq
    emoji: Emoji
    on: bool


class ListMentions(Request):
    """The messages that named the user, newest first, a page at a time."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"limit": 20}]})

    before: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,20}$",
        description="The id of the last mention of the previous page.",
    )
    limit: int = Field(default=50, ge=1, le=100, description="At most this many mentions.")
