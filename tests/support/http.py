"""HTTP clients for the tests, all with one TLS context."""

from typing import Any

import httpx

# httpx loads its CA bundle into a new TLS context for every client (tens of milliseconds of
# CPU each); the tests make hundreds of clients, nearly all for plain http:// on loopback.
TLS = httpx.create_ssl_context()


def http_client(**options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with ``options``, verifying TLS as httpx does by default."""
    return httpx.AsyncClient(verify=TLS, **options)


def http_transport(**options: Any) -> httpx.AsyncHTTPTransport:
    """An ``httpx.AsyncHTTPTransport`` with ``options``, verifying TLS as httpx does."""
    return httpx.AsyncHTTPTransport(verify=TLS, **options)
