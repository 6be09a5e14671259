"""Non-members trying to read, post, join, invite into and overhear a private chat.

``run_campaign`` makes ``attempts`` attempts, spread over socket.io intruders
(each a logged-in user who is not a member) and NATS bots (registered users
acting as themselves), while the chat's owner keeps posting: every attempt
must fail with the right code, and no intruder socket may receive anything of
the chat. Run the full count as a script::

    python -m tests.system.abuse.authorization --attempts 10000

which starts a nats-server, the three services and the edge as processes.
"""

import argparse
import asyncio
import itertools
import json
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
from nats.aio.client import Client

from services.contracts import (
    INVITE_TO_CHAT,
    JOIN_CHAT,
    LEAVE_CHAT,
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    TYPING,
    storage,
)
from tests.support.clients import PASSWORD, ChatClient, unique_name
from tests.support.http import http_client
from tests.support.nats_programs import NatsUser

FORBIDDEN = frozenset({"forbidden"})
INVALID = frozenset({"invalid"})
CONCURRENCY = 64

Attempt = Callable[[], Awaitable[dict[str, Any]]]


@dataclass
class Figures:
    """What a campaign did and what came of it."""

    attempts: int = 0
    succeeded: int = 0
    per_kind: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)
    leaked_events: list[tuple[str, Any]] = field(default_factory=list)
    owner_messages: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """One paragraph for people."""
        return (
            f"authorization: {self.attempts} attempts by non-members in {self.seconds:.1f} s"
            f" ({self.attempts / max(self.seconds, 1e-9):.0f}/s), {self.succeeded} succeeded;"
            f" answers {dict(self.codes)}; events of the private chat seen by intruders:"
            f" {len(self.leaked_events)} (owner posted {self.owner_messages} meanwhile)"
            f"\n  per kind: {dict(sorted(self.per_kind.items()))}"
        )


async def _register(http: httpx.AsyncClient, prefix: str) -> tuple[str, str]:
    username = unique_name(prefix) + secrets.token_hex(2)
    body = {"username": username, "password": PASSWORD}
    registered = await http.post("/api/register", json=body)
    assert registered.status_code == 201, registered.text
    login = await http.post("/api/login", json=body)
    assert login.status_code == 200, login.text
    return username, login.json()["token"]


async def _client(url: str, http: httpx.AsyncClient, prefix: str) -> ChatClient:
    username, token = await _register(http, prefix)
    client = ChatClient(url, token, username)
    await client.connect()
    return client


def _attempts(
    secret: str, owner: str, sockets: list[ChatClient], bots: list[NatsUser]
) -> list[tuple[str, frozenset[str], Attempt]]:
    """Every kind of attempt, for each intruder: (kind, right codes, the attempt)."""
    kinds: list[tuple[str, frozenset[str], Attempt]] = []
    chat = {"chat_id": secret}
    for index, client in enumerate(sockets):
        other = sockets[(index + 1) % len(sockets)].username

        def sio(event: str, payload: Any, c: ChatClient = client) -> Attempt:
            return lambda: c.call(event, payload)

        kinds += [
            ("sio_read_history", FORBIDDEN, sio("messages:history", chat)),
            ("sio_read_newer", FORBIDDEN, sio("messages:history", {**chat, "after": 0})),
            ("sio_post", FORBIDDEN, sio("messages:send", {**chat, "text": "let me in"})),
            ("sio_join", FORBIDDEN, sio("chats:join", chat)),
            ("sio_invite_other", FORBIDDEN, sio("chats:invite", {**chat, "username": other})),
            (
                "sio_invite_self",
                FORBIDDEN,
                sio("chats:invite", {**chat, "username": client.username}),
            ),
            ("sio_typing", FORBIDDEN, sio("typing", chat)),
            ("sio_leave", FORBIDDEN, sio("chats:leave", chat)),
            (
                "sio_as_owner_post",
                INVALID,
                sio("messages:send", {**chat, "text": "x", "sender": owner}),
            ),
            ("sio_as_owner_read", INVALID, sio("messages:history", {**chat, "username": owner})),
            (
                "sio_as_owner_status",
                INVALID,
                sio("status:set", {"status": "busy", "username": owner}),
            ),
            ("sio_subscribe_room", INVALID, sio("subscribe", {"room": f"chat:{secret}"})),
        ]
    for bot in bots:

        def on_nats(
            command: Any, payload: Any, headers: dict[str, str] | None = None, b: NatsUser = bot
        ) -> Attempt:
            return lambda: b.call(command, payload, headers)

        forged = {storage.EDGE_PROOF_HEADER: "f" * 64}
        kinds += [
            ("nats_read_history", FORBIDDEN, on_nats(MESSAGE_HISTORY, chat)),
            ("nats_post", FORBIDDEN, on_nats(SEND_MESSAGE, {**chat, "text": "bot in"})),
            (
                "nats_post_forged_edge",
                FORBIDDEN,
                on_nats(SEND_MESSAGE, {**chat, "text": "x"}, forged),
            ),
            ("nats_join", FORBIDDEN, on_nats(JOIN_CHAT, chat)),
            (
                "nats_invite_self",
                FORBIDDEN,
                on_nats(INVITE_TO_CHAT, {**chat, "username": bot.username}),
            ),
            ("nats_typing", FORBIDDEN, on_nats(TYPING, chat)),
            ("nats_leave", FORBIDDEN, on_nats(LEAVE_CHAT, chat)),
            (
                "nats_as_owner_post",
                INVALID,
                on_nats(SEND_MESSAGE, {**chat, "text": "x", "sender": owner}),
            ),
        ]
    return kinds


