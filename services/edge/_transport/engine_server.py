"""The edge's Engine.IO and Socket.IO servers, making ``DirectWriteEngineSocket``s.

Follows python-engineio 4.15.1 ``AsyncServer._handle_connect`` (copied, to make
the socket class below instead of ``AsyncSocket``), ``AsyncServer._service_task``
(replaced by ``client_sweep``), ``AsyncServer.create_queue`` and
``BaseServer._async`` (its ASGI driver's ``translate_request``, replaced by
``asgi_environ``), and python-socketio 5.18.1 ``AsyncServer._engineio_server_class``
and ``client_manager``.

Upstream, a ``socket_class`` attribute of ``AsyncServer`` (read where
``_handle_connect`` makes ``async_socket.AsyncSocket``) would make the copy of
``_handle_connect`` unnecessary, and an ``engineio_server_class`` option of
python-socketio's server the override of ``_engineio_server_class``.
"""

import asyncio
from typing import Any

import engineio
import socketio
from engineio import exceptions, packet

from .asgi_environ import translate_request
from .client_sweep import sweep_clients
from .direct_write_manager import DirectWriteManager
from .engine_socket import DirectWriteEngineSocket
from .packet_queue import PacketQueue
from .ping_batches import PingBatches

__all__ = ["DirectWriteEngineServer", "DirectWriteSocketServer"]


class DirectWriteEngineServer(engineio.AsyncServer):
    """python-engineio's server, making ``DirectWriteEngineSocket``s."""

    # Set by python-engineio's BaseServer; declared for the type checker.
    _async: dict[str, Any]
    start_service_task: bool
    service_task_event: asyncio.Event

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._async = {**self._async, "translate_request": translate_request}
        self.ping_batches = PingBatches(self._ping_client)

    def create_queue(self, *args: Any, **kwargs: Any) -> PacketQueue:
        """The socket's outgoing packets."""
        return PacketQueue()

    def _ping_client(self, sid: str) -> None:
        socket = self.sockets.get(sid)
        if isinstance(socket, DirectWriteEngineSocket):
            socket.ping()

    async def _service_task(self) -> None:
        # Started by _handle_connect, stopped by python-engineio's shutdown through the event.
        self.service_task_event = self.create_event()
        await sweep_clients(self, self.service_task_event)

    async def _handle_connect(
        self, environ: dict[str, Any], transport: str, jsonp_index: int | None = None
    ) -> Any:
        # python-engineio's, with DirectWriteEngineSocket for async_socket.AsyncSocket.
        if self.start_service_task:
            # start the service task to monitor connected clients
            self.start_service_task = False
            self.service_task_handle = self.start_background_task(self._service_task)

        sid = self.generate_id()
        s = DirectWriteEngineSocket(self, sid)
        self.sockets[sid] = s

        pkt = packet.Packet(
            packet.OPEN,
            {
                "sid": sid,
                "upgrades": self._upgrades(sid, transport),
                "pingTimeout": int(self.ping_timeout * 1000),
                "pingInterval": int(self.ping_interval + self.ping_interval_grace_period) * 1000,
                "maxPayload": self.max_http_buffer_size,
            },
        )
        await s.send(pkt)

        ret = await self._trigger_event("connect", sid, environ, run_async=False)
        if ret is not None and ret is not True:
            del self.sockets[sid]
            self.logger.warning("Application rejected connection")
            return self._unauthorized(ret or None)

        s.schedule_ping()

        if transport == "websocket":
            ret = await s.handle_get_request(environ)
            if s.closed and sid in self.sockets:
                # websocket connection ended, so we are done
                del self.sockets[sid]
            return ret
        s.connected = True
        headers = None
        if self.cookie:
            cookie = (
                self.cookie
                if isinstance(self.cookie, dict)
                else {"name": self.cookie, "path": "/", "SameSite": "Lax"}
            )
            headers = [("Set-Cookie", self._generate_sid_cookie(sid, cookie))]
        try:
            return self._ok(await s.poll(), headers=headers, jsonp_index=jsonp_index)
        except exceptions.QueueEmpty:
            return self._bad_request()


class DirectWriteSocketServer(socketio.AsyncServer):
    """python-socketio's server on a ``DirectWriteEngineServer``, emitting through a
    ``DirectWriteManager``."""

    def __init__(self, **options: Any) -> None:
        super().__init__(client_manager=DirectWriteManager(), **options)

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return DirectWriteEngineServer
