"""One nats-server, the three services and an edge for a whole test module.

For modules whose every test makes its own users and chats and reads nothing another test
could have written there: starting the stack costs more than most such tests' own work.
Such a module imports the ``shared_*`` fixtures, which take the names of conftest.py's for its
tests, and runs its tests in the module's event loop, where the stack lives
(``pytestmark = IN_THE_MODULES_LOOP``).
"""

from collections.abc import AsyncIterator

import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client
from nats.js import JetStreamContext

from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats
from tests.support.clients import Users, user_pool
from tests.support.serving import message_stream, running_edge, running_services, settings_for

IN_THE_MODULES_LOOP = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module", name="nats_server")
async def shared_nats_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[EmbeddedNats]:
    """A real nats-server for the module's tests."""
    server = EmbeddedNats(0, tmp_path_factory.mktemp("nats"))
    await server.start()
    yield server
    await server.stop()


def module_settings(
    nats_server: EmbeddedNats, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings pointing every role at the module's nats-server.

    Every test registers its users from this one address: more than the default limit of
    registrations per address in a window.
    """
    shared = settings_for(nats_server, tmp_path_factory.mktemp("var"))
    return shared.model_copy(update={"registrations_per_address": 100_000})


@pytest.fixture(scope="module", name="settings")
def shared_settings(
    nats_server: EmbeddedNats, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """``module_settings``, for the module's tests."""
    return module_settings(nats_server, tmp_path_factory)


@pytest_asyncio.fixture(scope="module", loop_scope="module", name="services")
async def shared_services(settings: Settings) -> AsyncIterator[None]:
    """The chats, messages and status services, for the module's tests."""
    async with running_services(settings):
        yield


@pytest_asyncio.fixture(scope="module", loop_scope="module", name="edge_url")
async def shared_edge_url(settings: Settings, services: None) -> AsyncIterator[str]:
    """An edge on a free port, for the module's tests."""
    async with running_edge(settings) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="module", name="users")
async def shared_users(edge_url: str) -> AsyncIterator[Users]:
    """This test's users on the module's edge; disconnected when the test ends."""
    async with user_pool(edge_url) as pool:
        yield pool


@pytest_asyncio.fixture(loop_scope="module", name="nc")
async def shared_nc(nats_server: EmbeddedNats) -> AsyncIterator[Client]:
    """This test's own NATS connection to the module's server."""
    client = await nats.connect(nats_server.url)
    yield client
    await client.close()


@pytest_asyncio.fixture(loop_scope="module", name="js")
async def shared_js(nats_server: EmbeddedNats) -> AsyncIterator[JetStreamContext]:
    """JetStream on the module's server, with the message stream in place."""
    async with message_stream(nats_server) as js:
        yield js
