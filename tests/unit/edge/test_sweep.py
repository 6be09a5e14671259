"""The edge's sweep of Engine.IO clients (services/edge/_transport/client_sweep.py)."""

import asyncio
from typing import Any

import pytest

from services.edge._transport import client_sweep
from services.edge._transport.client_sweep import sweep_clients
from tests.support.polling import wait_until


class FakeSocket:
    """What the sweep reads of python-engineio's socket."""

    def __init__(self, sid: str, closed: bool = False) -> None:
        self.sid = sid
        self.closed = closed
        self.closing = False
        self.visits = 0

    async def check_ping_timeout(self) -> bool:
        self.visits += 1
        return True


class FakeServer:
    def __init__(self, sockets: list[FakeSocket], ping_timeout: float) -> None:
        self.sockets: dict[str, Any] = {socket.sid: socket for socket in sockets}
        self.ping_timeout = ping_timeout
        self.logger = None


async def test_each_socket_is_visited_once_per_ping_timeout_a_share_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client_sweep, "SWEEP_EVERY_SECONDS", 0.01)
    open_sockets = [FakeSocket(f"open-{n}") for n in range(10)]
    closed = FakeSocket("closed", closed=True)
    server = FakeServer([*open_sockets, closed], ping_timeout=0.04)  # shares of 3 (11 / 4)
    shares: list[int] = []
    stop = asyncio.Event()
    task = asyncio.create_task(sweep_clients(server, stop))  # type: ignore[arg-type]

    async def swept_once() -> bool:
        visited = sum(socket.visits for socket in open_sockets)
        if not shares or visited != shares[-1]:
            shares.append(visited)
        return "closed" not in server.sockets and all(s.visits for s in open_sockets)

    await wait_until(swept_once, every=0.001)
    stop.set()
    await task
    assert [socket.visits for socket in open_sockets] == [1] * 10
    assert set(server.sockets) == {socket.sid for socket in open_sockets}
    # One wake-up visits a share, not one socket: at most 3 at a time.
    assert all(0 < later - earlier <= 3 for earlier, later in zip(shares, shares[1:], strict=False))
