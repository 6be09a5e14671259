"""The thread-page benchmark runs, small, and its pages hold exactly the thread's replies."""

from benchmarks.thread_pages import measure


async def test_a_small_run_times_both_kinds_of_page() -> None:
    timings = await measure(messages=600, every=7, pages=2, limit=10)
    assert {kind: len(values) for kind, values in timings.items()} == {
        "first page": 2,
        "page after a middle reply": 2,
    }
