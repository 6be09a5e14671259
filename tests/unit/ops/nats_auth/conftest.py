"""Fixtures of the tests of the NATS users' credentials and authorization files."""

import os
from collections.abc import Iterator

import pytest


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that takes nothing away: a file is private only if it was created so."""
    previous = os.umask(0)
    yield
    os.umask(previous)
