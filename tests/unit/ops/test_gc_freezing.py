"""What survives a full collection is frozen, and a thaw frees frozen cycles."""

import gc
import weakref
from collections.abc import Iterator

import pytest

from services.ops.gc_freezing import SurvivorFreezer, freeze_survivors

THAW_EVERY = 60.0


class Node:
    """A container the cycle collector tracks."""

    def __init__(self) -> None:
        self.other: Node | None = None


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def freezing(clock: FakeClock) -> Iterator[None]:
    undo = freeze_survivors(SurvivorFreezer(thaw_every=THAW_EVERY, clock=clock))
    try:
        yield
    finally:
        undo()


def walked_by_collections(obj: object) -> bool:
    """Whether ``obj`` is in a generation collections walk (frozen objects are in none)."""
    return any(tracked is obj for tracked in gc.get_objects())


def test_without_freezing_a_survivor_of_a_full_collection_is_walked_again() -> None:
    survivor = Node()
    gc.collect()
    assert walked_by_collections(survivor)


def test_a_survivor_of_a_full_collection_is_frozen_and_what_comes_after_is_not(
    freezing: None,
) -> None:
    survivor = Node()
    gc.collect(1)  # a younger collection freezes nothing
    assert walked_by_collections(survivor)
    gc.collect()
    assert not walked_by_collections(survivor)
    assert gc.get_freeze_count() > 0
    newcomer = Node()
    assert walked_by_collections(newcomer)


def test_a_frozen_cycle_is_freed_by_the_full_collection_after_the_thaw(
    freezing: None, clock: FakeClock
) -> None:
    first, second = Node(), Node()
    first.other, second.other = second, first
    cycle_alive = weakref.ref(first)
    gc.collect()  # frozen while reachable
    del first, second
    gc.collect()
    assert cycle_alive() is not None, "a frozen cycle is walked by no collection before a thaw"

    clock.now = THAW_EVERY
    gc.collect()  # the full collection that ends the period thaws
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert cycle_alive() is None
    assert gc.get_freeze_count() > 0, "the survivors of that collection are frozen again"


def test_undo_thaws_and_stops_freezing(clock: FakeClock) -> None:
    undo = freeze_survivors(SurvivorFreezer(thaw_every=THAW_EVERY, clock=clock))
    assert gc.get_freeze_count() > 0, "what setting up left is frozen at once"
    undo()
    assert gc.get_freeze_count() == 0
    survivor = Node()
    gc.collect()
    assert walked_by_collections(survivor)
