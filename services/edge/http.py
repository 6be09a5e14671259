"""The edge's HTTP routes: accounts, tokens and health."""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.contracts import (
    Account,
    Credentials,
    ErrorCode,
    LoginAttempt,
    LoginRequest,
    Registration,
    subjects,
)
from services.core.settings import Settings

from .service_client import ServiceClient
from .tokens import issue_token

# How a failure envelope's code reads as an HTTP status.
HTTP_STATUS = {
    ErrorCode.INVALID: 422,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.INTERNAL: 500,
}


def client_address(request: Request) -> str | None:
    """Where the request came from (behind a proxy, uvicorn's ``--forwarded-allow-ips``
    makes this the original client rather than the proxy)."""
    return request.client.host if request.client else None


class Session(BaseModel):
    """A logged-in user's token."""

    token: str
    username: str


def http_error(error: dict[str, Any]) -> HTTPException:
    """The HTTP error for a failure envelope's ``error``: its status, the error as detail."""
    # A throttled request says when to come back, as HTTP does.
    retry_after = error.get("retry_after")
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return HTTPException(HTTP_STATUS[ErrorCode(error["code"])], detail=error, headers=headers)


def create_http_router(settings: Settings, service_client: ServiceClient) -> APIRouter:
    """``/api/register``, ``/api/login`` and ``/healthz``."""
    router = APIRouter()

    async def account_from(subject: str, payload: BaseModel) -> Account:
        envelope = await service_client.request(subject, payload)
        if not envelope.get("ok"):
            raise http_error(envelope["error"])
        return Account.model_validate(envelope["data"])

    @router.post("/api/register", status_code=status.HTTP_201_CREATED)
    async def register(credentials: Credentials, request: Request) -> Account:
        """Create an account (a limited number per client address)."""
        registration = Registration(**credentials.model_dump(), address=client_address(request))
        return await account_from(subjects.REGISTER_USER, registration)

    @router.post("/api/login")
    async def login(attempt: LoginAttempt, request: Request) -> Session:
        """Exchange a username and password for a token; 429 after repeated failures."""
        relayed = LoginRequest(**attempt.model_dump(), address=client_address(request))
        account = await account_from(subjects.LOGIN, relayed)
        ttl = timedelta(seconds=settings.token_ttl_seconds)
        return Session(
            token=issue_token(account.username, settings.signing_key, ttl),
            username=account.username,
        )

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        """200 while NATS is connected, 503 otherwise."""
        connected = service_client.connected
        body: dict[str, Any] = {
            "status": "ok" if connected else "degraded",
            "nats": "connected" if connected else "disconnected",
        }
        return JSONResponse(body, status_code=200 if connected else 503)

    return router
