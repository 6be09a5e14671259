"""The edge's lean Engine.IO sockets: same protocol, fewer objects per idle connection."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import socketio
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from services.edge.app import WEBSOCKET_OPTIONS
from services.edge.engine import LeanEngineSocket, LeanSocketServer
from services.edge.packet_queue import PacketQueue
from services.natsserver import free_port

from .support import wait_until

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
    sio = LeanSocketServer(async_mode="asgi", logger=False, **options)

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


async def open_raw(address: str) -> ClientConnection:
    """A websocket that has opened the socket.io namespace and answers nothing."""
    ws = await connect(f"ws://{address}/socket.io/?EIO=4&transport=websocket")
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
        assert all(isinstance(s, LeanEngineSocket) for s in sio.eio.sockets.values())
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
