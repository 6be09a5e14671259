"""A deployment attacked from outside: DNS rebinding, forged client addresses, public metrics.

``run_campaign`` makes ``attempts`` attempts against an edge run as ``chatbus edge``
with the default origin check (its own origin only, as a local ``chatbus up`` has it: the
target of rebinding), a public host name allowed (``CHATBUS_ALLOWED_HOSTS``), and compose's
proxy and metrics settings (``FORWARDED_ALLOW_IPS`` naming a proxy at 127.0.0.2,
``CHATBUS_METRICS_PORT``), with one registration per address:

- as a page on ``evil.example`` rebound to the edge: its pages, the login and
  registration API, socket.io's polling open and websocket handshake, and a full
  socket.io connect with a valid token over each transport;
- as a client straight at the edge, naming a new address in X-Forwarded-For each time,
  to get round the per-address registration limit;
- as anyone, asking the public port for ``/metrics``.

Every one must be refused; the public origin's host, the proxy and the metrics port work. Run the
full count as a script::

    python -m tests.system.abuse.rebinding --attempts 1000

``--forwarded-allow-ips '*'`` makes the edge believe every sender's X-Forwarded-For.
"""

import argparse
import asyncio
import itertools
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import socketio

from services.ops.embedded_nats import free_port
from tests.support.clients import PASSWORD, unique_name
from tests.support.http import http_client, http_transport

PUBLIC_HOST = "chat.public.example"
PROXY = "127.0.0.2"
REBINDING_HOST = "evil.example"
POLLING = {"EIO": "4", "transport": "polling"}
CONCURRENCY = 8

# What each attempt came back with: an HTTP status, or "connected" for a socket.io session.
Outcome = int | str
Attempt = Callable[[], Awaitable[Outcome]]


@dataclass
class Figures:
    """What the campaign saw."""

    attempts: int = 0
    seconds: float = 0.0
    outcomes: dict[str, Counter[Outcome]] = field(default_factory=dict)
    not_refused: list[str] = field(default_factory=list)
    controls: dict[str, Outcome] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"{self.attempts} attempts in {self.seconds:.1f} s, {len(self.not_refused)} not refused"
        ]
        for kind, outcomes in sorted(self.outcomes.items()):
            shown = ", ".join(f"{outcome}: {count}" for outcome, count in outcomes.most_common())
            lines.append(f"  {kind:<34} {shown}")
        lines.append("  controls: " + ", ".join(f"{k} {v}" for k, v in self.controls.items()))
        return "\n".join(lines)


# Every role: one registration per address, and no per-user command budget (floods on purpose).
STACK_ENV = {"CHATBUS_REGISTRATIONS_PER_ADDRESS": "1", "CHATBUS_COMMAND_RATE_PER_SECOND": "0"}


def edge_env(metrics_port: int, forwarded_allow_ips: str = PROXY) -> dict[str, str]:
    """The edge's settings: its public host, the proxy it believes, its metrics port."""
    return {
        "CHATBUS_ALLOWED_HOSTS": PUBLIC_HOST,
        "FORWARDED_ALLOW_IPS": forwarded_allow_ips,
        "CHATBUS_METRICS_PORT": str(metrics_port),
    }


