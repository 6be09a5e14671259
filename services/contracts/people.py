"""People: profiles, where they have read to in each chat, and the messages that name them."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from .fields import ChatId, ChatSeq, Timestamp, Username

UserRole = Literal["admin", "member"]

_MENTION_EXAMPLE: dict[str, JsonValue] = {
    "id": "0000000000000042",
    "chat_id": "general",
    "seq": 42,
    "sender": "alice",
    "excerpt": "@bob can you look at this?",
    "sent_at": "2026-11-25T17:30:00Z",
}


class User(BaseModel):
    """A person or a bot with an account."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "bob",
                    "display_name": "Bob Lee",
                    "about": "Kitchen and bikes",
                    "role": "member",
                    "deactivated": False,
                    "created_at": "2026-11-25T17:30:00Z",
                }
            ]
        }
    )

    username: Username
    display_name: str = Field(description="The name others see; may be empty (then the username).")
    about: str = Field(description="A few lines about them; may be empty.")
    role: UserRole = Field(description="`admin`: a workspace administrator.")
    deactivated: bool = Field(
        description="Deactivated users cannot log in; their messages stay under their name."
    )
    created_at: Timestamp


class ReadMarker(BaseModel):
    """Where a user has read to in one chat. It never moves backwards."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "general", "read_seq": 42}]}
    )

    chat_id: ChatId
    read_seq: int = Field(ge=0, description="The newest seq the user has read (0: none).")


class Mention(BaseModel):
    """A message that named the user (`@username`, or `@here` while they were online)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MENTION_EXAMPLE]})

    id: str = Field(description="Orders a user's mentions, newest last; the `before` cursor.")
    chat_id: ChatId
    seq: ChatSeq
    sender: Username
    excerpt: str = Field(description="The start of the message's text, at most 200 characters.")
    sent_at: Timestamp


class MentionPage(BaseModel):
    """A page of the user's mentions, newest first."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"mentions": [_MENTION_EXAMPLE], "more": False}]}
    )

    mentions: list[Mention]
    more: bool = Field(description="Whether older mentions remain: ask again with `before`.")
