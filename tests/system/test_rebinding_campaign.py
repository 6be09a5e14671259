"""A deployment attacked from outside, against ``chatbus edge`` and the services as processes:
rebinding pages, forged client addresses and public /metrics are all refused, while the
public host, the proxy and the metrics port work. The full count runs as a script:
``python -m tests.system.abuse.rebinding --attempts 1000``.
"""

import secrets
from pathlib import Path

import pytest

from services.ops.embedded_nats import EmbeddedNats, free_port
from tests.system.abuse.rebinding import STACK_ENV, edge_env, run_campaign
from tests.system.abuse.stack import running_stack

ATTEMPTS = 200

pytestmark = pytest.mark.timeout(180)


async def test_rebinding_forged_addresses_and_public_metrics_are_all_refused(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    metrics_port = free_port()
    async with running_stack(
        nats_server.url,
        tmp_path / "var",
        secrets.token_urlsafe(32),
        STACK_ENV,
        edge_env(metrics_port),
    ) as stack:
        figures = await run_campaign(stack.url, metrics_port, ATTEMPTS)
        assert stack.all_running()
    print("\n" + figures.summary())
    assert figures.attempts == ATTEMPTS
    assert figures.not_refused == []
    assert len(figures.outcomes) == 10
    assert figures.controls == {
        "first straight registration": 201,
        "public host GET /": 200,
        "own host GET /": 200,
        "metrics port /metrics": 200,
    }
