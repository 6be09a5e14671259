"""Keys derived from ``CHATBUS_SECRET``, one per purpose, so no key does two jobs.

Each key is HMAC-SHA256 of its purpose's label under the secret (HKDF's expand
step, one block long): knowing one derived key, or anything made with it,
tells nothing about the secret or the others. Tokens are signed with one, the
edge's proof header is made with another, and client addresses are kept as
hashes under a third.
"""

import functools
import hashlib
import hmac
from enum import StrEnum

__all__ = ["Purpose", "derived_key"]


class Purpose(StrEnum):
    """What a derived key is for; the value is its label."""

    TOKEN_SIGNING = "chatbus/token-signing"
    EDGE_PROOF = "chatbus/edge-proof"
    KNOWN_ADDRESSES = "chatbus/known-addresses"


# One derivation per secret and purpose, not one per command or token.
@functools.lru_cache(maxsize=16)
def derived_key(secret: str, purpose: Purpose) -> bytes:
    """The 32-byte key for ``purpose`` derived from ``secret``."""
    return hmac.new(secret.encode(), purpose.value.encode(), hashlib.sha256).digest()
