"""Fixtures of the system tier: chatbus's programs as processes."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats
from tests.system.abuse.stack import Stack, running_stack


@pytest.fixture
async def stack(
    nats_server: EmbeddedNats, tmp_path: Path, settings: Settings
) -> AsyncIterator[Stack]:
    """The three services and the edge as processes (two cores beat one event loop), on the
    test's nats-server, with no per-user command or typing limit: floods here are on purpose."""
    assert settings.secret is not None
    no_limit = {"CHATBUS_COMMAND_RATE_PER_SECOND": "0", "CHATBUS_TYPING_RATE_PER_SECOND": "0"}
    async with running_stack(
        nats_server.url, tmp_path / "var", settings.secret, no_limit
    ) as running:
        yield running
