"""The names of the roles a chatbus process runs as: the handler services and the edge.

A leaf: the command line, the supervisor, the benchmark and the chaos runs all
read the names from here, and it imports nothing.
"""

__all__ = ["EDGE", "HANDLER_SERVICES"]

HANDLER_SERVICES = ("chats", "messages", "status")
EDGE = "edge"
