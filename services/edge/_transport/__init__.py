"""Where the edge reaches into python-engineio, python-socketio, uvicorn and websockets.

The edge's Engine.IO sockets idle on fewer objects and write each event's
frame straight to the websockets; what that takes of the libraries' internals
is here and nowhere else. Each module names the upstream version and the
functions it follows; the pins in pyproject.toml keep those libraries to that
minor version, and tests/unit/test_private_names.py keeps such code out of every
other package.
"""

from .direct_write_manager import JsonPayload
from .engine_server import DirectWriteSocketServer
from .engine_socket import MAX_UNSENT_EVENTS
from .websocket_protocol import DirectWriteWebSocketProtocol, log_handshakes_when_debugging

__all__ = [
    "MAX_UNSENT_EVENTS",
    "DirectWriteSocketServer",
    "DirectWriteWebSocketProtocol",
    "JsonPayload",
    "log_handshakes_when_debugging",
]
