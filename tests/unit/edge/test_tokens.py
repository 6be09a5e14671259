"""Tokens as the edge issues and reads them: their user, expiry and fixed algorithm."""

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from services.edge.tokens import ALGORITHM, InvalidToken, issue_token, read_token, token_signing_key
from tests.support.tokens import claims_for

KEY = "unit-test-signing-key-" * 4  # long enough for HS512 too, so only the algorithm differs


def _signed(claims: dict[str, Any], algorithm: str = ALGORITHM) -> str:
    return jwt.encode(claims, token_signing_key(KEY), algorithm=algorithm)


def test_issued_token_reads_back_as_its_user_and_expiry() -> None:
    hour = timedelta(hours=1)
    before = datetime.now(UTC).replace(microsecond=0)
    claims = read_token(issue_token("alice", KEY, hour), KEY)
    assert claims.username == "alice"
    assert before + hour <= claims.expires_at <= datetime.now(UTC) + hour


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(issue_token("alice", KEY, timedelta(seconds=-1)), id="expired"),
        pytest.param(
            issue_token("alice", "another-key-" * 8, timedelta(hours=1)),
            id="signed-with-another-key",
        ),
        pytest.param(jwt.encode(claims_for(), key=None, algorithm="none"), id="alg-none"),
        pytest.param(_signed(claims_for(), "HS512"), id="algorithm-not-on-the-list"),
        pytest.param(_signed(claims_for(aud="someone-else")), id="wrong-audience"),
        pytest.param(_signed(claims_for(iss="someone-else")), id="wrong-issuer"),
        pytest.param(_signed(claims_for(sub=None)), id="no-subject"),
        pytest.param(_signed(claims_for(exp=None)), id="no-expiry"),
        pytest.param(_signed(claims_for(aud=None)), id="no-audience"),
        pytest.param(_signed(claims_for(iss=None)), id="no-issuer"),
        pytest.param(_signed(claims_for("Not.A.User")), id="malformed-username"),
        pytest.param(_signed(claims_for(sub=42)), id="subject-not-a-string"),
        pytest.param(_signed(claims_for(jti=None)), id="no-token-id"),
        pytest.param(_signed(claims_for(jti=7)), id="token-id-not-a-string"),
        pytest.param(_signed(claims_for(iat=None)), id="no-issue-time"),
        pytest.param(jwt.encode(claims_for(), KEY, ALGORITHM), id="signed-with-the-secret"),
        pytest.param(issue_token("alice", KEY, timedelta(hours=1))[:-4] + "AAAA", id="tampered"),
        pytest.param("not.a.jwt", id="garbage"),
        pytest.param("", id="empty"),
        pytest.param(None, id="missing"),
        pytest.param({"token": "x"}, id="not-a-string"),
        pytest.param("x" * 5000, id="oversized"),
    ],
)
def test_token_is_refused(token: Any) -> None:
    with pytest.raises(InvalidToken):
        read_token(token, KEY)
