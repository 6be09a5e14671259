"""The status commands and the edges' internal subjects."""

from typing import Any

from faststream.nats import NatsRouter

from services.contracts import (
    LIST_PRESENCE,
    SET_STATUS,
    TYPING,
    Connection,
    EdgeHeartbeat,
    ListPresence,
    LoginRequest,
    PasswordChange,
    Registration,
    SetStatus,
    TokenInUse,
    Typing,
    subjects,
    success,
)
from services.runtime import caller
from services.runtime.broker import answers, answers_command, validating

from .desk import StatusDesk

QUEUE = "status"


def create_status_router(desk: StatusDesk, signing_key: str) -> NatsRouter:
    """Subscribe the status commands and the edge-to-service subjects."""
    router = NatsRouter()

    @answers_command(router, SET_STATUS, queue=QUEUE)
    async def set_status(request: SetStatus) -> dict[str, Any]:
        user = caller.username()
        await desk.require_registered(user)
        return success(await desk.presence.set_status(user, request.status))

    @answers_command(router, LIST_PRESENCE, queue=QUEUE)
    async def list_presence(request: ListPresence) -> dict[str, Any]:
        caller.username()
        return success(desk.presence.online())

    @answers_command(router, TYPING, queue=QUEUE)
    async def typing(request: Typing) -> dict[str, Any]:
        user = caller.username()
        await desk.typing.typing(user, request.chat_id)
        return success({})

    @answers(
        router, subjects.REGISTER_USER, queue=QUEUE, description="Create an account (edge only)."
    )
    async def register_user(registration: Registration) -> dict[str, Any]:
        caller.require_the_edge(signing_key)
        return success(await desk.accounts.register(registration))

    @answers(
        router,
        subjects.LOGIN,
        queue=QUEUE,
        description="Check a username and password (edge only).",
    )
    async def log_in(attempt: LoginRequest) -> dict[str, Any]:
        caller.require_the_edge(signing_key)
        return success(await desk.accounts.login(attempt))

    @answers(
        router,
        subjects.CHECK_TOKEN,
        queue=QUEUE,
        description="Whether a token an HTTP route was called with still works (edge only).",
    )
    async def check_token(token: TokenInUse) -> dict[str, Any]:
        caller.require_the_edge(signing_key)
        return success(
            await desk.accounts.require_token_works(token.username, token.token_id, token.issued_at)
        )

    @answers(
        router,
        subjects.CHANGE_PASSWORD,
        queue=QUEUE,
        description="Change a password; the user's other tokens stop working (edge only).",
    )
    async def change_password(change: PasswordChange) -> dict[str, Any]:
        caller.require_the_edge(signing_key)
        revocation = await desk.accounts.change_password(change)
        await desk.announce_revocation(revocation)
        return success({})

    @answers(
        router,
        subjects.CONNECTION_OPENED,
        queue=QUEUE,
        description="A socket connection was opened on an edge.",
    )
    async def connection_opened(connection: Connection) -> dict[str, Any]:
        caller.require_the_edge(signing_key)
        # A validly signed token for a name with no account (never issued, or deleted), or
        # one a password change voided, is refused.
        await desk.accounts.require_token_works(
            connection.username, connection.token_id, connection.token_issued_at
        )
        return success(await desk.presence.connection_opened(connection))

    @answers(
        router,
        subjects.CONNECTION_CLOSED,
        queue=QUEUE,
        description="A socket connection was closed on an edge.",
    )
    async def connection_closed(connection: Connection) -> dict[str, Any]:
        caller.require_the_edge(signing_key)
        return success(await desk.presence.connection_closed(connection))

    # Every replica hears every heartbeat: each one judges which edges are alive.
    # No reply, whatever reply subject a heartbeat names: this path never publishes.
    @router.subscriber(subjects.EDGE_HEARTBEAT, description="An edge is alive.", no_reply=True)
    @validating
    async def edge_heartbeat(heartbeat: EdgeHeartbeat) -> None:
        caller.require_the_edge(signing_key)
        desk.presence.edge_alive(heartbeat.edge_id)

    return router
