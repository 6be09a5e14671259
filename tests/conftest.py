"""Every test's tier, from its directory; the fixtures the integration and system tiers share.

unit/: no processes, no network. integration/: a real nats-server, the services and the
edge in the test's event loop. system/: chatbus's programs as processes. browser/: `chatbus
up` and a real Chromium. `make test-fast` runs the first two.
"""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import argon2
import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats
from services.status import accounts
from tests.support.clients import Users, user_pool
from tests.support.serving import message_stream, running_edge, running_services, settings_for

TIERS = ("unit", "integration", "system", "browser")
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier; a test outside every tier's directory is an error."""
    for item in items:
        tier = item.path.relative_to(TESTS).parts[0]
        if tier not in TIERS:
            raise pytest.UsageError(f"{item.nodeid} is in no tier: move it under tests/<tier>/")
        item.add_marker(tier)


@pytest.fixture(autouse=True, scope="session")
def cheapest_password_hashing() -> Iterator[None]:
    """Status services in the test's process hash passwords with Argon2id's cheapest cost.

    A hash at the real cost takes a quarter of a second of CPU here, and every user a test
    registers and logs in needs two; chatbus's processes (system and browser tests) keep
    the real cost, which tests/system/test_password_hashing.py checks.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            accounts,
            "PasswordHasher",
            lambda: argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST),
        )
        yield


@pytest.fixture
async def nats_server(tmp_path: Path) -> AsyncIterator[EmbeddedNats]:
    """A real nats-server with JetStream on a free loopback port and a temporary store."""
    server = EmbeddedNats(0, tmp_path / "nats")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def nc(nats_server: EmbeddedNats) -> AsyncIterator[Client]:
    """A plain NATS connection to the test's server, as a bot or an operator has."""
    client = await nats.connect(nats_server.url)
    yield client
    await client.close()


@pytest.fixture
async def js(nats_server: EmbeddedNats) -> AsyncIterator[JetStreamContext]:
    """JetStream on the test's server, with the message stream in place."""
    async with message_stream(nats_server) as js:
        yield js


@pytest.fixture
def settings(nats_server: EmbeddedNats, tmp_path: Path) -> Settings:
    """Settings pointing every role at the test's nats-server."""
    return settings_for(nats_server, tmp_path / "var")


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[None]:
    """The chats, messages and status services, running in this event loop."""
    async with running_services(settings):
        yield


@pytest.fixture
async def edge_url(settings: Settings, services: None) -> AsyncIterator[str]:
    """A live edge served by uvicorn on a free port, for real socket.io and HTTP clients."""
    async with running_edge(settings) as url:
        yield url


@pytest.fixture
async def users(edge_url: str) -> AsyncIterator[Users]:
    """Registers users and connects their socket.io clients; disconnects them at the end."""
    async with user_pool(edge_url) as pool:
        yield pool
