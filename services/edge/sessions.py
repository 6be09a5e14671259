"""HTTP routes for a logged-in user: the Bearer token, checked as a socket's is, and
``POST /api/password``.

A route that takes a token verifies its signature here and asks the status
service whether it still works (``chat.auth.check``), the same question a
socket's connect asks: a password change voids a user's other tokens at once.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.contracts import PasswordChange, TokenInUse, subjects
from services.core.settings import Settings

from .http import client_address, http_error
from .service_client import ServiceClient
from .tokens import InvalidToken, TokenClaims, read_token

UNAUTHORIZED = {"code": "unauthorized", "message": "log in first: a valid Bearer token is needed"}


class NewPassword(BaseModel):
    """The body of ``POST /api/password``."""

    model_config = ConfigDict(extra="forbid")

    old_password: str = Field(max_length=256)
    new_password: str = Field(min_length=8, max_length=256, description="At least 8 characters.")


def bearer_session(
    settings: Settings, service_client: ServiceClient
) -> Callable[[Request], Awaitable[TokenClaims]]:
    """A FastAPI dependency: the claims of the request's Bearer token, when it still works;
    401 otherwise."""

    async def session(request: Request) -> TokenClaims:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise InvalidToken("no Bearer token")
            claims = read_token(token.strip(), settings.signing_key)
        except InvalidToken:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail=UNAUTHORIZED,
                headers={"WWW-Authenticate": "Bearer"},
            ) from None
        in_use = TokenInUse(
            username=claims.username, token_id=claims.token_id, issued_at=claims.issued_at
        )
        envelope = await service_client.request(subjects.CHECK_TOKEN, in_use)
        if not envelope.get("ok"):
            raise http_error(envelope["error"])
        return claims

    return session


def create_session_router(settings: Settings, service_client: ServiceClient) -> APIRouter:
    """``POST /api/password``."""
    router = APIRouter()
    Session = Annotated[TokenClaims, Depends(bearer_session(settings, service_client))]

    @router.post("/api/password", status_code=status.HTTP_204_NO_CONTENT)
    async def change_password(body: NewPassword, request: Request, session: Session) -> Response:
        """Change the password; every other token of the user stops working and their
        other sockets are disconnected. 401 for a wrong old password (throttled as
        logins are), 422 for a new one under 8 characters."""
        change = PasswordChange(
            username=session.username,
            token_id=session.token_id,
            issued_at=session.issued_at,
            old_password=body.old_password,
            new_password=body.new_password,
            address=client_address(request),
        )
        envelope: dict[str, Any] = await service_client.request(subjects.CHANGE_PASSWORD, change)
        if not envelope.get("ok"):
            raise http_error(envelope["error"])
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
