"""socket.io room names: one per chat (its members' sockets) and one per user (their tabs)."""


def chat_room(chat_id: str) -> str:
    """The sockets of a chat's members."""
    return f"chat:{chat_id}"


def user_room(username: str) -> str:
    """All sockets of one user, on this edge."""
    return f"user:{username}"
