"""Measurement switches: ``BENCH_STOCK=name,...`` runs those overrides' stock paths instead.

For measuring each override against the dependency's own path in the same run;
not a setting, and gone once the measurements are written down.
"""

import os

STOCK = frozenset(filter(None, os.environ.get("BENCH_STOCK", "").split(",")))


def stock(name: str) -> bool:
    """Whether the override ``name`` runs the dependency's stock path instead."""
    return name in STOCK
