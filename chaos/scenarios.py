"""The faults: each scenario runs a fresh system, breaks it while users chat, and audits.

| scenario          | what breaks                                                      |
|-------------------|------------------------------------------------------------------|
| ``nats-kill``     | SIGKILL nats-server mid-burst, restart it on the same store      |
| ``handler-kill``  | SIGKILL chats, messages, status in turn mid-burst, restart each  |
| ``nats-restarts`` | nats-server restarted again and again; time until all resumes    |
| ``offline``       | one user offline while others post; catches up by seq            |
| ``sigterm``       | SIGTERM each service, the edge and nats-server under load        |
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from services.contracts import storage, utc_now
from services.ops.role_names import EDGE, HANDLER_SERVICES
from services.status.presence import PresenceRecord
from services.storage.chat_records import ChatRecord, MemberRecord, member_key

from .clients import Send, Sender
from .crowd import Progress, burst, chaos_system, crowd, finish
from .figures import Figures
from .system import ChaosSystem

__all__ = ["FULL_FORMS", "SCENARIOS", "Options", "run_scenario"]


@dataclass
class Options:
    """How big a run is; the defaults are the full forms README's fault table reports."""

    messages: int = 5000
    clients: int = 10
    restarts: int = 10
    period: float = 6.0
    offline_seconds: float = 30.0
    # Seconds nats-server stays down after a SIGKILL.
    down_seconds: float = 1.0
    # Spread each burst over this many seconds (0: as fast as the system acks), so that
    # every fault of a multi-fault scenario lands while users are still sending.
    burst_seconds: float = 0.0
    root: Path | None = None


