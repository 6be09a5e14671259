"""The AsyncAPI 3.0 document, generated from the code that runs.

The NATS side comes from FastStream's generator over the real handler apps
(:mod:`.nats`), the socket.io side from the edge's own table of events
(:mod:`.socketio`); both share one set of schemas (:mod:`.schemas`).
``chatbus docs`` writes it to ``asyncapi/`` (:mod:`.files`).
"""

from .document import build_asyncapi
from .files import render_json, render_yaml, write_documents

__all__ = ["build_asyncapi", "render_json", "render_yaml", "write_documents"]
