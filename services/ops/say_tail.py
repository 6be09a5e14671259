"""``chatbus say`` and ``chatbus tail``: post to a chat and follow it over plain NATS.

They do what any bot does, with nothing but nats-py: a request on
``chat.cmd.<username>.<area>.<verb>`` acts as ``<username>``, and a chat's new
messages arrive on ``chat.room.<chat_id>.message``. No edge, no token.

Everything that can go wrong is a :class:`ToolError`, reported as one line on
stderr by :func:`run`::

    ToolError            exit 1
    ├── BadInput         exit 2: a username or chat id that cannot be right
    ├── Unreachable      exit 1: no NATS, or no chatbus service answering
    └── Refused          exit 1: the service answered {ok: false, error: {code, message}}
"""

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TextIO, TypeVar

import nats
import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from pydantic import BaseModel, ValidationError

from services.contracts import (
    JOIN_CHAT,
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    Command,
    HistoryPage,
    JoinChat,
    Message,
    MessageHistory,
    SendMessage,
    is_username,
    subjects,
)
from services.core.nats_urls import inbox_prefix_for, without_credentials
from services.core.settings import Settings
from services.ops.nats_auth.credentials import CredentialsMissing
from services.ops.nats_auth.embedded import servers_as

__all__ = [
    "BadInput",
    "Refused",
    "ToolError",
    "Unreachable",
    "format_message",
    "run",
    "say",
    "tail",
]

# A command-line tool should say "not reachable" in about a second, not retry for minutes.
CONNECT_TIMEOUT_SECONDS = 2
RECONNECT_WAIT_SECONDS = 0.5
MAX_HISTORY = 100  # one page of messages:history

Model = TypeVar("Model", bound=BaseModel)


class ToolError(Exception):
    """A failure worth one line on stderr."""

    exit_code = 1


class BadInput(ToolError):
    """Arguments that cannot be right, found before anything is sent."""

    exit_code = 2


class Unreachable(ToolError):
    """NATS, or the chatbus service behind a subject, did not answer."""


class Refused(ToolError):
    """The service answered with a failure envelope."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def run(job: Coroutine[Any, Any, object], errors: TextIO = sys.stderr) -> int:
    """Run a tool to the end; its exit code. Ctrl-C is the normal way to stop ``tail``."""
    try:
        asyncio.run(job)
    except ToolError as error:
        errors.write(f"chatbus: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 0
    return 0


async def say(
    settings: Settings,
    username: str,
    chat_id: str,
    text: str,
    *,
    join: bool = False,
    client_id: str | None = None,
    out: TextIO = sys.stdout,
) -> Message:
    """Send ``text`` to a chat as ``username`` (joining it first if asked); print it as stored."""
    _check_username(username)
    request = _validated(SendMessage, chat_id=chat_id, text=text, client_id=client_id)
    async with connected(settings, "chatbus say") as nc:
        if join:
            await ask(nc, settings, username, JOIN_CHAT, JoinChat(chat_id=chat_id))
        data = await ask(nc, settings, username, SEND_MESSAGE, request)
    message = Message.model_validate(data)
    out.write(format_message(message) + "\n")
    out.flush()
    return message


async def tail(
    settings: Settings,
    chat_id: str,
    *,
    username: str | None = None,
    history: int = 0,
    out: TextIO = sys.stdout,
    errors: TextIO = sys.stderr,
) -> None:
    """Print a chat's new messages as they arrive, until cancelled.

    As ``username``, first check that they may read the chat and print its last
    ``history`` messages. The subscription starts before that, so a message sent
    meanwhile is printed once, after the history, never lost.
    """
    if username is not None:
        _check_username(username)
    _validated(MessageHistory, chat_id=chat_id)
    if not 0 <= history <= MAX_HISTORY:
        raise BadInput(f"--history must be between 0 and {MAX_HISTORY}")
    if history and username is None:
        raise BadInput("--history needs --as USER: history is read as a member")
    closed = asyncio.Event()
    async with connected(settings, "chatbus tail", closed) as nc:
        arrived: asyncio.Queue[Msg] = asyncio.Queue()
        await nc.subscribe(subjects.room_event(chat_id, "message"), cb=arrived.put)
        await nc.flush()
        last_seq = 0  # the last seq the history printed
        if username is not None:
            for message in await _last_messages(nc, settings, username, chat_id, history):
                out.write(format_message(message) + "\n")
                last_seq = message.seq
        out.flush()
        # Said once subscribed: from here on nothing sent to the chat is missed.
        unchecked = "" if username else "; pass --as USER to check the chat exists"
        errors.write(f"chatbus: following {chat_id} (Ctrl-C to stop{unchecked})\n")
        errors.flush()
        connection_lost = asyncio.ensure_future(closed.wait())
        try:
            while True:
                next_message = asyncio.ensure_future(arrived.get())
                await asyncio.wait(
                    {next_message, connection_lost}, return_when=asyncio.FIRST_COMPLETED
                )
                if not next_message.done():
                    next_message.cancel()
                    raise Unreachable("lost the connection to NATS")
                live = _message_from(next_message.result())
                # Only the overlap with the history is skipped: live events of concurrent
                # senders may arrive slightly out of seq order and are all printed.
                if live is not None and live.seq > last_seq:
                    out.write(format_message(live) + "\n")
                    out.flush()
        finally:
            connection_lost.cancel()


def format_message(message: Message) -> str:
    """``#<seq> <sender>: <text>``, a message's further lines indented under it."""
    text = message.text.replace("\n", "\n    ")
    return f"#{message.seq} {message.sender}: {text}"


