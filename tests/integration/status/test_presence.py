"""Two replicas of the status service writing one user's presence, on a real nats-server.

A replica writes from its copy of the bucket first; these are the cases where
that copy is behind another replica's write.
"""

from nats.aio.client import Client

from services.contracts import Connection
from services.contracts.storage import PRESENCE_BUCKET
from services.status.presence import PresenceRecord, PresenceTracker
from services.storage.jetstream import open_bucket
from tests.support.polling import wait_until


def opened(connection_id: str) -> Connection:
    return Connection(edge_id="edge", connection_id=connection_id, username="alice")


async def stored_connections(nc: Client) -> set[str]:
    bucket = await open_bucket(nc.jetstream(), PRESENCE_BUCKET)
    record = PresenceRecord.model_validate_json((await bucket.get("alice")).value or b"")
    return set(record.connections)


async def test_a_replica_whose_copy_is_behind_still_changes_what_is_stored(nc: Client) -> None:
    bucket = await open_bucket(nc.jetstream(), PRESENCE_BUCKET)
    first, behind = (PresenceTracker(nc, bucket, dead_after=30) for _ in range(2))
    await first.start()
    await behind.start()
    try:
        await first.connection_opened(opened("c0"))

        async def behind_saw_it() -> bool:
            return "alice" in {presence.username for presence in behind.online()}

        await wait_until(behind_saw_it)
        await behind.stop()  # its copy stays at {c0} from here on
        await first.connection_opened(opened("c1"))

        # Closing a connection its copy does not know: only the bucket knows it is there.
        await behind.connection_closed(opened("c1"))
        assert await stored_connections(nc) == {"edge.c0"}
        # Opening one on a copy whose revision is old: compare-and-set sends it to the bucket.
        await first.connection_opened(opened("c2"))
        await behind.connection_opened(opened("c3"))
        assert await stored_connections(nc) == {"edge.c0", "edge.c2", "edge.c3"}
    finally:
        await first.stop()
