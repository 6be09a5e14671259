"""A flood of malformed socket.io events and broken packets against a real edge process.

Every application-level bad event gets an error ack; broken
packets are answered when they carry an ack id; connections and processes
stay up (only the packets marked ``may_close`` may end their own connection);
the edge's resident memory grows by less than 10 %.
"""

import time
from collections import Counter
from typing import Any

import pytest
import socketio
from websockets.exceptions import ConnectionClosed

from tests.support.clients import PASSWORD, ChatClient, unique_name
from tests.support.http import http_client
from tests.system.abuse.raw_packets import BROKEN_PACKETS, BROKEN_POSTS, RawPolling, RawSocket
from tests.system.abuse.socketio_corpus import CASES, KINDS, BadEvent, flood
from tests.system.abuse.stack import Stack

FLOOD = 1000
MAX_GROWTH = 0.10

pytestmark = pytest.mark.timeout(180)


async def logged_in(url: str) -> tuple[str, str]:
    """A new user's name and token."""
    username = unique_name("flood")
    async with http_client(base_url=url) as http:
        registered = await http.post(
            "/api/register", json={"username": username, "password": PASSWORD}
        )
        assert registered.status_code == 201, registered.text
        login = await http.post("/api/login", json={"username": username, "password": PASSWORD})
        assert login.status_code == 200, login.text
        return username, login.json()["token"]


async def connected_client(stack: Stack) -> ChatClient:
    username, token = await logged_in(stack.url)
    client = ChatClient(stack.url, token, username)
    await client.connect()
    await client.ok("chats:join", {"chat_id": "general"})
    return client


def wrong_answer(case: BadEvent, reply: Any) -> str | None:
    """Why ``reply`` is not the error ack ``case`` must get (None if it is)."""
    if not isinstance(reply, dict) or reply.get("ok") is not False:
        return f"not a failure envelope: {str(reply)[:200]}"
    error = reply.get("error")
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return f"no {{code, message}}: {str(reply)[:200]}"
    if error.get("code") not in case.expected:
        return f"code {error.get('code')!r}, expected one of {sorted(case.expected)}"
    return None


async def emit(client: ChatClient, case: BadEvent) -> Any:
    """Emit ``case`` with exactly its arguments (a tuple is several arguments); the ack."""
    data = case.args if len(case.args) > 1 else (case.args[0] if case.args else None)
    return await client.sio.call(case.event, data, timeout=10)


async def send_all(client: ChatClient, cases: list[BadEvent]) -> list[str]:
    """Emit each case and check its ack; the problems found."""
    problems = []
    for case in cases:
        try:
            reply = await emit(client, case)
        except socketio.exceptions.TimeoutError:
            problems.append(f"{case.kind} {case.event[:30]!r}: no ack")
            continue
        problem = wrong_answer(case, reply)
        if problem:
            problems.append(f"{case.kind} {case.event[:30]!r}: {problem}")
    return problems


async def test_a_thousand_malformed_events_are_answered_and_leave_everything_up(
    stack: Stack,
) -> None:
    client = await connected_client(stack)
    bystander = await connected_client(stack)
    assert len(KINDS) >= 20

    # Warm-up: every case once, so allocator pools and caches are in place before measuring.
    assert await send_all(client, CASES) == []
    rss_before = stack.edge.rss_kib()

    cases = list(flood(FLOOD))
    started = time.perf_counter()
    problems = await send_all(client, cases)
    took = time.perf_counter() - started
    rss_after = stack.edge.rss_kib()

    per_kind = Counter(case.kind for case in cases)
    growth = (rss_after - rss_before) / rss_before
    print(
        f"\nsocket.io flood: {FLOOD} malformed events of {len(per_kind)} kinds in {took:.1f} s"
        f" ({FLOOD / took:.0f}/s); edge RSS {rss_before} KiB -> {rss_after} KiB"
        f" ({growth:+.1%})\n  per kind: {dict(sorted(per_kind.items()))}"
    )
    assert problems == []
    assert growth < MAX_GROWTH

    # The same connection still works, and so does everyone else's.
    assert client.sio.connected
    sent = await client.ok("messages:send", {"chat_id": "general", "text": "still here"})
    await bystander.wait_for("message", lambda m: m["id"] == sent["id"])
    assert stack.all_running()
    await client.sio.disconnect()
    await bystander.sio.disconnect()


