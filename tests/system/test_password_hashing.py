"""chatbus's processes hash passwords at Argon2id's default cost.

The services that other tiers run in the test's own process hash at the cheapest cost
(tests/conftest.py), so this is where the real cost is checked.
"""

import argon2
from nats.aio.client import Client

from services.contracts import storage
from tests.support.clients import user_pool
from tests.system.abuse.stack import Stack


async def test_a_password_is_stored_as_an_argon2id_hash_at_the_default_cost(
    stack: Stack, nc: Client
) -> None:
    async with user_pool(stack.url) as users:
        name = await users.register()
    bucket = await nc.jetstream().key_value(storage.USERS_BUCKET)
    stored = (await bucket.get(name)).value or b""
    default = argon2.PasswordHasher()
    cost = f"m={default.memory_cost},t={default.time_cost},p={default.parallelism}"
    assert f"$argon2id$v=19${cost}$".encode() in stored
