"""Session tokens: signed, expiring JWTs (HS256 only; exp, iss, aud and sub required)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from services.contracts import is_username

ALGORITHM = "HS256"
ISSUER = "chatbus"
AUDIENCE = "chatbus"


class InvalidToken(Exception):
    """Missing, malformed, expired, forged or for someone else."""


@dataclass(frozen=True)
class TokenClaims:
    """Who a token speaks for, and until when."""

    username: str
    expires_at: datetime


def issue_token(username: str, key: str, ttl: timedelta) -> str:
    """A token for ``username`` valid for ``ttl``."""
    now = datetime.now(UTC)
    claims = {"sub": username, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_token(token: object, key: str) -> TokenClaims:
    """The claims of a valid token; ``InvalidToken`` otherwise."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise InvalidToken("no token")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from None
    username = claims["sub"]
    if not isinstance(username, str) or not is_username(username):
        raise InvalidToken("bad subject")
    return TokenClaims(username=username, expires_at=datetime.fromtimestamp(claims["exp"], UTC))
