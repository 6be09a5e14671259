"""The edge answers only requests addressed to one of its own host names.

A page on ``evil.example`` whose DNS name is then pointed at 127.0.0.1 (DNS
rebinding) is, to the browser, same-origin with a local edge: it could read
every page and open socket.io, whose own origin check compares the Origin with
the Host header, both ``evil.example``. The Host header is what gives it away,
so a request naming any host but the edge's is refused before it reaches a
route or the socket.io handshake (polling and websocket alike).

The edge's names: the address it listens on, 127.0.0.1, ``[::1]`` and
localhost with its port, the hosts of ``CHATBUS_CORS_ORIGINS`` (behind a proxy,
the public origin) and ``CHATBUS_ALLOWED_HOSTS``. An entry with a port allows
that port only; one without a port, any port (a rebinding page is told apart by
its name, not its port). ``*`` allows every host. ``/healthz`` answers any
host: orchestrators probe it by address, and it tells nothing.
"""

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from services.core.settings import Settings

__all__ = ["HOST_REFUSED_STATUS", "AllowedHosts", "refusing_other_hosts"]

# 421 Misdirected Request: this server is not the one that host name is meant for.
HOST_REFUSED_STATUS = 421
ANY_HOST = "*"
# Paths that answer whatever the Host: liveness probes, which carry an address, not a name.
HOST_FREE_PATHS = frozenset({"/healthz"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_REFUSAL = b"This server does not answer for that host name.\n"


def _split_authority(authority: str) -> tuple[str, int | None] | None:
    """``host[:port]`` as (lower-case host, port or None); None when it is not one."""
    try:
        parts = urlsplit(f"//{authority.strip()}")
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or parts.username is not None or parts.password is not None:
        return None
    if ":" in host:  # IPv6, written in brackets in a Host header
        host = f"[{host}]"
    return host, port


class AllowedHosts:
    """The host names (with or without a port) one edge answers."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.any = False
        self._exact: set[tuple[str, int]] = set()
        self._any_port: set[str] = set()
        for entry in entries:
            if entry.strip() == ANY_HOST:
                self.any = True
                continue
            parsed = _split_authority(entry)
            if parsed is None:
                raise ValueError(f"not a host or host:port: {entry!r}")
            host, port = parsed
            if port is None:
                self._any_port.add(host)
            else:
                self._exact.add((host, port))

    @classmethod
    def from_settings(cls, settings: Settings) -> "AllowedHosts":
        """The edge's own names, its CORS origins' hosts and ``CHATBUS_ALLOWED_HOSTS``."""
        listen = f"[{settings.host}]" if ":" in settings.host else settings.host
        own = [f"{name}:{settings.port}" for name in (listen, "127.0.0.1", "[::1]", "localhost")]
        origins = []
        for origin in settings.cors_origins or []:
            if origin.strip() == ANY_HOST:
                continue
            parts = urlsplit(origin.strip())
            if parts.netloc:
                origins.append(parts.netloc)
        return cls([*own, *origins, *(settings.allowed_hosts or [])])

    def allows(self, host_header: str | None, scheme: str = "http") -> bool:
        """Whether a request with this ``Host`` header is addressed to this edge."""
        if self.any:
            return True
        if not host_header:
            return False
        parsed = _split_authority(host_header)
        if parsed is None:
            return False
        host, port = parsed
        if host in self._any_port:
            return True
        return (host, port or _DEFAULT_PORTS.get(scheme, 80)) in self._exact


def refusing_other_hosts(app: ASGIApp, allowed: AllowedHosts) -> ASGIApp:
    """``app``, answering ``HOST_REFUSED_STATUS`` to HTTP requests and websocket handshakes
    whose Host is not in ``allowed``."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in HOST_FREE_PATHS:
            await app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        if allowed.allows(host, scope.get("scheme", "http")):
            await app(scope, receive, send)
            return
        if scope["type"] == "http":
            await _refuse(send, "http.response")
        elif "websocket.http.response" in scope.get("extensions", {}):
            await _refuse(send, "websocket.http.response")
        else:
            # Without the denial-response extension, closing before accepting is a 403.
            await send({"type": "websocket.close", "code": 1008})

    return guarded


async def _refuse(send: Send, kind: str) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    await send({"type": f"{kind}.start", "status": HOST_REFUSED_STATUS, "headers": headers})
    await send({"type": f"{kind}.body", "body": _REFUSAL})
