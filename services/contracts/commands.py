"""The command table: socket.io event <-> NATS subject <-> payload <-> reply.

The edge registers one socket.io handler per row, the handlers subscribe per
row, and the AsyncAPI document is generated from it, so no command can exist
in one place and be missing from another.
"""

from dataclasses import dataclass
from typing import Any

from . import requests, subjects
from .models import (
    Chat,
    ChatLeft,
    ChatPage,
    ChatView,
    Empty,
    HistoryPage,
    MemberPage,
    Message,
    Presence,
)


@dataclass(frozen=True)
class Command:
    """One thing a client can ask for."""

    event: str
    area: str
    verb: str
    request: type[requests.Request]
    reply: Any
    summary: str

    def subject_for(self, username: str) -> str:
        """The NATS subject on which ``username`` sends this command."""
        return subjects.command(username, self.area, self.verb)

    @property
    def subscription(self) -> str:
        """The FastStream subject pattern the handler subscribes to."""
        return subjects.command("{username}", self.area, self.verb)


LIST_CHATS = Command(
    "chats:list",
    "chats",
    "list",
    requests.ListChats,
    list[ChatView],
    "The user's own chats, with their read state.",
)
BROWSE_CHATS = Command(
    "chats:browse",
    "chats",
    "browse",
    requests.BrowseChats,
    ChatPage,
    "Public chats by name, a page at a time.",
)
GET_CHAT = Command(
    "chats:get", "chats", "get", requests.GetChat, Chat, "One chat: public, or the user's own."
)
LIST_MEMBERS = Command(
    "chats:members",
    "chats",
    "members",
    requests.ListMembers,
    MemberPage,
    "A chat's members by username, a page at a time.",
)
CREATE_CHAT = Command(
    "chats:create",
    "chats",
    "create",
    requests.CreateChat,
    Chat,
    "Create a chat; the creator is owner and member.",
)
JOIN_CHAT = Command(
    "chats:join",
    "chats",
    "join",
    requests.JoinChat,
    Chat,
    "Join a public chat or a private one the user was invited to.",
)
LEAVE_CHAT = Command("chats:leave", "chats", "leave", requests.LeaveChat, ChatLeft, "Leave a chat.")
INVITE_TO_CHAT = Command(
    "chats:invite",
    "chats",
    "invite",
    requests.InviteToChat,
    Chat,
    "Add a user to a chat; members only.",
)
SEND_MESSAGE = Command(
    "messages:send",
    "messages",
    "send",
    requests.SendMessage,
    Message,
    "Send a message; answered with the message as stored.",
)
MESSAGE_HISTORY = Command(
    "messages:history",
    "messages",
    "history",
    requests.MessageHistory,
    HistoryPage,
    "Read a page of a chat's messages, ascending by seq.",
)
TYPING = Command(
    "typing", "typing", "start", requests.Typing, Empty, "Tell a chat's members the user is typing."
)
SET_STATUS = Command(
    "status:set", "status", "set", requests.SetStatus, Presence, "Choose online, away or busy."
)
LIST_PRESENCE = Command(
    "presence:list",
    "presence",
    "list",
    requests.ListPresence,
    list[Presence],
    "The users who are not offline.",
)

COMMANDS: tuple[Command, ...] = (
    LIST_CHATS,
    BROWSE_CHATS,
    GET_CHAT,
    LIST_MEMBERS,
    CREATE_CHAT,
    JOIN_CHAT,
    LEAVE_CHAT,
    INVITE_TO_CHAT,
    SEND_MESSAGE,
    MESSAGE_HISTORY,
    TYPING,
    SET_STATUS,
    LIST_PRESENCE,
)
COMMANDS_BY_EVENT: dict[str, Command] = {command.event: command for command in COMMANDS}