async def run_campaign(
    url: str, nats_url: str, attempts: int, *, intruders: int = 8, bots: int = 4
) -> Figures:
    """Make ``attempts`` unauthorized attempts against a fresh private chat; the figures."""
    figures = Figures()
    async with http_client(base_url=url, timeout=30) as http:
        owner = await _client(url, http, "owner")
        friend = await _client(url, http, "friend")
        secret = (
            await owner.ok(
                "chats:create", {"name": "secret", "private": True, "members": [friend.username]}
            )
        )["id"]
        sockets = [await _client(url, http, "intruder") for _ in range(intruders)]
        nc: Client = await nats.connect(nats_url)
        try:
            nats_users = [NatsUser(nc, (await _register(http, "bot"))[0]) for _ in range(bots)]
            kinds = _attempts(secret, owner.username, sockets, nats_users)
            gate = asyncio.Semaphore(CONCURRENCY)

            async def attempt(kind: str, expected: frozenset[str], make: Attempt) -> None:
                async with gate:
                    reply = await make()
                figures.per_kind[kind] += 1
                if reply.get("ok") is True:
                    figures.succeeded += 1
                    figures.wrong.append(f"{kind}: succeeded {str(reply)[:200]}")
                    return
                code = reply["error"]["code"]
                figures.codes[code] += 1
                if code not in expected:
                    figures.wrong.append(f"{kind}: {code} {reply['error']['message']}")

            async def owner_keeps_posting(done: asyncio.Event) -> None:
                for number in itertools.count():
                    if done.is_set():
                        return
                    await owner.ok("messages:send", {"chat_id": secret, "text": f"secret {number}"})
                    await owner.ok("typing", {"chat_id": secret})
                    figures.owner_messages += 1

            done = asyncio.Event()
            posting = asyncio.create_task(owner_keeps_posting(done))
            started = time.perf_counter()
            plan = itertools.islice(itertools.cycle(kinds), attempts)
            await asyncio.gather(*(attempt(*item) for item in plan))
            figures.seconds = time.perf_counter() - started
            done.set()
            await posting
            figures.attempts = attempts

            # Everything the owner sent has reached the friend, so it has had every chance
            # to reach an intruder too: each intruder's own round trip (sync) flushes its socket.
            last = await owner.ok("messages:send", {"chat_id": secret, "text": "the end"})
            await friend.wait_for("message", lambda m: m["id"] == last["id"])
            for intruder in sockets:
                await intruder.sync()
                for event, received in intruder.events.items():
                    for data in received:
                        if _about(data, secret):
                            figures.leaked_events.append((event, data))
        finally:
            await nc.close()
            for client in [owner, friend, *sockets]:
                await client.sio.disconnect()
    return figures


def _about(data: Any, chat_id: str) -> bool:
    """Whether an event payload concerns ``chat_id``."""
    return isinstance(data, dict) and chat_id in (data.get("chat_id"), data.get("id"))


async def _main(attempts: int) -> Figures:
    from services.ops.embedded_nats import EmbeddedNats

    from .stack import running_stack

    with tempfile.TemporaryDirectory() as directory:
        server = EmbeddedNats(0, Path(directory) / "nats")
        await server.start()
        try:
            no_limit = {
                "CHATBUS_COMMAND_RATE_PER_SECOND": "0",
                "CHATBUS_TYPING_RATE_PER_SECOND": "0",
            }
            secret = secrets.token_urlsafe(32)
            async with running_stack(
                server.url, Path(directory) / "var", secret, no_limit
            ) as stack:
                figures = await run_campaign(stack.url, server.url, attempts)
                figures_ok = stack.all_running()
        finally:
            await server.stop()
    print(figures.summary())
    print(f"  every process still running: {figures_ok}")
    for line in figures.wrong[:20]:
        print("  WRONG", line)
    for event, data in figures.leaked_events[:20]:
        print("  LEAKED", event, json.dumps(data)[:200])
    return figures


def main() -> int:
    """Script entry point: exit 1 if any attempt succeeded or anything leaked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    figures = asyncio.run(_main(parser.parse_args().attempts))
    return 1 if figures.succeeded or figures.wrong or figures.leaked_events else 0


if __name__ == "__main__":
    raise SystemExit(main())
