"""The edge's Engine.IO sockets (services/edge/_transport/): python-engineio's protocol, with
fewer objects per idle connection and events written straight to the websockets."""

import asyncio
import contextlib
import gc
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import engineio
import httpx
import pytest
import socketio
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from services.edge._transport import MAX_UNSENT_EVENTS, DirectWriteSocketServer, JsonPayload
from services.edge._transport.direct_write_manager import DirectWriteManager
from services.edge._transport.engine_socket import DirectWriteEngineSocket
from services.edge._transport.packet_queue import PacketQueue
from services.edge._transport.websocket_protocol import (
    HANDSHAKE_LOG,
    log_handshakes_when_debugging,
    text_frame,
)
from services.edge.app import WEBSOCKET_OPTIONS
from services.ops.embedded_nats import free_port
from tests.support.polling import wait_until

# PacketQueue


async def test_packet_queue_hands_out_items_in_the_order_they_were_put() -> None:
    queue = PacketQueue()
    for item in ("a", "b", "c"):
        await queue.put(item)
    assert [await queue.get(), queue.get_nowait(), await queue.get()] == ["a", "b", "c"]
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()
    backlog = list(range(10_000))  # a slow socket's backlog
    for item in backlog:
        queue.put_nowait(item)
    assert queue.qsize() == len(backlog)
    assert [queue.get_nowait() for _ in backlog] == backlog
    assert queue.empty()


async def test_packet_queue_get_waits_for_the_next_put() -> None:
    queue = PacketQueue()
    getting = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    assert not getting.done()
    queue.put_nowait("packet")
    assert await getting == "packet"


async def test_packet_queue_wake_up_is_not_lost_when_the_woken_getter_is_cancelled() -> None:
    queue = PacketQueue()
    first = asyncio.create_task(queue.get())
    second = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("packet")  # wakes `first`...
    first.cancel()  # ...which is cancelled before it runs
    assert await second == "packet"
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_packet_queue_join_waits_until_every_item_is_done() -> None:
    queue = PacketQueue()
    await queue.join()  # nothing put: returns at once
    queue.put_nowait("a")
    queue.put_nowait("b")
    joining = asyncio.create_task(queue.join())
    queue.get_nowait()
    queue.task_done()
    await asyncio.sleep(0)
    assert not joining.done()
    queue.get_nowait()
    queue.task_done()
    await joining
    with pytest.raises(ValueError):
        queue.task_done()


# The server, over real connections


