"""Chaos runs against chatbus as real processes: faults, then figures.

``python -m chaos <scenario> [--messages N ...]`` starts nats-server, the
three handler services and the edge as separate processes, connects
socket.io users that retry unacknowledged sends with the same ``client_id``,
breaks something mid-burst (see ``chaos.scenarios``) and prints what was
sent, acknowledged, stored, lost and duplicated, and how long recovery took.
``tests/system/test_chaos.py`` runs every scenario in a short form.
"""

from .figures import Figures
from .scenarios import SCENARIOS, Options, run_scenario

__all__ = ["SCENARIOS", "Figures", "Options", "run_scenario"]
