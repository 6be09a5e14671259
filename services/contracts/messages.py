"""Messages as stored and read: their text, edits, deletion, reactions, threads and files."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from .fields import ChatId, ChatSeq, Emoji, Timestamp, Username

Via = Literal["web", "nats", "webhook"]

MESSAGE_EXAMPLE: dict[str, JsonValue] = {
    "chat_id": "general",
    "seq": 42,
    "id": "01JDQ4M0YF6Q9T0Z2V8N3K5W7X",
    "sender": "alice",
    "text": "hello **world**",
    "sent_at": "2026-11-25T17:30:00Z",
    "via": "web",
    "edited_at": None,
    "deleted": False,
    "reply_to": None,
    "thread": None,
    "reactions": [],
    "mentions": [],
    "files": [],
}


class Reaction(BaseModel):
    """One emoji on a message: how many reacted with it, and the first of them."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"emoji": "👍", "count": 2, "users": ["alice", "bob"]}]}
    )

    emoji: Emoji
    count: int = Field(ge=1, description="How many users reacted with this emoji.")
    users: list[Username] = Field(description="The first 20 of them, in the order they reacted.")


class ThreadSummary(BaseModel):
    """The replies to a message, on the message itself."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"count": 3, "last_at": "2026-11-25T17:35:00Z"}]}
    )

    count: int = Field(ge=1, description="How many replies the thread has.")
    last_at: Timestamp = Field(description="When the newest reply was sent.")


class ImageSize(BaseModel):
    """The pixel size of an image."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"width": 1280, "height": 720}]})

    width: int = Field(ge=1)
    height: int = Field(ge=1)


class File(BaseModel):
    """A file sent with a message; members of its chat download it at `/api/files/<id>`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "f_7Yc2bq0pD1x9",
                    "name": "plan.png",
                    "size": 48213,
                    "content_type": "image/png",
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "image": {"width": 1280, "height": 720},
                }
            ]
        }
    )

    id: str = Field(description="The file's id, chosen by the server.")
    name: str = Field(description="Its name as uploaded.")
    size: int = Field(ge=0, description="Its size in bytes.")
    content_type: str = Field(description="Its media type as uploaded.")
    sha256: str = Field(description="The SHA-256 of its bytes, hex.")
    image: ImageSize | None = Field(description="Its size when it is an image, else null.")


class Message(BaseModel):
    """A stored message. Its `seq` gives the order every reader sees.

    An edit or a deletion never changes `seq`. A deleted message keeps `seq`, `sender` and
    `sent_at`; its text, files and reactions are gone from storage.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [MESSAGE_EXAMPLE]})

    chat_id: ChatId
    seq: ChatSeq
    id: str = Field(description="Unique across all chats.", examples=["01JDQ4M0YF6Q9T0Z2V8N3K5W7X"])
    sender: Username = Field(description="Who sent it.")
    text: str = Field(
        description="Exactly as sent (Markdown, rendered with every HTML tag as text); empty"
        " once deleted.",
        examples=["hello"],
    )
    sent_at: Timestamp
    via: Via = Field(
        description="`web` when sent through the edge, `nats` when published on NATS directly,"
        " `webhook` when posted to an incoming webhook.",
        examples=["web"],
    )
    edited_at: Timestamp | None = Field(
        default=None, description="When its text was last edited; null if never."
    )
    deleted: bool = Field(default=False, description="Whether it was deleted.")
    reply_to: ChatSeq | None = Field(
        default=None, description="The seq of the thread's root when this is a reply."
    )
    thread: ThreadSummary | None = Field(
        default=None, description="On a thread's root: its replies; null on other messages."
    )
    reactions: list[Reaction] = Field(default_factory=list, description="Per emoji, oldest first.")
    mentions: list[Username] = Field(
        default_factory=list, description="The members it names as `@username` (or `@here`)."
    )
    files: list[File] = Field(default_factory=list, description="The files sent with it.")


class MessageRevision(BaseModel):
    """An earlier text of an edited message."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"text": "helo", "written_at": "2026-11-25T17:30:00Z"}]}
    )

    text: str
    written_at: Timestamp = Field(description="When this text was sent or edited in.")


class MessageRevisions(BaseModel):
    """The earlier texts of one message, oldest first (the current one is the message's)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"seq": 42, "revisions": [{"text": "helo", "written_at": "2026-11-25T17:30:00Z"}]}
            ]
        }
    )

    seq: ChatSeq
    revisions: list[MessageRevision]


class HistoryPage(BaseModel):
    """A page of messages, ascending by seq.

    Retention (a max age, or a max number of messages per chat) may remove a
    chat's oldest messages; what is kept is always a contiguous run of seqs
    ending at the newest. A page never starts below the oldest kept message.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"messages": [MESSAGE_EXAMPLE], "more": False, "truncated": False}]
        }
    )

    messages: list[Message]
    more: bool = Field(
        description=(
            "Whether further messages exist in the direction asked for. Never true for"
            " removed messages: paging back stops at the oldest kept one. A page also"
            " stops at 512 KiB of messages, fewer than `limit`, with `more` true: go on"
            " from its last message (with `after`) or its first (backward)."
        ),
        examples=[False],
    )
    truncated: bool = Field(
        default=False,
        description=(
            "True when the range this page covers reaches below the chat's oldest kept"
            " message: messages there were removed by retention and will never be returned."
            " The range starts at after + 1 with `after`, else `limit` seqs back from"
            " before - 1 (or the newest), or at the page's first message when it stopped"
            " at 512 KiB. False means nothing in the range was removed."
        ),
        examples=[False],
    )
    revisions: list[MessageRevisions] | None = Field(
        default=None,
        description=(
            "With `revisions: true` in the request: the earlier texts of the page's edited"
            " messages that the reader sent (workspace admins: of every message), oldest"
            " first, the newest kept per message being the last. Null otherwise."
        ),
    )


class ThreadPage(BaseModel):
    """A page of a thread's replies, ascending by seq."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"messages": [{**MESSAGE_EXAMPLE, "reply_to": 40}], "more": False}]
        }
    )

    messages: list[Message]
    more: bool = Field(
        description="Whether later replies remain: ask again with `after` = the last one's seq."
    )