@contextlib.asynccontextmanager
async def serving(**options: Any) -> AsyncIterator[tuple[socketio.AsyncServer, str]]:
    sio = DirectWriteSocketServer(async_mode="asgi", logger=False, **options)

    @sio.on("echo")
    async def echo(sid: str, data: Any) -> Any:
        return data

    port = free_port()
    config = uvicorn.Config(
        socketio.ASGIApp(sio),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        **WEBSOCKET_OPTIONS,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield sio, f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def open_raw(address: str, **options: Any) -> ClientConnection:
    """A websocket that has opened the socket.io namespace and answers nothing."""
    ws = await connect(f"ws://{address}/socket.io/?EIO=4&transport=websocket", **options)
    opening = await ws.recv()
    assert isinstance(opening, str) and opening.startswith("0")
    await ws.send("40")
    assert str(await ws.recv()).startswith("40")
    return ws


def no_sockets_left(sio: socketio.AsyncServer) -> Callable[[], Awaitable[bool]]:
    async def condition() -> bool:
        return not sio.eio.sockets

    return condition


def server_tasks() -> list[asyncio.Task[Any]]:
    """This loop's tasks but the websocket clients' own."""
    return [
        task
        for task in asyncio.all_tasks()
        if "websockets/asyncio" not in task.get_coro().cr_code.co_filename  # type: ignore[union-attr]
    ]


async def test_an_idle_websocket_holds_no_task_beyond_its_reader_and_writer() -> None:
    async with serving() as (sio, address):
        sockets = [await open_raw(address)]  # starts the server's own (one-off) tasks
        before = len(server_tasks())
        sockets += [await open_raw(address) for _ in range(10)]
        # Each connection: uvicorn's task running the app (the reader) and Engine.IO's writer.
        assert len(server_tasks()) - before == 2 * 10
        assert all(isinstance(s, DirectWriteEngineSocket) for s in sio.eio.sockets.values())
        for ws in sockets:
            await ws.close()


async def test_a_client_that_answers_pings_stays_connected() -> None:
    async with serving(ping_interval=0.1, ping_timeout=0.5) as (sio, address):
        ws = await open_raw(address)
        pings = 0
        async with asyncio.timeout(20):
            while pings < 5:
                frame = await ws.recv()
                assert frame == "2"
                pings += 1
                await ws.send("3")
        assert len(sio.eio.sockets) == 1
        await ws.close()


async def test_a_client_that_stops_answering_pings_is_disconnected() -> None:
    async with serving(ping_interval=0.1, ping_timeout=0.2) as (sio, address):
        ws = await open_raw(address)
        frames = []
        async with asyncio.timeout(20):
            async for frame in ws:  # ends when the server closes the connection
                frames.append(frame)
        assert frames[:1] == ["2"]
        await wait_until(no_sockets_left(sio))


async def test_a_closed_socket_is_freed_at_once_not_when_its_next_ping_is_due() -> None:
    async with serving() as (sio, address):
        ws = await open_raw(address)
        socket = weakref.ref(next(iter(sio.eio.sockets.values())))
        await ws.close()
        await wait_until(no_sockets_left(sio))
        gc.collect()
        assert socket() is None, "the closed socket is still held"


async def test_a_polling_client_that_stops_polling_is_closed_by_the_sweep() -> None:
    async with serving(ping_interval=0.2, ping_timeout=0.3) as (sio, address):
        reasons: list[str] = []
        sio.on("disconnect", lambda sid, reason: reasons.append(reason))
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            opened = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
            sid = opened.text.split('"sid":"')[1].split('"')[0]
            connected = await http.post(
                "/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid}, content="40"
            )
            assert connected.text == "OK"
        # It never polls again, so it never answers a ping.
        await wait_until(no_sockets_left(sio), timeout=10)
        assert reasons == [sio.reason.PING_TIMEOUT]


async def test_a_polling_client_upgrades_and_is_answered() -> None:
    async with serving() as (sio, address):
        client = socketio.AsyncClient()
        await client.connect(f"http://{address}", transports=["polling", "websocket"])
        try:
            assert await client.call("echo", {"n": 1}, timeout=10) == {"n": 1}
            assert client.transport() == "websocket"
        finally:
            await client.disconnect()


async def test_the_server_disconnecting_a_client_is_seen_by_the_client() -> None:
    async with serving() as (sio, address):
        client = socketio.AsyncClient()
        gone = asyncio.Event()
        client.on("disconnect", lambda *_: gone.set())
        await client.connect(f"http://{address}", transports=["websocket"])
        await sio.disconnect(next(iter(sio.manager.get_participants("/", None)))[0])
        async with asyncio.timeout(10):
            await gone.wait()
        await wait_until(no_sockets_left(sio))  # the client closes the Engine.IO connection


async def test_a_client_whose_command_is_still_being_handled_is_not_taken_for_gone() -> None:
    # Its pong waits behind its own command (a socket's events are handled in turn, as
    # the edge does): the client answered, the edge has not read it yet.
    release = asyncio.Event()
    options = {"ping_interval": 0.1, "ping_timeout": 0.3, "async_handlers": False}
    async with serving(**options) as (sio, address):

        async def slow(sid: str, data: Any) -> Any:
            await release.wait()
            return "done"

        sio.on("slow", slow)
        try:
            ws = await open_raw(address)
            await ws.send('421["slow",{}]')
            (socket,) = sio.eio.sockets.values()
            async with asyncio.timeout(20):
                assert await ws.recv() == "2"
            await ws.send("3")
            ping_sent = socket.last_ping
            assert ping_sent is not None

            async def pong_overdue() -> bool:
                return time.time() - ping_sent > 0.3

            await wait_until(pong_overdue)
            assert await socket.check_ping_timeout()
            release.set()
            async with asyncio.timeout(20):
                assert await ws.recv() == '431["done"]'
        finally:
            release.set()  # else the server would wait for the handler when it stops
        assert not socket.closed
        await ws.close()


async def test_a_client_heard_from_within_the_ping_timeout_is_not_taken_for_gone() -> None:
    # Its pongs are read only after its commands: one that keeps sending is there, even
    # with no pong read. Once it falls silent, the ping timeout applies again.
    options = {"ping_interval": 0.1, "ping_timeout": 0.3, "async_handlers": False}
    async with serving(**options) as (sio, address):
        ws = await open_raw(address)
        (socket,) = sio.eio.sockets.values()
        pings = 0
        async with asyncio.timeout(20):
            for number in range(15):  # 1.5 s, five times the ping timeout
                await ws.send(f'42{number}["echo",{{"n":{number}}}]')
                while (frame := await ws.recv()) == "2":
                    pings += 1  # never answered
                assert frame == f'43{number}[{{"n":{number}}}]'
                await asyncio.sleep(0.1)
        assert pings >= 1 and not socket.closed
        await wait_until(no_sockets_left(sio))
        await ws.close()


# Broadcasts: framed once, written straight to websockets with nothing queued before them


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 200_000])
def test_a_text_frame_is_what_a_websocket_client_parses(size: int) -> None:
    text = "é" * (size // 2) + "x" * (size % 2)  # `size` bytes, multi-byte characters included
    reader = StreamReader()
    reader.feed_data(text_frame(text))
    reader.feed_eof()
    parsing = Frame.parse(reader.read_exact, mask=False, max_size=None)
    with pytest.raises(StopIteration) as parsed:
        next(parsing)
    frame = parsed.value.value
    assert (frame.opcode, frame.fin, frame.rsv1) == (Opcode.TEXT, True, False)
    assert frame.data.decode() == text


def broadcast(sio: socketio.AsyncServer, event: str, payload: str, rooms: list[str]) -> int:
    """What the edge's fan-out does (``sio.emit(event, JsonPayload(payload), to=rooms)``),
    returning how many sockets the event was written or queued for."""
    manager = sio.manager
    assert isinstance(manager, DirectWriteManager)
    return manager.write_or_queue(event, JsonPayload(payload), rooms)


async def in_room(
    sio: socketio.AsyncServer, address: str, **options: Any
) -> tuple[ClientConnection, DirectWriteEngineSocket]:
    """A raw websocket client, its socket on the server, and that socket in "room"."""
    ws = await open_raw(address, **options)
    ((sid, _),) = sio.manager.get_participants("/", None)
    await sio.enter_room(sid, "room")
    (socket,) = sio.eio.sockets.values()
    return ws, socket


async def test_a_broadcast_is_written_to_a_websocket_at_once_and_in_order() -> None:
    async with serving() as (sio, address):
        ws, socket = await in_room(sio, address)
        for n in range(100):
            await sio.emit("event", JsonPayload(json.dumps({"n": n})), to=["room"])
            assert socket.queue.empty()  # written, not left for the writer task
        # A packet Engine.IO queued (a ping) is not overtaken by the next broadcast.
        socket.queue.put_nowait(engineio.packet.Packet(engineio.packet.PING))
        await sio.emit("event", JsonPayload(json.dumps({"n": 100})), to=["room"])
        async with asyncio.timeout(10):
            for n in range(100):
                assert await ws.recv() == f'42["event",{{"n": {n}}}]'
            assert await ws.recv() == "2"
            assert await ws.recv() == '42["event",{"n": 100}]'
        await ws.close()


async def test_answers_and_broadcasts_arrive_in_the_order_they_were_sent() -> None:
    async with serving() as (sio, address):
        ws, socket = await in_room(sio, address)
        broadcast(sio, "event", '{"n": 0}', ["room"])
        # An answer, sent as python-socketio sends one; a broadcast after it waits for it.
        await socket.send(engineio.packet.Packet(engineio.packet.MESSAGE, "30[0]"))
        broadcast(sio, "event", '{"n": 1}', ["room"])
        await ws.send('421["echo",1]')  # answered through a handler, as commands are
        async with asyncio.timeout(10):
            received = [await ws.recv() for _ in range(4)]
        assert received == ['42["event",{"n": 0}]', "430[0]", '42["event",{"n": 1}]', "431[1]"]
        await ws.close()


async def test_a_broadcast_waits_for_packets_the_writer_has_taken_but_not_written() -> None:
    async with serving() as (sio, address):
        ws, socket = await in_room(sio, address)
        protocol = socket._direct
        assert protocol is not None
        protocol.pause_writing()  # as its transport does when the client reads too slowly
        socket.queue.put_nowait(engineio.packet.Packet(engineio.packet.PING))
        socket.queue.put_nowait(engineio.packet.Packet(engineio.packet.MESSAGE, '2["first"]'))

        async def taken() -> bool:
            return socket.queue.empty()

        await wait_until(taken)  # the writer holds both, waiting to write
        protocol.resume_writing()
        broadcast(sio, "event", '{"n": 1}', ["room"])  # before the writer runs again
        async with asyncio.timeout(10):
            assert [await ws.recv() for _ in range(3)] == [
                "2",
                '42["first"]',
                '42["event",{"n": 1}]',
            ]
        await ws.close()


async def test_a_client_reading_slowly_gets_every_broadcast_in_order() -> None:
    async with serving() as (sio, address):
        ws, socket = await in_room(sio, address, max_size=None, max_queue=1)
        padding = "x" * 65_536
        sent = 0

        def emit() -> None:
            nonlocal sent
            broadcast(sio, "event", json.dumps({"n": sent, "pad": padding}), ["room"])
            sent += 1

        # The client reads nothing until the edge's buffer for it fills and events wait queued.
        while socket.queue.empty():
            assert sent < 10_000, "the events never had to wait"
            emit()
        queued_at = sent

        async def read_all() -> None:
            received = 0
            while received < sent or received < queued_at + 2_000:
                event = json.loads(str(await ws.recv())[2:])
                assert event == ["event", {"n": received, "pad": padding}]
                received += 1

        # Then it reads while more arrive, as the backlog drains and writes go direct again.
        reading = asyncio.create_task(read_all())
        async with asyncio.timeout(60):
            for _ in range(2_000):
                emit()
                await asyncio.sleep(0)
            await reading
        await ws.close()


async def test_a_polling_client_gets_broadcasts_through_its_queue() -> None:
    # Short ping times: the client's disconnect waits for its pending poll to end, which takes
    # up to the ping interval and timeout together.
    async with serving(ping_interval=0.5, ping_timeout=1) as (sio, address):
        client = socketio.AsyncClient()
        received: asyncio.Queue[Any] = asyncio.Queue()
        client.on("event", received.put_nowait)
        await client.connect(f"http://{address}", transports=["polling"])
        try:
            ((sid, _),) = sio.manager.get_participants("/", None)
            await sio.enter_room(sid, "room")
            assert broadcast(sio, "event", '{"n": 1}', ["room"]) == 1
            async with asyncio.timeout(10):
                assert await received.get() == {"n": 1}
        finally:
            await client.disconnect()


async def test_a_client_too_far_behind_is_disconnected_and_its_backlog_freed() -> None:
    async with serving() as (sio, address):
        reasons: list[str] = []
        sio.on("disconnect", lambda sid, reason: reasons.append(reason))
        keeping_up = await open_raw(address)
        # The other one takes a frame and then reads nothing more.
        stalled = await open_raw(address, max_size=None, max_queue=1)
        for sid, _ in list(sio.manager.get_participants("/", None)):
            await sio.enter_room(sid, "room")
        sockets = list(sio.eio.sockets.values())
        padding = "x" * 16_384
        sent = 0

        async def read_everything() -> None:
            for n in range(sent_in_all):
                event = json.loads(str(await keeping_up.recv())[2:])
                assert event == ["event", {"n": n, "pad": padding}]

        sent_in_all = 3 * MAX_UNSENT_EVENTS
        reading = asyncio.create_task(read_everything())
        async with asyncio.timeout(60):
            while sent < sent_in_all:
                broadcast(sio, "event", json.dumps({"n": sent, "pad": padding}), ["room"])
                sent += 1
                assert all(s.queue.qsize() <= MAX_UNSENT_EVENTS for s in sockets)
                await asyncio.sleep(0)  # the client keeping up reads meanwhile
            await reading

        async def one_socket_left() -> bool:
            return len(sio.eio.sockets) == 1

        await wait_until(one_socket_left)
        assert reasons == ["server disconnect"]
        (cut_off,) = [s for s in sockets if s.closed]
        left = [cut_off.queue.get_nowait() for _ in range(cut_off.queue.qsize())]
        assert left in ([], [None])  # at most the reader's note to the writer that it ended
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(30):
                while True:  # what reached it before the cut, then the end of the connection
                    await stalled.recv()
        await keeping_up.close()


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_a_websocket_opened_is_logged_only_when_debugging(level: int) -> None:
    # The edge's level, on the root logger (configure_logging) and on uvicorn's (uvicorn.Config).
    loggers = [logging.getLogger(), logging.getLogger("uvicorn.error"), HANDSHAKE_LOG]
    were = [logger.level for logger in loggers]
    try:
        loggers[0].setLevel(level)
        loggers[1].setLevel(level)
        log_handshakes_when_debugging()
        assert HANDSHAKE_LOG.isEnabledFor(logging.INFO) == (level == logging.DEBUG)
        assert HANDSHAKE_LOG.isEnabledFor(logging.ERROR)
    finally:
        for logger, was in zip(loggers, were, strict=True):
            logger.setLevel(was)
