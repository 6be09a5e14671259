"""A round trip within one process, timed without a second process."""

from benchmarks.wakeup_cost import in_one_process


def test_one_process_needs_no_second_one() -> None:
    alone = in_one_process(200)
    # Each round is two system calls: never free, even without a second process.
    assert alone.wall_us > 0 and alone.cpu_us > 0
