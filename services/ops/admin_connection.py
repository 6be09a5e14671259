"""One short NATS connection for a command an administrator runs (``chatbus bots``,
``chatbus admin``): no reconnects, quiet about failed attempts, failures as one error."""

import nats
import nats.errors
from nats.aio.client import Client

from services.core.nats_urls import inbox_prefix_for, without_credentials
from services.core.settings import Settings
from services.ops.nats_auth.credentials import CredentialsMissing
from services.ops.nats_auth.embedded import embedded_url

CONNECT_TIMEOUT = 3.0


async def connect_once(servers: list[str], name: str, failure: type[Exception]) -> Client:
    """A connection as the admin user's program ``name``; ``failure`` when NATS is away."""

    async def quiet(error: Exception) -> None:
        """nats-py would log each failed attempt with a traceback."""

    try:
        return await nats.connect(
            servers,
            name=name,
            inbox_prefix=inbox_prefix_for(servers, "admin"),
            allow_reconnect=False,
            max_reconnect_attempts=1,
            connect_timeout=CONNECT_TIMEOUT,
            error_cb=quiet,
        )
    except (OSError, nats.errors.Error) as error:
        where = without_credentials(",".join(servers))
        raise failure(f"cannot reach NATS at {where}: {error!r}") from None


def embedded_admin_url(settings: Settings, failure: type[Exception]) -> str:
    """The embedded server's URL as its admin user; ``failure`` when it has none."""
    try:
        return embedded_url(settings, "admin")
    except CredentialsMissing as missing:
        raise failure(str(missing)) from None
