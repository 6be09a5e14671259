"""The load generator's websocket client against a real server (the ``websockets`` library's)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.server import ServerConnection, serve

from benchmarks.rawsocket import HandshakeRefused, RawWebSocket, open_websocket
from services.ops.embedded_nats import free_port
from tests.support.polling import wait_until

SIZES = [0, 1, 125, 126, 65_535, 65_536, 200_000]


def text_of(size: int) -> str:
    """``size`` bytes of UTF-8, multi-byte characters included."""
    return "é" * (size // 2) + "x" * (size % 2)


async def script(ws: ServerConnection) -> None:
    """Send every size, a fragmented text and a ping; then echo until the client closes."""
    for size in SIZES:
        await ws.send(text_of(size))
    await ws.send(["frag", "ment", "ed"])  # one message in three frames
    await ws.ping(b"are you there")
    async for text in ws:
        await ws.send(f"echo:{text}")


@contextlib.asynccontextmanager
async def server() -> AsyncIterator[str]:
    port = free_port()
    async with serve(script, "127.0.0.1", port, compression=None, max_size=None):
        yield f"ws://127.0.0.1:{port}/socket.io/?EIO=4"


async def test_texts_of_every_length_and_fragmented_ones_arrive_whole_and_in_order() -> None:
    async with server() as url:
        ws = await open_websocket(url)
        async with asyncio.timeout(10):
            assert [await ws.recv() for _ in SIZES] == [text_of(size) for size in SIZES]
            assert await ws.recv() == "fragmented"
        ws.close()


async def test_texts_sent_are_masked_as_the_server_requires_and_pings_are_answered() -> None:
    async with server() as url:
        ws = await open_websocket(url)
        for _ in range(len(SIZES) + 1):
            await ws.recv()
        heard: asyncio.Queue[str] = asyncio.Queue()
        ws.listen(heard.put_nowait)
        for size in (0, 3, 125, 126, 70_000):
            ws.send(text_of(size))  # an unmasked frame would make the server close with 1002
        async with asyncio.timeout(10):
            for size in (0, 3, 125, 126, 70_000):
                assert await heard.get() == f"echo:{text_of(size)}"
        ws.close()
        async with asyncio.timeout(10):
            await ws.closed.wait()


async def test_texts_that_arrive_before_listen_go_to_it_in_order() -> None:
    async with server() as url:
        ws = await open_websocket(url)
        first = await ws.recv()
        heard: list[str] = []
        ws.send("ping me back")

        async def echo_waiting() -> bool:
            return bool(ws._early) and ws._early[-1] == "echo:ping me back"

        await wait_until(echo_waiting)  # everything before the echo is waiting unread too
        ws.listen(heard.append)
        assert [first, *heard] == [*(text_of(size) for size in SIZES), "fragmented"] + [
            "echo:ping me back"
        ]
        ws.close()


async def test_a_refused_upgrade_is_reported_with_its_status() -> None:
    port = free_port()

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    listening = await asyncio.start_server(refuse, "127.0.0.1", port)
    async with listening:
        with pytest.raises(HandshakeRefused, match="503"):
            await open_websocket(f"ws://127.0.0.1:{port}/")


async def test_recv_after_the_server_closed_raises() -> None:
    async def close_at_once(ws: ServerConnection) -> None:
        await ws.close()

    port = free_port()
    async with serve(close_at_once, "127.0.0.1", port):
        ws: RawWebSocket = await open_websocket(f"ws://127.0.0.1:{port}/")
        with pytest.raises(ConnectionError):
            async with asyncio.timeout(10):
                await ws.recv()
        assert ws.closed.is_set()


async def test_a_sender_waits_while_the_server_reads_nothing_and_goes_on_once_it_reads() -> None:
    reading = asyncio.Event()

    async def read_when_told(ws: ServerConnection) -> None:
        await reading.wait()
        async for _ in ws:
            pass

    port = free_port()
    async with serve(read_when_told, "127.0.0.1", port, max_queue=1, max_size=None):
        ws = await open_websocket(f"ws://127.0.0.1:{port}/")
        chunk = "x" * 65_536
        for _ in range(4_096):  # at most 256 MiB: the kernel's buffers fill long before
            ws.send(chunk)
            drained = asyncio.ensure_future(ws.drain())
            await asyncio.sleep(0)  # one turn: a drain that need not wait is done by then
            if not drained.done():
                break
        assert not drained.done(), "sending never had to wait"
        reading.set()
        async with asyncio.timeout(30):
            await drained
        ws.close()
