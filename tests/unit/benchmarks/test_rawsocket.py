"""The benchmark's websocket client takes plain ws:// URLs only."""

import asyncio

import pytest

from benchmarks.rawsocket import open_websocket


def test_only_plain_ws_urls_are_taken() -> None:
    with pytest.raises(ValueError):
        asyncio.run(open_websocket("wss://127.0.0.1:1/"))