async def run_campaign(url: str, metrics_port: int, attempts: int) -> Figures:
    """``attempts`` attacks spread over every kind, then the controls that must pass."""
    figures = Figures()
    port = url.rsplit(":", 1)[1]
    evil = {"Host": f"{REBINDING_HOST}:{port}", "Origin": f"http://{REBINDING_HOST}:{port}"}
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    forged = (
        f"203.0.113.{n % 250 + 1}, 198.51.100.{n // 250 % 250 + 1}" for n in itertools.count()
    )
    straight = http_transport(local_address="127.0.0.1")
    async with (
        http_client(base_url=url, transport=straight, timeout=10) as http,
        aiohttp.ClientSession() as session,
    ):
        # One account made through the proxy: its token rides along in the rebinding connects.
        via_proxy = http_transport(local_address=PROXY)
        async with http_client(base_url=url, transport=via_proxy) as proxy:
            username = unique_name("victim")
            body = {"username": username, "password": PASSWORD}
            made = await proxy.post(
                "/api/register", json=body, headers={"X-Forwarded-For": "192.0.2.1"}
            )
            assert made.status_code == 201, made.text
            login = await proxy.post("/api/login", json=body)
            token = login.json()["token"]
        # The one registration the straight client's own address is allowed.
        first = await http.post(
            "/api/register", json={"username": unique_name(), "password": PASSWORD}
        )
        figures.controls["first straight registration"] = first.status_code

        async def status(method: str, path: str, **options: object) -> Outcome:
            response = await http.request(method, path, **options)  # type: ignore[arg-type]
            return response.status_code

        async def websocket_handshake() -> Outcome:
            try:
                async with session.ws_connect(ws_url, headers=evil) as ws:
                    await ws.close()
                    return 101
            except aiohttp.WSServerHandshakeError as refused:
                return refused.status

        async def socketio_connect(transport: str) -> Outcome:
            client = socketio.AsyncClient(reconnection=False)
            try:
                await client.connect(
                    url, auth={"token": token}, headers=evil, transports=[transport], wait_timeout=5
                )
            except socketio.exceptions.ConnectionError:
                return "refused"
            except RuntimeError:
                # python-engineio (4.x) closes its HTTP session before it reads the body of a
                # refused polling open, which then raises "Connection closed": refused too.
                return "refused"
            finally:
                if not client.connected and client.eio.http is not None:
                    await client.eio.http.close()
            await client.disconnect()
            return "connected"

        credentials = {"username": username, "password": PASSWORD}
        kinds: list[tuple[str, frozenset[Outcome], Attempt]] = [
            ("rebinding GET /", frozenset({421}), lambda: status("GET", "/", headers=evil)),
            ("rebinding GET /docs", frozenset({421}), lambda: status("GET", "/docs", headers=evil)),
            (
                "rebinding POST /api/login",
                frozenset({421}),
                lambda: status("POST", "/api/login", json=credentials, headers=evil),
            ),
            (
                "rebinding POST /api/register",
                frozenset({421}),
                lambda: status(
                    "POST",
                    "/api/register",
                    json={"username": unique_name(), "password": PASSWORD},
                    headers=evil,
                ),
            ),
            (
                "rebinding socket.io polling open",
                frozenset({421}),
                lambda: status("GET", "/socket.io/", params=POLLING, headers=evil),
            ),
            ("rebinding websocket handshake", frozenset({421}), websocket_handshake),
            (
                "rebinding connect, websocket",
                frozenset({"refused"}),
                lambda: socketio_connect("websocket"),
            ),
            (
                "rebinding connect, polling",
                frozenset({"refused"}),
                lambda: socketio_connect("polling"),
            ),
            (
                "forged X-Forwarded-For register",
                frozenset({429}),
                lambda: status(
                    "POST",
                    "/api/register",
                    json={"username": unique_name(), "password": PASSWORD},
                    headers={"X-Forwarded-For": next(forged)},
                ),
            ),
            ("public GET /metrics", frozenset({404}), lambda: status("GET", "/metrics")),
        ]
        gate = asyncio.Semaphore(CONCURRENCY)

        async def attempt(kind: str, refusals: frozenset[Outcome], make: Attempt) -> None:
            async with gate:
                outcome = await make()
            figures.outcomes.setdefault(kind, Counter())[outcome] += 1
            if outcome not in refusals:
                figures.not_refused.append(f"{kind}: {outcome}")

        started = time.perf_counter()
        plan = itertools.islice(itertools.cycle(kinds), attempts)
        await asyncio.gather(*(attempt(*item) for item in plan))
        figures.seconds = time.perf_counter() - started
        figures.attempts = attempts

        public = {"Host": PUBLIC_HOST}
        figures.controls["public host GET /"] = await status("GET", "/", headers=public)
        figures.controls["own host GET /"] = await status("GET", "/")
        try:
            metrics = await http.get(f"http://127.0.0.1:{metrics_port}/metrics")
            figures.controls["metrics port /metrics"] = metrics.status_code
        except httpx.ConnectError:
            figures.controls["metrics port /metrics"] = "not listening"
    return figures


async def _main(attempts: int, forwarded_allow_ips: str) -> Figures:
    from services.ops.embedded_nats import EmbeddedNats

    from .stack import running_stack

    with tempfile.TemporaryDirectory() as directory:
        server = EmbeddedNats(0, Path(directory) / "nats")
        await server.start()
        metrics_port = free_port()
        try:
            async with running_stack(
                server.url,
                Path(directory) / "var",
                secrets.token_urlsafe(32),
                STACK_ENV,
                edge_env(metrics_port, forwarded_allow_ips),
            ) as stack:
                figures = await run_campaign(stack.url, metrics_port, attempts)
        finally:
            await server.stop()
    print(figures.summary())
    for line in figures.not_refused[:20]:
        print("  NOT REFUSED", line)
    return figures


def main() -> int:
    """Script entry point: exit 1 if any attempt was not refused."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=1_000)
    parser.add_argument("--forwarded-allow-ips", default=PROXY, metavar="ADDRESSES")
    args = parser.parse_args()
    figures = asyncio.run(_main(args.attempts, args.forwarded_allow_ips))
    return 1 if figures.not_refused else 0


if __name__ == "__main__":
    raise SystemExit(main())