async def nats_kill(options: Options) -> Figures:
    """SIGKILL nats-server a third into the burst, restart it on the same store."""
    figures = Figures("nats-kill")
    async with chaos_system(options.root) as system:
        senders, chat_id = await crowd(system, options.clients)
        progress = Progress()
        sending = asyncio.create_task(
            burst(senders, chat_id, options.messages, progress, spread=options.burst_seconds)
        )
        await progress.reached(options.messages // 3)
        await system.kill_nats()
        figures.extra["acked when killed"] = progress.acked
        await asyncio.sleep(options.down_seconds)  # the outage itself
        await system.start_nats()
        figures.resume_seconds.append(await progress.next_ack())
        sends = await sending
        await finish_with_replay(system, figures, sends, senders, chat_id)
    return figures


async def finish_with_replay(
    system: ChaosSystem, figures: Figures, sends: list[Send], senders: list[Sender], chat_id: str
) -> None:
    """Re-send acked messages after the restart: de-duplication must survive it."""
    replayed = [send for send in sends if send.acked][: max(10, len(sends) // 50)]
    by_name = {sender.username: sender for sender in senders}
    moved = 0
    for send in replayed:
        # A client_id is the sender's own: the replay comes from the user who sent it.
        sender = by_name[send.client_id.rsplit("-", 1)[0]]
        again = await sender.ok(
            "messages:send", {"chat_id": chat_id, "text": send.text, "client_id": send.client_id}
        )
        moved += again["seq"] != (send.acked or {}).get("seq")
    await finish(system, figures, sends, senders, chat_id)
    figures.extra["re-sent after restart"] = len(replayed)
    figures.extra["re-sent after restart, got another seq"] = moved


async def handler_kill(options: Options) -> Figures:
    """SIGKILL each handler process in turn mid-burst and restart it."""
    figures = Figures("handler-kill")
    async with chaos_system(options.root) as system:
        senders, chat_id = await crowd(system, options.clients)
        progress = Progress()
        sending = asyncio.create_task(
            burst(senders, chat_id, options.messages, progress, spread=options.burst_seconds)
        )
        for turn, role in enumerate(HANDLER_SERVICES, start=1):
            await progress.reached(options.messages * turn // (len(HANDLER_SERVICES) + 1))
            figures.extra[f"acked when {role} was killed"] = progress.acked
            await system.kill(role)
            restarted = await system.start_role(role)
            figures.extra[f"{role} serving again after s"] = round(restarted, 2)
        sends = await sending
        await finish(system, figures, sends, senders, chat_id)
    return figures


async def offline(options: Options) -> Figures:
    """A user offline while others post catches up by seq, each message once, in order."""
    figures = Figures("offline")
    async with chaos_system(options.root) as system:
        senders, chat_id = await crowd(system, max(2, options.clients))
        away, *posters = senders
        await posters[0].ok("messages:send", {"chat_id": chat_id, "text": "before"})
        last_seen = max((m["seq"] for m in await away.history_after(chat_id, 0)), default=0)
        await away.disconnect()
        went_away = time.monotonic()
        sends = await burst(posters, chat_id, options.messages, Progress())
        # Stay away for the rest of the offline time, as a closed laptop would.
        await asyncio.sleep(max(0.0, options.offline_seconds - (time.monotonic() - went_away)))
        figures.extra["offline s"] = f"{time.monotonic() - went_away:.1f}"
        await away.connect()
        caught_up = await away.history_after(chat_id, last_seen)
        ours = [m["text"] for m in caught_up if m["text"] in {s.text for s in sends}]
        seqs = [m["seq"] for m in caught_up]
        figures.extra["caught up"] = len(ours)
        figures.extra["caught up in order, once"] = seqs == sorted(set(seqs)) and len(
            set(ours)
        ) == len(ours)
        figures.extra["missing after catch-up"] = len({s.text for s in sends} - set(ours))
        await finish(system, figures, sends, senders, chat_id)
    return figures


async def nats_restarts(options: Options) -> Figures:
    """Restart nats-server ``restarts`` times, one every ``period`` seconds.

    Users other than the two probing ones keep chatting throughout. After each
    restart, times how long until every consumer works again: a send is acked
    (messages service) and pushed live to another user (the edge's
    subscription); a chat and a presence written straight into their buckets by
    another program show up in ``chats:list`` and ``presence:list`` (the KV
    watchers of the chats and status services).
    """
    figures = Figures("nats-restarts")
    async with chaos_system(options.root) as system:
        senders, chat_id = await crowd(system, max(2, options.clients))
        writer, reader, *chatters = senders
        spread = options.burst_seconds or options.restarts * options.period
        chatting = asyncio.create_task(
            burst(chatters, chat_id, options.messages if chatters else 0, Progress(), spread=spread)
        )
        sends: list[Send] = []
        slowest: dict[str, float] = {}
        down: list[float] = []
        for restart in range(options.restarts):
            started = time.monotonic()
            await system.terminate_nats()
            await system.start_nats()
            down.append(time.monotonic() - started)
            checks = await _resume_checks(system, writer, reader, chat_id, restart, sends)
            for consumer, seconds in checks.items():
                slowest[consumer] = max(slowest.get(consumer, 0.0), seconds)
            figures.resume_seconds.append(max(checks.values()))
            # Pace the restarts: one every `period` seconds.
            await asyncio.sleep(max(0.0, options.period - (time.monotonic() - started)))
        figures.extra["nats down s (max)"] = round(max(down), 2)
        figures.extra["slowest resume per consumer s"] = ", ".join(
            f"{consumer} {seconds:.2f}" for consumer, seconds in slowest.items()
        )
        sends += await chatting
        await finish(system, figures, sends, senders, chat_id)
    return figures


async def _resume_checks(
    system: ChaosSystem,
    writer: Sender,
    reader: Sender,
    chat_id: str,
    restart: int,
    sends: list[Send],
) -> dict[str, float]:
    """Seconds until each consumer works after a restart (all checked at once)."""
    chat = ChatRecord(
        id=f"outside{restart}",
        name="written by another program",
        private=False,
        owner=writer.username,
        created_at=utc_now(),
    )
    ghost = PresenceRecord(username=f"ghost{restart}", since=utc_now(), connections={"x.y": "x"})

    async def message_pushed() -> None:
        send = Send(f"probe{restart}", f"probe after restart {restart}")
        sends.append(send)
        await writer.send(chat_id, send, within=30)
        while not any(m["text"] == send.text for m in reader.messages):
            await asyncio.sleep(0.02)

    async def chat_listed() -> None:
        await system.put(storage.CHATS_BUCKET, chat.id, chat.model_dump_json().encode())
        reading = MemberRecord(role="member", joined_at=utc_now()).model_dump_json().encode()
        await system.put(storage.CHATS_BUCKET, member_key(chat.id, reader.username), reading)
        while chat.id not in [c["id"] for c in await reader.ok("chats:list", {})]:
            await asyncio.sleep(0.05)

    async def presence_listed() -> None:
        await system.put(storage.PRESENCE_BUCKET, ghost.username, ghost.model_dump_json().encode())
        while ghost.username not in [p["username"] for p in await reader.ok("presence:list", {})]:
            await asyncio.sleep(0.05)

    checks: dict[str, Callable[[], Awaitable[None]]] = {
        "message acked+pushed": message_pushed,
        "chats watcher": chat_listed,
        "presence watcher": presence_listed,
    }
    return dict(
        zip(
            checks, await asyncio.gather(*(_timed(check) for check in checks.values())), strict=True
        )
    )


async def _timed(check: Callable[[], Awaitable[None]], limit: float = 30.0) -> float:
    started = time.monotonic()
    try:
        await asyncio.wait_for(check(), limit)
    except TimeoutError:
        return float("inf")  # stuck
    return time.monotonic() - started


async def sigterm(options: Options) -> Figures:
    """SIGTERM each service, the edge, then nats-server, under load; restart each."""
    figures = Figures("sigterm")
    async with chaos_system(options.root) as system:
        senders, chat_id = await crowd(system, options.clients)
        progress = Progress()
        sending = asyncio.create_task(
            burst(senders, chat_id, options.messages, progress, spread=options.burst_seconds)
        )
        roles = [*HANDLER_SERVICES, EDGE, "nats"]
        signalled: dict[str, float] = {}
        for turn, role in enumerate(roles, start=1):
            await progress.reached(options.messages * turn // (len(roles) + 1))
            figures.extra[f"acked when {role} got SIGTERM"] = progress.acked
            signalled[role] = time.monotonic()
            if role == "nats":
                figures.exit_seconds[role] = (await system.terminate_nats()).seconds
                await system.start_nats()
            else:
                ended = await system.terminate(role)
                figures.exit_seconds[role] = ended.seconds
                figures.extra[f"exit code: {role}"] = ended.code
                await system.start_role(role)
        sends = await sending
        for role, when in signalled.items():
            figures.extra[f"redeliveries around {role} SIGTERM"] = sum(
                1
                for send in sends
                if send.stored_before_last_attempt
                and send.started <= when
                and when <= send.finished
            )
        await finish(system, figures, sends, senders, chat_id)
    return figures


# The full forms, where they differ from the defaults. The multi-fault bursts are
# spread out so that every fault lands while users are still sending.
FULL_FORMS = {
    "handler-kill": Options(burst_seconds=30.0),
    "sigterm": Options(burst_seconds=30.0),
    "offline": Options(messages=500),
}

SCENARIOS: dict[str, Callable[[Options], Awaitable[Figures]]] = {
    "nats-kill": nats_kill,
    "handler-kill": handler_kill,
    "nats-restarts": nats_restarts,
    "offline": offline,
    "sigterm": sigterm,
}


async def run_scenario(name: str, options: Options) -> Figures:
    """Run one scenario by name."""
    return await SCENARIOS[name](options)
