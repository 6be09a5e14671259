"""The connection and API prefix behind a JetStream context or a key-value bucket.

Follows nats-py 2.16.0 ``JetStreamContext.__init__`` (``_nc``, ``_prefix``: the
API subject prefix, ``$JS.API`` or ``$JS.<domain>.API``) and ``KeyValue.__init__``
(``_js``). A batched direct get is a raw request on ``<prefix>.DIRECT.GET.<stream>``,
which nats-py has no method for, and a watched bucket hears its connection's
reconnects.

Upstream, public read-only ``JetStreamContext.connection`` / ``.api_prefix`` and
``KeyValue.jetstream`` properties would make this module unnecessary.
"""

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

__all__ = ["api_prefix", "bucket_connection", "connection"]


def connection(js: JetStreamContext) -> Client:
    """The NATS connection ``js`` sends on."""
    nc: Client = js._nc
    return nc


def api_prefix(js: JetStreamContext) -> str:
    """The subject prefix of ``js``'s JetStream API requests (``$JS.API`` by default)."""
    return str(js._prefix)


def bucket_connection(bucket: KeyValue) -> Client:
    """The NATS connection ``bucket`` reads and writes on."""
    return connection(bucket._js)
