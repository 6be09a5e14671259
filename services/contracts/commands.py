"""The command table: socket.io event <-> NATS subject <-> payload <-> reply.

The edge registers one socket.io handler per row, the handlers subscribe per
row, and the AsyncAPI document is generated from it, so no command can exist
in one place and be missing from another.
"""

from dataclasses import dataclass
from typing import Any

from . import message_requests, people_requests, requests, subjects
from .messages import HistoryPage, Message, ThreadPage
from .models import Chat, ChatLeft, ChatPage, ChatView, Empty, Member, MemberPage, Presence
from .people import MentionPage, ReadMarker, User


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
UPDATE_CHAT = Command(
    "chats:update",
    "chats",
    "update",
    requests.UpdateChat,
    Chat,
    "Rename a chat or change its topic; its owner and admins.",
)
KICK_FROM_CHAT = Command(
    "chats:kick",
    "chats",
    "kick",
    requests.KickFromChat,
    Chat,
    "Remove a member; the chat's owner and admins. They may be invited again.",
)
SET_CHAT_ROLE = Command(
    "chats:set_role",
    "chats",
    "set_role",
    requests.SetChatRole,
    Member,
    "Make a member an admin of the chat, or a member again; its owner only.",
)
OPEN_DM = Command(
    "chats:open_dm",
    "chats",
    "open_dm",
    requests.OpenDm,
    Chat,
    "The direct-message chat with another user, the same one every time.",
)
PIN_MESSAGE = Command(
    "chats:pin",
    "chats",
    "pin",
    requests.PinMessage,
    Chat,
    "Pin or unpin a message; members; at most 50 pins.",
)
MUTE_CHAT = Command(
    "chats:mute",
    "chats",
    "mute",
    requests.MuteChat,
    ChatView,
    "Mute or unmute a chat for oneself: no mention events, the counts go on.",
)
MARK_READ = Command(
    "reads:mark",
    "reads",
    "mark",
    requests.MarkRead,
    ReadMarker,
    "Move one's read marker in a chat forward; it never moves back.",
)
SEND_MESSAGE = Command(
    "messages:send",
    "messages",
    "send",
    message_requests.SendMessage,
    Message,
    "Send a message; answered with the message as stored.",
)
MESSAGE_HISTORY = Command(
    "messages:history",
    "messages",
    "history",
    message_requests.MessageHistory,
    HistoryPage,
    "Read a page of a chat's messages, ascending by seq.",
)
MESSAGE_THREAD = Command(
    "messages:thread",
    "messages",
    "thread",
    message_requests.MessageThread,
    ThreadPage,
    "Read a page of the replies to a message, ascending by seq.",
)
EDIT_MESSAGE = Command(
    "messages:edit",
    "messages",
    "edit",
    message_requests.EditMessage,
    Message,
    "Replace a message's text; its sender only.",
)
DELETE_MESSAGE = Command(
    "messages:delete",
    "messages",
    "delete",
    message_requests.DeleteMessage,
    Message,
    "Delete a message for good (its tombstone keeps seq, sender and time).",
)
REACT_TO_MESSAGE = Command(
    "messages:react",
    "messages",
    "react",
    message_requests.ReactToMessage,
    Message,
    "Add or take back one's emoji reaction; members; idempotent.",
)
LIST_MENTIONS = Command(
    "mentions:list",
    "mentions",
    "list",
    message_requests.ListMentions,
    MentionPage,
    "The messages that named the user, newest first.",
)
GET_USER = Command("users:get", "users", "get", people_requests.GetUser, User, "A user's profile.")
SEARCH_USERS = Command(
    "users:search",
    "users",
    "search",
    people_requests.SearchUsers,
    list[User],
    "Users by username or display name prefix.",
)
UPDATE_PROFILE = Command(
    "users:update",
    "users",
    "update",
    people_requests.UpdateProfile,
    User,
    "Change one's own display name or about text.",
)
DEACTIVATE_USER = Command(
    "users:deactivate",
    "users",
    "deactivate",
    people_requests.DeactivateUser,
    User,
    "Deactivate or reactivate a user; workspace admins.",
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
    UPDATE_CHAT,
    KICK_FROM_CHAT,
    SET_CHAT_ROLE,
    OPEN_DM,
    PIN_MESSAGE,
    MUTE_CHAT,
    MARK_READ,
    SEND_MESSAGE,
    MESSAGE_HISTORY,
    MESSAGE_THREAD,
    EDIT_MESSAGE,
    DELETE_MESSAGE,
    REACT_TO_MESSAGE,
    LIST_MENTIONS,
    GET_USER,
    SEARCH_USERS,
    UPDATE_PROFILE,
    DEACTIVATE_USER,
    TYPING,
    SET_STATUS,
    LIST_PRESENCE,
)
COMMANDS_BY_EVENT: dict[str, Command] = {command.event: command for command in COMMANDS}
