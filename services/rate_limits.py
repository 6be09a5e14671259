"""Per-user command budgets: one token bucket per acting user, in each handler process.

Every command on ``chat.cmd.<username>.<area>.<verb>`` draws a token from
``<username>``'s bucket, whoever sent it, so a browser relayed by the edge and
a bot on NATS are held to the same rule. An empty bucket is answered
``rate_limited`` (with ``retry_after``) before the payload is even decoded, so
a flood costs a handler little and other users keep their latency.

The buckets live in the handler process. With N replicas of a service in one
queue group a user's commands are spread over them, so a user can get up to
N times the budget; a shared counter would cost a JetStream write per command,
more than most commands themselves. Typing notices are left out: they are
throttled where they are fanned out (``status/typing_notices.py``).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from faststream import BaseMiddleware
from faststream._internal.basic_types import AsyncFuncAny
from faststream._internal.context.repository import ContextRepo
from faststream.message import StreamMessage

from services.contracts import TYPING, subjects
from services.errors import RateLimited
from services.settings import Settings

# Past this many users tracked, buckets that have refilled are dropped (they equal a new one).
TRACKED_USERS_BEFORE_PRUNING = 10_000

Clock = Callable[[], float]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class CommandBudget:
    """``rate`` commands a second per user, with bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: int, clock: Clock = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, username: str) -> float:
        """Spend one of ``username``'s tokens: 0 when there was one, else seconds until there is."""
        now = self._clock()
        bucket = self._buckets.get(username)
        if bucket is None:
            if len(self._buckets) >= TRACKED_USERS_BEFORE_PRUNING:
                self._prune(now)
            bucket = self._buckets[username] = _Bucket(tokens=self.burst, updated=now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        refill_seconds = self.burst / self.rate
        self._buckets = {
            name: bucket
            for name, bucket in self._buckets.items()
            if now - bucket.updated < refill_seconds
        }


class CommandRateLimit:
    """FastStream broker middleware: commands beyond the acting user's budget are refused.

    Sits inside the broker's ``ExceptionMiddleware``, which turns the
    ``RateLimited`` raised here into the ``rate_limited`` reply envelope.
    """

    def __init__(self, budget: CommandBudget) -> None:
        self.budget = budget

    @classmethod
    def from_settings(cls, settings: Settings) -> "CommandRateLimit | None":
        """The limit the settings ask for; None when ``command_rate_per_second`` is 0 (off)."""
        if settings.command_rate_per_second <= 0:
            return None
        return cls(CommandBudget(settings.command_rate_per_second, settings.command_burst))

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> BaseMiddleware:
        return _CommandGate(msg, context=context, budget=self.budget)


class _CommandGate(BaseMiddleware):
    """One message's pass through the budget."""

    def __init__(self, msg: Any, /, *, context: ContextRepo, budget: CommandBudget) -> None:
        super().__init__(msg, context=context)
        self.budget = budget

    async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
        command = subjects.parse_command(getattr(msg.raw_message, "subject", ""))
        if command is not None:
            username, area, verb = command
            if (area, verb) != (TYPING.area, TYPING.verb):
                wait = self.budget.take(username)
                if wait:
                    raise RateLimited("too many commands; slow down", retry_after=wait)
        return await call_next(msg)
