"""Token claims, to sign good and bad tokens with."""

from datetime import UTC, datetime, timedelta
from typing import Any

from services.edge.tokens import AUDIENCE, ISSUER


def claims_for(username: str = "alice", **changes: Any) -> dict[str, Any]:
    """Good token claims for ``username``, with ``changes`` (None removes a claim)."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": username,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": "test-token-id",
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}
