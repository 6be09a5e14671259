"""Per-user command budgets: one token bucket per acting user, in each handler process.

Every command on ``chat.cmd.<username>.<area>.<verb>`` draws a token from
``<username>``'s bucket, whoever sent it, so a browser relayed by the edge and
a bot on NATS are held to the same rule. An empty bucket is answered
``rate_limited`` (with ``retry_after``) before the payload is even decoded, so
a flood costs a handler little and other users keep their latency.

The buckets live in the handler process. With N replicas of a service in one
queue group a user's commands are spread over them, so a user can get up to
N times the budget; a shared counter would cost a JetStream write per command,
more than most commands themselves.

Typing notices draw on a budget of their own, smaller and kept apart: a client
may report every keystroke, which must not use up its commands, and a notice
over that budget is refused here, before the status service reads anything
for it. Those within it are announced at most once a second per chat
(``status/typing_notices.py``).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from faststream import BaseMiddleware
from faststream.context import ContextRepo
from faststream.message import StreamMessage
from faststream.types import AsyncFuncAny

from services.contracts import TYPING, subjects
from services.core.errors import RateLimited
from services.core.settings import Settings

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
    ``commands`` and ``typing`` are the two budgets; None turns one off.
    """

    def __init__(self, commands: CommandBudget | None, typing: CommandBudget | None) -> None:
        self.commands = commands
        self.typing = typing

    @classmethod
    def from_settings(cls, settings: Settings) -> "CommandRateLimit | None":
        """The limits the settings ask for; None when both rates are 0 (off)."""
        commands = typing = None
        if settings.command_rate_per_second > 0:
            commands = CommandBudget(settings.command_rate_per_second, settings.command_burst)
        if settings.typing_rate_per_second > 0:
            typing = CommandBudget(settings.typing_rate_per_second, settings.typing_burst)
        if commands is None and typing is None:
            return None
        return cls(commands, typing)

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> BaseMiddleware:
        return _CommandGate(msg, context=context, limit=self)


class _CommandGate(BaseMiddleware):
    """One message's pass through its budget."""

    def __init__(self, msg: Any, /, *, context: ContextRepo, limit: CommandRateLimit) -> None:
        super().__init__(msg, context=context)
        self.limit = limit

    async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
        command = subjects.parse_command(getattr(msg.raw_message, "subject", ""))
        if command is not None:
            username, area, verb = command
            if (area, verb) == (TYPING.area, TYPING.verb):
                budget, what = self.limit.typing, "typing notices"
            else:
                budget, what = self.limit.commands, "commands"
            wait = budget.take(username) if budget is not None else 0.0
            if wait:
                raise RateLimited(f"too many {what}; slow down", retry_after=wait)
        return await call_next(msg)
