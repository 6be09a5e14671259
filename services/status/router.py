"""The status commands and the edges' internal subjects."""

from typing import Any

from faststream.nats import NatsRouter

from services.contracts import (
    DEACTIVATE_USER,
    GET_USER,
    LIST_PRESENCE,
    SEARCH_USERS,
    SET_STATUS,
    TYPING,
    UPDATE_PROFILE,
    Connection,
    DeactivateUser,
    EdgeHeartbeat,
    GetUser,
    ListPresence,
    LoginRequest,
    PasswordChange,
    Registration,
    SearchUsers,
    SetStatus,
    TokenInUse,
    Typing,
    UpdateProfile,
    subjects,
    success,
)
from services.runtime import caller
from services.runtime.broker import answers_command, validating
from services.runtime.edge_only import edge_answers, from_the_edge_only

from .state import StatusState

QUEUE = "status"


def create_status_router(status: StatusState, signing_key: str) -> NatsRouter:
    """Subscribe the status commands and the edge-to-service subjects."""
    router = NatsRouter()

    @answers_command(router, SET_STATUS, queue=QUEUE)
    async def set_status(request: SetStatus) -> dict[str, Any]:
        user = caller.username()
        await status.require_registered(user)
        return success(await status.presence.set_status(user, request.status))

    @answers_command(router, LIST_PRESENCE, queue=QUEUE)
    async def list_presence(request: ListPresence) -> dict[str, Any]:
        caller.username()
        return success(status.presence.online())

    @answers_command(router, TYPING, queue=QUEUE)
    async def typing(request: Typing) -> dict[str, Any]:
        user = caller.username()
        await status.typing.typing(user, request.chat_id)
        return success({})

    @answers_command(router, GET_USER, queue=QUEUE)
    async def get_user(request: GetUser) -> dict[str, Any]:
        caller.username()
        return success(await status.people.get(request))

    @answers_command(router, SEARCH_USERS, queue=QUEUE)
    async def search_users(request: SearchUsers) -> dict[str, Any]:
        caller.username()
        return success(status.people.search(request))

    @answers_command(router, UPDATE_PROFILE, queue=QUEUE)
    async def update_profile(request: UpdateProfile) -> dict[str, Any]:
        user = caller.username()
        return success(await status.people.update(user, request))

    @answers_command(router, DEACTIVATE_USER, queue=QUEUE)
    async def deactivate_user(request: DeactivateUser) -> dict[str, Any]:
        admin = caller.username()
        user, revocation = await status.people.deactivate(admin, request)
        if revocation is not None:
            await status.announce_revocation(revocation)
        return success(user)

    from_the_edge = edge_answers(router, queue=QUEUE, signing_key=signing_key)

    @from_the_edge(subjects.REGISTER_USER, "Create an account (edge only).")
    async def register_user(registration: Registration) -> dict[str, Any]:
        return success(await status.accounts.register(registration))

    @from_the_edge(subjects.LOGIN, "Check a username and password (edge only).")
    async def log_in(attempt: LoginRequest) -> dict[str, Any]:
        return success(await status.accounts.login(attempt))

    @from_the_edge(
        subjects.CHECK_TOKEN,
        "Whether a token an HTTP route was called with still works (edge only).",
    )
    async def check_token(token: TokenInUse) -> dict[str, Any]:
        return success(
            await status.accounts.require_token_works(
                token.username, token.token_id, token.issued_at
            )
        )

    @from_the_edge(
        subjects.CHANGE_PASSWORD,
        "Change a password; the user's other tokens stop working (edge only).",
    )
    async def change_password(change: PasswordChange) -> dict[str, Any]:
        revocation = await status.accounts.change_password(change)
        await status.announce_revocation(revocation)
        return success({})

    @from_the_edge(subjects.CONNECTION_OPENED, "A socket connection was opened on an edge.")
    async def connection_opened(connection: Connection) -> dict[str, Any]:
        # A validly signed token for a name with no account (never issued, or deleted), or
        # one a password change voided, is refused.
        await status.accounts.require_token_works(
            connection.username, connection.token_id, connection.token_issued_at
        )
        return success(await status.presence.connection_opened(connection))

    @from_the_edge(subjects.CONNECTION_CLOSED, "A socket connection was closed on an edge.")
    async def connection_closed(connection: Connection) -> dict[str, Any]:
        return success(await status.presence.connection_closed(connection))

    # Every replica hears every heartbeat: each one judges which edges are alive.
    # No reply, whatever reply subject a heartbeat names: this path never publishes.
    @router.subscriber(subjects.EDGE_HEARTBEAT, description="An edge is alive.", no_reply=True)
    @validating
    @from_the_edge_only(signing_key)
    async def edge_heartbeat(heartbeat: EdgeHeartbeat) -> None:
        status.presence.edge_alive(heartbeat.edge_id)

    return router
