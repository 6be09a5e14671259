"""Who is acting: the subject's ``<username>`` token, and whether the edge relayed it."""

import functools
import hashlib
import hmac

from services.contracts import is_username
from services.core.errors import Forbidden, InvalidInput
from services.core.keys import Purpose, derived_key


def acting_user(username: str) -> str:
    """The subject's username token, refused when it is not a valid username."""
    if not is_username(username):
        raise InvalidInput("the subject's username is not a valid username")
    return username


# One HMAC per signing key, not one per command: handlers check the proof on every command.
@functools.lru_cache(maxsize=4)
def edge_proof(signing_key: str) -> str:
    """The header value by which the edge marks commands it relays (``via: web``).

    Made with a key derived from the signing key, which bots never hold, so a bot cannot
    pass for the edge; and a key of its own, so the header says nothing about the others.
    """
    key = derived_key(signing_key, Purpose.EDGE_PROOF)
    return hmac.new(key, b"chatbus edge relay", hashlib.sha256).hexdigest()


def relayed_by_edge(header: str | None, signing_key: str) -> bool:
    """Whether a command carries the edge's proof."""
    return header is not None and hmac.compare_digest(header, edge_proof(signing_key))


def require_edge(header: str | None, signing_key: str) -> None:
    """Refuse an edge-only subject (logins, connections, heartbeats) from anyone but the edge.

    Without this, any program on NATS could mark people online or try passwords with a
    made-up client address, getting round the per-address login throttle.
    """
    if not relayed_by_edge(header, signing_key):
        raise Forbidden("only the edge may use this subject")
