"""Session tokens: signed, expiring JWTs (HS256 only; exp, iss, aud, sub, iat and jti required).

Signed with a key derived from the signing key for tokens alone (``services/core/keys.py``).
Each token has an id (``jti``) and the instant it was issued (``iat``, to the
microsecond): a password change voids a user's tokens issued before it but the
one it was made with (``TokenRevocation``).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from services.contracts import is_username
from services.core.keys import Purpose, derived_key

ALGORITHM = "HS256"
ISSUER = "chatbus"
AUDIENCE = "chatbus"


class InvalidToken(Exception):
    """Missing, malformed, expired, forged or for someone else."""


@dataclass(frozen=True)
class TokenClaims:
    """Who a token speaks for, until when, and which token it is."""

    username: str
    expires_at: datetime
    token_id: str
    issued_at: datetime


def token_signing_key(signing_key: str) -> bytes:
    """The key tokens are signed with, derived from ``CHATBUS_SECRET``."""
    return derived_key(signing_key, Purpose.TOKEN_SIGNING)


def issue_token(username: str, signing_key: str, ttl: timedelta) -> str:
    """A token for ``username`` valid for ``ttl``."""
    now = datetime.now(UTC)
    claims = {
        "sub": username,
        "iss": ISSUER,
        "aud": AUDIENCE,
        # Not PyJWT's whole seconds: a token issued just after a password change, within
        # the same second, must not count as issued before it.
        "iat": now.timestamp(),
        "exp": now + ttl,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, token_signing_key(signing_key), algorithm=ALGORITHM)


def read_token(token: object, signing_key: str) -> TokenClaims:
    """The claims of a valid token; ``InvalidToken`` otherwise."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise InvalidToken("no token")
    try:
        claims = jwt.decode(
            token,
            token_signing_key(signing_key),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iss", "aud", "sub", "iat", "jti"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from None
    username, token_id, issued_at = claims["sub"], claims["jti"], claims["iat"]
    if not isinstance(username, str) or not is_username(username):
        raise InvalidToken("bad subject")
    if not isinstance(token_id, str) or not 1 <= len(token_id) <= 64:
        raise InvalidToken("bad token id")
    if not isinstance(issued_at, int | float):
        raise InvalidToken("bad issue time")
    return TokenClaims(
        username=username,
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        token_id=token_id,
        issued_at=datetime.fromtimestamp(issued_at, UTC),
    )
