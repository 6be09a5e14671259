"""``python -m benchmarks.wakeup_cost``: what this machine charges for a hop between processes.

A chatbus send crosses the edge, nats-server and the messages service, where
the baseline stays in one process; what each crossing
costs depends on the machine more than on the code. This passes one byte
back and forth between two processes over loopback TCP, as chatbus's
processes talk, in three ways:

- ``sleeping``: each side waits in ``recv`` until the other's byte comes, as
  an idle event loop does: every hop wakes a process;
- ``spinning``: each side polls without ever sleeping: the TCP alone;
- ``one process``: one process writes and reads a socket pair: no hop at all.

It prints wall time and CPU (both processes) per round trip, two hops each.
Where ``sleeping`` costs many times ``spinning``, waking a process is what a
message pays for at each hop, and small rooms cost chatbus several times the
baseline.
"""

import argparse
import os
import resource
import socket
import sys
import time
from typing import NamedTuple

__all__ = ["RoundTrips", "in_one_process", "ping_pong"]

DEFAULT_ROUNDS = 20_000


class RoundTrips(NamedTuple):
    """Microseconds per round trip: wall time, and CPU of the two sides together; and how
    often the measuring side waited for the other (voluntary context switches per round
    trip: at least one in five when sleeping, none when spinning, however busy the machine)."""

    wall_us: float
    cpu_us: float
    waits: float


def ping_pong(rounds: int, *, spin: bool) -> RoundTrips:
    """``rounds`` round trips between this process and a forked one, over loopback TCP."""
    children_cpu_before = _children_cpu()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        child = os.fork()
        if child == 0:  # pragma: no cover - the forked side, measured by its exit status
            os._exit(_echo(port, rounds, spin))
        peer, _ = server.accept()
    with peer:
        _tune(peer, spin)
        waits_before = _own_waits()
        cpu_before = _own_cpu()
        started = time.perf_counter()
        for _ in range(rounds):
            peer.sendall(b"x")
            _receive_one(peer, spin)
        wall = time.perf_counter() - started
        own_cpu = _own_cpu() - cpu_before
        waits = _own_waits() - waits_before
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("the echoing process failed")
    # The child's CPU includes its connect: little against thousands of round trips.
    child_cpu = _children_cpu() - children_cpu_before
    return RoundTrips(wall / rounds * 1e6, (own_cpu + child_cpu) / rounds * 1e6, waits / rounds)


def in_one_process(rounds: int) -> RoundTrips:
    """The same byte written and read by one process over a socket pair: no hop."""
    left, right = socket.socketpair()
    with left, right:
        waits_before = _own_waits()
        cpu_before = _own_cpu()
        started = time.perf_counter()
        for _ in range(rounds):
            left.sendall(b"x")
            right.recv(1)
        wall = time.perf_counter() - started
        cpu = _own_cpu() - cpu_before
        waits = _own_waits() - waits_before
    return RoundTrips(wall / rounds * 1e6, cpu / rounds * 1e6, waits / rounds)


def _echo(port: int, rounds: int, spin: bool) -> int:
    try:
        with socket.create_connection(("127.0.0.1", port)) as peer:
            _tune(peer, spin)
            for _ in range(rounds):
                _receive_one(peer, spin)
                peer.sendall(b"x")
        return 0
    except OSError:
        return 1


def _tune(peer: socket.socket, spin: bool) -> None:
    peer.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    peer.setblocking(not spin)


def _receive_one(peer: socket.socket, spin: bool) -> None:
    while True:
        try:
            if peer.recv(1):
                return
        except BlockingIOError:
            if spin:
                continue
            raise
        raise ConnectionError("the other process closed the connection")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _own_waits() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.wakeup_cost",
        description="what a hop between two processes costs on this machine",
    )
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="round trips per way")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be positive")
    sleeping = ping_pong(args.rounds, spin=False)
    spinning = ping_pong(args.rounds, spin=True)
    alone = in_one_process(args.rounds)
    print(f"{args.rounds} round trips each (two hops per round trip)")
    print("| way | wall µs per round trip | CPU µs per round trip, both sides |")
    print("|---|---|---|")
    for name, figures in (
        ("sleeping (a wake-up per hop)", sleeping),
        ("spinning (the TCP alone)", spinning),
        ("one process (no hop)", alone),
    ):
        print(f"| {name} | {figures.wall_us:.1f} | {figures.cpu_us:.1f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
