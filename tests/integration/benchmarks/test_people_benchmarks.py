"""``python -m benchmarks.user_search`` and ``benchmarks.read_marks`` work: they seed, ask,
check every answer and return figures.

Not how fast: their figures are for the README, from full-size runs.
"""

from benchmarks.read_marks import measure as measure_read_marks
from benchmarks.user_search import measure as measure_user_search


async def test_user_search_seeds_searches_and_checks_every_answer() -> None:
    figures = await measure_user_search(users=300, searches=30)
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
    assert 0 < figures["index_p50_ms"] <= figures["index_p99_ms"]
    assert figures["copy_load_s"] > 0


async def test_read_marks_times_sends_and_marks_and_counts_marker_writes() -> None:
    figures = await measure_read_marks(messages=20, concurrency=5)
    assert 0 < figures["send_p50"] and 0 < figures["mark_p50"]
    # Sends move their sender's marker: at least one write, never more than one per send.
    assert 1 <= figures["writes_one_at_a_time"] <= 20
    assert 1 <= figures["writes_in_a_burst"] <= 20
