"""A bound on how many lines one kind of event may log: a flood cannot fill the disk.

Whoever can send commands can make a service log (a forged reply subject is one
line each); within a window of ``window`` seconds the first ``lines`` events
are logged, the others only counted, and the count is told with the next
line that is logged.
"""

import time
from collections.abc import Callable

__all__ = ["LogBudget"]


class LogBudget:
    """Up to ``lines`` log lines every ``window`` seconds for one kind of event."""

    def __init__(
        self, lines: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if lines < 1 or window <= 0:
            raise ValueError("a log budget needs at least one line and a window")
        self.lines = lines
        self.window = window
        self._clock = clock
        self._window_start = clock()
        self._logged = 0
        self._unlogged = 0

    def take(self) -> int | None:
        """Count one event: None when it must not be logged, else how many went unlogged before.

        The number is what was suppressed since the last line that was logged (0 usually),
        for that line to say.
        """
        now = self._clock()
        if now - self._window_start >= self.window:
            self._window_start = now
            self._logged = 0
        if self._logged >= self.lines:
            self._unlogged += 1
            return None
        self._logged += 1
        unlogged, self._unlogged = self._unlogged, 0
        return unlogged
