"""Full garbage collections that walk only what is new since the last one.

CPython's cycle collector walks every tracked container (instances, dicts,
lists, coroutines, futures...) in a full collection, and one runs whenever a
quarter as many objects as the last one kept have outlived two younger
collections. An edge holding many thousand sockets tracks over a million
objects, and each full collection stops it for as long as walking them all
takes (benchmarks/FINDINGS.md, "Full collections walk only what is new").

``SurvivorFreezer`` freezes (``gc.freeze``) whatever survives a full
collection. Frozen objects are still freed when their last reference goes,
but later collections do not walk them. What no collection then finds is a
frozen object left in an unreachable reference cycle, so every ``thaw_every``
seconds the frozen objects are thawed and the next full collection walks them
all once. Few are left so (uvicorn's HTTP protocol of an upgraded connection,
and its transport: FINDINGS counts them).
"""

import gc
import time
from collections.abc import Callable

__all__ = ["THAW_EVERY_SECONDS", "SurvivorFreezer", "freeze_survivors"]

# How long a frozen object in an unreachable cycle may wait to be freed. Each thaw costs
# one full-length collection, which stops a busy edge for a while (benchmarks/FINDINGS.md,
# "Full collections walk only what is new").
THAW_EVERY_SECONDS = 3600.0

_OLDEST = 2  # the generation a full collection collects


class SurvivorFreezer:
    """A ``gc.callbacks`` entry: freeze the survivors of each full collection, thaw now and then."""

    def __init__(
        self,
        thaw_every: float = THAW_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._thaw_every = thaw_every
        self._clock = clock
        self._thaw_at = clock() + thaw_every

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase != "stop" or info["generation"] != _OLDEST:
            return
        # A full collection has just merged the younger generations into the oldest,
        # so what is tracked now is what survived it.
        now = self._clock()
        if now < self._thaw_at:
            gc.freeze()
            return
        gc.unfreeze()  # into the oldest generation: the next full collection walks it all
        self._thaw_at = now + self._thaw_every


def freeze_survivors(freezer: SurvivorFreezer | None = None) -> Callable[[], None]:
    """Freeze what survives full collections in this process from now on; returns the undo.

    Collects once at once, so what importing and setting up left is frozen from the start.
    """
    callback = freezer or SurvivorFreezer()
    gc.callbacks.append(callback)
    gc.collect()

    def undo() -> None:
        gc.callbacks.remove(callback)
        gc.unfreeze()

    return undo