async def test_broken_websocket_packets_never_stop_the_edge(stack: Stack) -> None:
    username, token = await logged_in(stack.url)
    watcher = await connected_client(stack)
    closed_by: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    problems = []
    raw = await RawSocket.open(stack.url, token)
    for packet in BROKEN_PACKETS:
        await raw.send(packet.frames)
        if packet.answered_id is not None:
            reply = await raw.ack(packet.answered_id)
            if not (reply.get("ok") is False and reply["error"]["code"] == "invalid"):
                problems.append(f"{packet.kind}: {reply}")
            answered[packet.kind] += 1
        # Still connected and still answering; or, for a packet that may end the connection,
        # closed before the edge reads the call after it (frames are read in order).
        try:
            reply = await raw.call("chats:list", {})
        except ConnectionClosed as error:
            if packet.may_close:
                closed_by[packet.kind] += 1
            else:
                problems.append(f"{packet.kind}: connection lost ({error!r})")
            raw = await RawSocket.open(stack.url, token)
            continue
        except Exception as error:  # noqa: BLE001 - reported below with the packet's kind
            problems.append(f"{packet.kind}: connection lost ({error!r})")
            raw = await RawSocket.open(stack.url, token)
            continue
        if reply.get("ok") is not True:
            problems.append(f"{packet.kind}: after it, chats:list answered {reply}")
    await raw.close()
    print(
        f"\nraw websocket: {len(BROKEN_PACKETS)} broken packets of"
        f" {len({p.kind for p in BROKEN_PACKETS})} kinds; answered with an error ack:"
        f" {sum(answered.values())}; connections closed by: {dict(closed_by)};"
        f" edge log tracebacks: {len(stack.edge.tracebacks())}"
    )
    assert problems == []
    assert set(closed_by) <= {p.kind for p in BROKEN_PACKETS if p.may_close}
    assert stack.all_running()
    assert (await watcher.call("chats:list"))["ok"] is True
    await watcher.sio.disconnect()
    # A client must not be able to fill the edge's log: one line per broken packet at most.
    assert stack.edge.tracebacks() == [], "\n".join(stack.edge.lines)


async def test_broken_polling_posts_never_stop_the_edge(stack: Stack) -> None:
    username, token = await logged_in(stack.url)
    problems = []
    statuses: Counter[int] = Counter()
    async with http_client(base_url=stack.url, timeout=10) as http:
        # Posts to a session that does not exist are refused by HTTP status, not by crashing.
        assert await RawPolling(http, "no-such-session").post(b'42["chats:list",{}]') == 400
        polling = await RawPolling.open(http, token)
        next_id = 100
        for post in BROKEN_POSTS:
            status = await polling.post(post.body)
            statuses[status] += 1
            if status != 200:
                polling = await RawPolling.open(http, token)
                continue
            if post.answered_id is not None:
                reply = await polling.ack(post.answered_id)
                if not (reply.get("ok") is False and reply["error"]["code"] == "invalid"):
                    problems.append(f"{post.kind}: {reply}")
            next_id += 1
            reply = await polling.call("chats:list", {}, next_id)
            if reply.get("ok") is not True:
                problems.append(f"{post.kind}: after it, chats:list answered {reply}")
    print(f"\nraw polling: {len(BROKEN_POSTS)} broken POST bodies; HTTP statuses {dict(statuses)}")
    assert problems == []
    assert stack.all_running()
