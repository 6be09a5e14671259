"""Security headers on everything the edge answers over HTTP, and a CSP on its pages.

Every HTML response (the web client's ``index.html``, any other page) gets
``APP_CONTENT_SECURITY_POLICY`` unless it brings a policy of its own (``/docs``
does, see ``api_docs.py``): scripts and styles from this origin only, no inline
script, no plugins, no ``<base>``, and no framing, so injected markup can
neither run nor be overlaid by another site (clickjacking). Every response also
says ``nosniff`` (a JSON or uploaded body is never run as a script or page),
``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``, and
``Referrer-Policy: no-referrer``, so a link clicked in a chat does not tell the
other site which chat it was in.
"""

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["APP_CONTENT_SECURITY_POLICY", "ALWAYS", "app_policy", "with_security_headers"]

# Each directive of the web client's policy; connect-src gains the page's websocket origin.
APP_CONTENT_SECURITY_POLICY = (
    "default-src 'self'",
    # Vite's build links one module script and one stylesheet; nothing inline.
    "script-src 'self'",
    "style-src 'self'",
    # Images are shown from blob: URLs (fetched with the Bearer token) and data: icons.
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
# On every HTTP response, unless it sets its own.
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
CSP_HEADER = b"content-security-policy"
# What a Host header may look like to be written into the policy (it has been checked by
# services/edge/hosts.py already; this keeps a ``*`` allowance from echoing anything).
_AUTHORITY = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")


def app_policy(host: str | None, secure: bool) -> str:
    """The web client's policy for a page served as ``host`` (``https`` when ``secure``):
    socket.io connects back to that origin over ``ws://`` or ``wss://``."""
    connect = "connect-src 'self'"
    if host and _AUTHORITY.match(host):
        connect += f" {'wss' if secure else 'ws'}://{host}"
    return "; ".join([*APP_CONTENT_SECURITY_POLICY, connect])


def with_security_headers(app: ASGIApp) -> ASGIApp:
    """``app`` with ``ALWAYS`` on every HTTP response and the app policy on HTML ones."""

    async def headed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _secured(scope, list(message["headers"]))}
            await send(message)

        await app(scope, receive, send_with_headers)

    return headed


def _secured(scope: Scope, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in ALWAYS if name not in present]
    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if content_type.lower().startswith(b"text/html") and CSP_HEADER not in present:
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        policy = app_policy(host, scope.get("scheme") == "https")
        headers.append((CSP_HEADER, policy.encode()))
    return headers