@asynccontextmanager
async def connected(
    settings: Settings, name: str, closed: asyncio.Event | None = None
) -> AsyncIterator[Client]:
    """A NATS connection to ``NATS_URL``, else to the embedded server as its admin; drained
    at the end.

    ``closed`` is set when the connection is gone for good (reconnecting gave up).
    """
    try:
        servers = servers_as(settings, "admin")
    except CredentialsMissing as missing:
        raise ToolError(str(missing)) from None

    async def quiet(error: Exception) -> None:
        # nats-py would log each failed attempt with a traceback; we say it once, below.
        pass

    async def gone() -> None:
        if closed is not None:
            closed.set()

    try:
        nc = await nats.connect(
            servers=servers,
            name=name,
            tls=settings.nats_tls(),
            inbox_prefix=inbox_prefix_for(servers, "admin"),
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            reconnect_time_wait=RECONNECT_WAIT_SECONDS,
            max_reconnect_attempts=1,
            error_cb=quiet,
            closed_cb=gone,
        )
    except (OSError, TimeoutError, nats.errors.Error):
        where = without_credentials(", ".join(servers))
        hint = "is `chatbus up` running, or NATS_URL set to a running NATS?"
        raise Unreachable(f"cannot reach NATS at {where} ({hint})") from None
    try:
        yield nc
    finally:
        if not nc.is_closed:
            await nc.drain()


async def ask(
    nc: Client, settings: Settings, username: str, command: Command, request: BaseModel
) -> Any:
    """Send ``command`` as ``username``; the ``data`` of its answer, or :class:`Refused`."""
    subject = command.subject_for(username)
    try:
        reply = await nc.request(
            subject,
            request.model_dump_json(exclude_none=True).encode(),
            timeout=settings.request_timeout_seconds,
        )
    except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
        raise Unreachable(f"nobody answered on {subject}: is chatbus running?") from None
    try:
        envelope = json.loads(reply.data)
        if envelope["ok"]:
            return envelope["data"]
        error = envelope["error"]
        raise Refused(str(error["code"]), str(error["message"]))
    except (ValueError, KeyError, TypeError):
        raise Unreachable(f"unexpected answer on {subject}: {reply.data[:200]!r}") from None


async def _last_messages(
    nc: Client, settings: Settings, username: str, chat_id: str, count: int
) -> list[Message]:
    """The chat's last ``count`` messages (at most 100), oldest first; checks access."""
    # One message is read even for count 0: it is how a not-member or unknown chat shows.
    request = MessageHistory(chat_id=chat_id, limit=max(count, 1))
    page = HistoryPage.model_validate(await ask(nc, settings, username, MESSAGE_HISTORY, request))
    return page.messages[-count:] if count else []


def _message_from(msg: Msg) -> Message | None:
    try:
        return Message.model_validate_json(msg.data)
    except ValidationError:
        return None  # not a message; someone else's business on this subject


def _check_username(username: str) -> None:
    if not is_username(username):
        raise BadInput(
            f"{username!r} is not a username (lowercase letters, digits, _ and -; 2-32 characters)"
        )


def _validated(model: type[Model], **fields: Any) -> Model:
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        if first["loc"] == ("chat_id",):
            raise BadInput(
                f"{fields['chat_id']!r} is not a chat id (letters, digits, _ and -; 1-64)"
            ) from None
        where = ".".join(str(part) for part in first["loc"]) or "input"
        raise BadInput(f"{where}: {first['msg']}") from None
