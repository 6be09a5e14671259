"""The one definition of chatbus's subjects and payloads.

Imports nothing else from ``services``: the edge, the handlers, the docs and
the tests all read from here.
"""

from . import storage, subjects
from .commands import (
    COMMANDS,
    COMMANDS_BY_EVENT,
    CREATE_CHAT,
    INVITE_TO_CHAT,
    JOIN_CHAT,
    LEAVE_CHAT,
    LIST_CHATS,
    LIST_PRESENCE,
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    SET_STATUS,
    TYPING,
    Command,
)
from .envelope import ErrorCode, ErrorDetail, Failure, Success, failure, success
from .fields import ChatId, Username, is_username, utc_now
from .internal import Account, Connection, Credentials, EdgeHeartbeat, LoginAttempt
from .models import (
    Chat,
    ChatLeft,
    ChosenStatus,
    Empty,
    HistoryPage,
    MemberEvent,
    Message,
    Presence,
    PresenceStatus,
    TypingEvent,
)
from .requests import (
    CreateChat,
    InviteToChat,
    JoinChat,
    LeaveChat,
    ListChats,
    ListPresence,
    MessageHistory,
    Request,
    SendMessage,
    SetStatus,
    Typing,
)

__all__ = [
    "COMMANDS", "COMMANDS_BY_EVENT", "CREATE_CHAT", "INVITE_TO_CHAT", "JOIN_CHAT", "LEAVE_CHAT",
    "LIST_CHATS", "LIST_PRESENCE", "MESSAGE_HISTORY", "SEND_MESSAGE", "SET_STATUS", "TYPING", "Account", "Chat", "ChatId", "ChatLeft", "ChosenStatus",
    "Command", "Connection", "CreateChat", "Credentials", "EdgeHeartbeat", "Empty", "ErrorCode",
    "ErrorDetail", "Failure", "HistoryPage", "InviteToChat", "JoinChat", "LeaveChat", "ListChats",
    "ListPresence", "LoginAttempt", "MemberEvent", "Message", "MessageHistory", "Presence",
    "PresenceStatus", "Request", "SendMessage", "SetStatus", "Success", "Typing", "TypingEvent",
    "Username", "failure", "is_username", "storage", "subjects", "success", "utc_now",
]
