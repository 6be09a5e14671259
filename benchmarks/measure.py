"""Reading processes from outside (/proc), and summarising numbers."""

import math
import os
from collections.abc import Sequence

__all__ = ["cpu_seconds", "percentile", "rss_kib", "threads_cpu_ns", "threads_wakeups"]

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (10 ms resolution)."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may hold spaces: split after its closing parenthesis.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def threads_cpu_ns(pid: int) -> int:
    """CPU time all the process's threads have run so far, in ns (the scheduler's own count)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/schedstat") as schedstat:
            total += int(schedstat.read().split()[0])
    return total


def threads_wakeups(pid: int) -> int:
    """How many times the process's threads have gone to sleep and woken so far."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as status:
            for line in status:
                if line.startswith("voluntary_ctxt_switches:"):
                    total += int(line.split()[1])
    return total


def rss_kib(pid: int) -> int:
    """Resident memory (VmRSS) of the process, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (``fraction`` 0.5 is the median); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
