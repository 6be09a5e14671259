"""The benchmarks' socket.io client: Engine.IO v4 / socket.io v5 text frames over one websocket.

The load generator's receivers must cost far less CPU than the server they
measure; python-socketio's AsyncClient costs more CPU per received message than
the server does. This client does only what a benchmark needs: connect with
``auth``, answer pings, emit with an acknowledgement, and hand each server
event to a callback. Frames (see the socket.io protocol): ``0{...}`` open,
``2``/``3`` ping/pong, ``40{auth}`` connect, ``44{...}`` refused,
``42[name, data]`` event, ``42<id>[...]`` event wanting an ack, ``43<id>[...]`` ack.
"""

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from .rawsocket import HandshakeRefused, RawWebSocket, open_websocket

__all__ = ["BenchClient", "ConnectRefused", "EventSink"]

EventSink = Callable[[str, Any], None]
"""Receives a server event's name and payload."""

ENGINE_OPEN = "0"
ENGINE_PING = "2"
ENGINE_PONG = "3"
EVENT = "42"
ACK = "43"
CONNECTED = "40"
REFUSED = "44"


class ConnectRefused(Exception):
    """The server refused the socket.io connection (its ``connect_error`` data)."""


class BenchClient:
    """One socket.io connection on namespace ``/``."""

    def __init__(self, url: str, on_event: EventSink) -> None:
        base = url.replace("http://", "ws://", 1)  # the systems under test serve plain HTTP
        self._url = f"{base}/socket.io/?EIO=4&transport=websocket"
        self._on_event = on_event
        self._ws: RawWebSocket | None = None
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._ack_ids = itertools.count()
        self._ended: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()

    async def connect(self, auth: dict[str, Any], timeout: float = 30.0) -> None:
        """Open the websocket and the namespace; ``ConnectRefused`` if the server says no."""
        async with asyncio.timeout(timeout):
            try:
                ws = await open_websocket(self._url)
            except HandshakeRefused as refused:
                raise ConnectRefused(str(refused)) from None
            self._ws = ws
            try:
                opening = await ws.recv()
                if not opening.startswith(ENGINE_OPEN):
                    raise ConnectRefused(f"unexpected opening frame {opening!r:.80}")
                ws.send(CONNECTED + json.dumps(auth))
                while True:
                    frame = await ws.recv()
                    if frame == ENGINE_PING:
                        ws.send(ENGINE_PONG)
                    elif frame.startswith(CONNECTED):
                        break
                    elif frame.startswith(REFUSED):
                        raise ConnectRefused(frame[2:])
                    else:
                        self._dispatch(frame)  # an event sent right after connect
            except BaseException:
                ws.close()
                raise
        ws.listen(self._on_frame)
        self._ended = asyncio.create_task(self._when_closed(ws))

    async def call(self, event: str, data: Any, timeout: float = 30.0) -> Any:
        """Emit ``event`` and wait for its acknowledgement's first argument."""
        return await asyncio.wait_for(await self.emit(event, data), timeout)

    async def emit(self, event: str, data: Any) -> asyncio.Future[Any]:
        """Emit ``event`` wanting an ack; the future of the ack, without waiting for it."""
        assert self._ws is not None, "connect first"
        ack_id = next(self._ack_ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        # A connection that closes fails every ack it still owes; whoever asked may be gone.
        future.add_done_callback(_retrieve)
        self._acks[ack_id] = future
        try:
            self._ws.send(f"{EVENT}{ack_id}{json.dumps([event, data])}")
        except ConnectionError:
            self._acks.pop(ack_id, None)
            raise
        await self._ws.drain()
        return future

    async def close(self) -> None:
        """Close the connection (the server sees a disconnect)."""
        if self._ws is not None:
            self._ws.close()
        if self._ended is not None:
            await self._ended

    def _on_frame(self, frame: str) -> None:
        if frame == ENGINE_PING:
            assert self._ws is not None
            self._ws.send(ENGINE_PONG)
        else:
            self._dispatch(frame)

    async def _when_closed(self, ws: RawWebSocket) -> None:
        await ws.closed.wait()
        self.closed.set()
        for future in self._acks.values():
            if not future.done():
                future.set_exception(ConnectionError("the connection closed"))

    def _dispatch(self, frame: str) -> None:
        if frame.startswith(EVENT):
            start = frame.index("[")
            name, *args = json.loads(frame[start:])
            self._on_event(name, args[0] if args else None)
        elif frame.startswith(ACK):
            start = frame.index("[")
            future = self._acks.pop(int(frame[2:start]), None)
            if future is not None and not future.done():
                args = json.loads(frame[start:])
                future.set_result(args[0] if args else None)


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
