"""The host names one edge answers; the settings check their entries at start.

An edge's names are the address it listens on, 127.0.0.1, ``[::1]`` and
localhost with its port, the hosts of ``CHATBUS_CORS_ORIGINS`` (behind a proxy,
the public origin) and ``CHATBUS_ALLOWED_HOSTS``. An entry with a port allows
that port only; one without a port, any port (a rebinding page is told apart by
its name, not its port). ``*`` allows every host.
"""

from collections.abc import Iterable
from urllib.parse import urlsplit

__all__ = ["ANY_HOST", "AllowedHosts"]

ANY_HOST = "*"
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


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
