"""The edge answers only requests addressed to one of its own host names.

A page on ``evil.example`` whose DNS name is then pointed at 127.0.0.1 (DNS
rebinding) is, to the browser, same-origin with a local edge: it could read
every page and open socket.io, whose own origin check compares the Origin with
the Host header, both ``evil.example``. The Host header is what gives it away,
so a request naming any host but the edge's is refused before it reaches a
route or the socket.io handshake (polling and websocket alike). The names are
``services.core.allowed_hosts``'s. ``/healthz`` answers any host: orchestrators
probe it by address, and it tells nothing.
"""

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from services.core.allowed_hosts import ANY_HOST, AllowedHosts
from services.core.settings import Settings

__all__ = ["HOST_REFUSED_STATUS", "edge_hosts", "refusing_other_hosts"]

# 421 Misdirected Request: this server is not the one that host name is meant for.
HOST_REFUSED_STATUS = 421
# Paths that answer whatever the Host: liveness probes, which carry an address, not a name.
HOST_FREE_PATHS = frozenset({"/healthz"})
_REFUSAL = b"This server does not answer for that host name.\n"


def edge_hosts(settings: Settings) -> AllowedHosts:
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
    return AllowedHosts([*own, *origins, *(settings.allowed_hosts or [])])


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
