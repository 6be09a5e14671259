"""A long password-guessing attack on one user, on a fake clock, against the real buckets:
the user logs in at once from an address they used before, waits a bounded and growing time
from a new one, and the attacker's waits grow to the maximum and stay there.

``Accounts`` and ``LoginThrottle`` as the status service builds them, on a real
nats-server, with a cheap password hash (hundreds of attempts) and a clock the test
moves past each wait instead of sleeping through it.
"""

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from nats.js import JetStreamContext

from services.contracts import LoginRequest, Registration, storage
from services.core.errors import RateLimited, Unauthorized
from services.core.settings import Settings
from services.status.accounts import KNOWN_ADDRESSES, Accounts
from services.status.login_throttle import LoginThrottle, ThrottleLimits
from services.storage.jetstream import open_bucket
from tests.support.clients import PASSWORD

# The defaults: 5 free per pair, 10 per user, 20 per address.
LIMITS = ThrottleLimits.from_settings(Settings())
HOME = "203.0.113.1"
ATTACKER = "192.0.2.66"
FAILURES = 40


class FakeClock:
    """Unix time that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def accounts(js: JetStreamContext, clock: FakeClock) -> Accounts:
    users = await open_bucket(js, storage.USERS_BUCKET)
    throttle = await LoginThrottle.open(js, LIMITS, clock=clock)
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    accounts = Accounts(users, throttle, b"address-key-for-the-test-only-32", hasher=cheap)
    await accounts.register(Registration(username="alice", password=PASSWORD))
    return accounts


def attempt(password: str, address: str) -> LoginRequest:
    return LoginRequest(username="alice", password=password, address=address)


async def wait_asked(accounts: Accounts, password: str, address: str) -> int:
    """The Retry-After a login is refused with; 0 when it is let by (and succeeds)."""
    try:
        await accounts.login(attempt(password, address))
    except RateLimited as refused:
        assert refused.retry_after is not None
        return refused.retry_after
    return 0


async def fail_once(accounts: Accounts, clock: FakeClock, address: str) -> int:
    """One more checked wrong password from ``address``, waiting as told; seconds waited."""
    waited = 0
    while True:
        try:
            await accounts.login(attempt("wrong password", address))
        except RateLimited as refused:
            assert refused.retry_after is not None
            clock.advance(refused.retry_after)
            waited += refused.retry_after
        except Unauthorized:
            return waited


async def test_a_long_attack_never_holds_the_user_back_at_home_and_only_a_while_elsewhere(
    accounts: Accounts, clock: FakeClock
) -> None:
    await accounts.login(attempt(PASSWORD, HOME))  # home is a known address from now on
    attackers_waits: list[int] = []
    new_address_waits: list[int] = []
    failures = 0
    while failures < FAILURES:
        try:
            await accounts.login(attempt("wrong password", ATTACKER))
        except Unauthorized:
            failures += 1
            continue
        except RateLimited as refused:
            assert refused.retry_after is not None
            # Held back right after a failure: what the attacker, and the user elsewhere
            # and at home, are told then.
            attackers_waits.append(refused.retry_after)
            new_address = f"198.51.100.{failures}"
            new_address_waits.append(await wait_asked(accounts, PASSWORD, new_address))
            assert await wait_asked(accounts, PASSWORD, HOME) == 0  # at once, every time
            clock.advance(refused.retry_after)
    print(f"\n{FAILURES} failures; after each past the free ones, Retry-After for the")
    print(f"attacker: {attackers_waits}")
    print(f"the user at a new address: {new_address_waits}")
    free_pair, free_user = LIMITS.login_failures_per_pair, LIMITS.login_failures_per_user
    cap = int(LIMITS.login_max_delay_seconds)
    assert len(attackers_waits) == FAILURES - free_pair  # one after each failure past those
    assert attackers_waits[:8] == [1, 2, 4, 8, 16, 32, 64, cap]
    assert max(attackers_waits) == attackers_waits[-1] == cap  # bounded, however long
    # From new addresses: let by until the attack used up the user's own allowance, then
    # waits that start small and grow, up to the same bound: never a block.
    let_by = free_user - free_pair
    assert new_address_waits[:let_by] == [0] * let_by
    assert new_address_waits[let_by:][:4] == [1, 2, 4, 8]
    assert new_address_waits == sorted(new_address_waits) and max(new_address_waits) == cap
    # Once the attacker stops, a new address gets in after the wait it was told.
    clock.advance(await wait_asked(accounts, PASSWORD, "198.51.100.200"))
    assert await wait_asked(accounts, PASSWORD, "198.51.100.200") == 0


async def test_failures_are_forgotten_a_window_after_the_last_one(
    accounts: Accounts, clock: FakeClock
) -> None:
    for _ in range(LIMITS.login_failures_per_pair + 3):
        await fail_once(accounts, clock, ATTACKER)
    assert await wait_asked(accounts, "wrong password", ATTACKER) > 0
    clock.advance(LIMITS.login_failure_window_seconds)
    for _ in range(LIMITS.login_failures_per_pair):  # the free ones again, without waiting
        assert await fail_once(accounts, clock, ATTACKER) == 0


async def test_at_a_known_address_only_its_own_failures_slow_it(
    accounts: Accounts, clock: FakeClock
) -> None:
    await accounts.login(attempt(PASSWORD, HOME))
    for n in range(LIMITS.login_failures_per_address + LIMITS.login_failures_per_user):
        await fail_once(accounts, clock, f"192.0.2.{n}")  # the user's counter, far past it
    for _ in range(LIMITS.login_failures_per_pair):
        await fail_once(accounts, clock, HOME)  # someone at home mistyping
    wait = await wait_asked(accounts, PASSWORD, HOME)
    assert wait == LIMITS.login_first_delay_seconds  # its own first wait, not the user's
    clock.advance(wait)
    assert await wait_asked(accounts, PASSWORD, HOME) == 0


async def test_the_latest_addresses_are_remembered_and_the_oldest_forgotten(
    accounts: Accounts, clock: FakeClock
) -> None:
    addresses = [f"198.51.100.{n}" for n in range(KNOWN_ADDRESSES + 1)]
    for address in addresses:
        await accounts.login(attempt(PASSWORD, address))
    for n in range(LIMITS.login_failures_per_user):
        await fail_once(accounts, clock, f"192.0.2.{n}")
    held: Callable[[int], bool] = lambda wait: wait > 0  # noqa: E731
    waits = [await wait_asked(accounts, PASSWORD, address) for address in addresses]
    assert [held(wait) for wait in waits] == [True] + [False] * KNOWN_ADDRESSES
