"""Workspace administrators: the ``role`` of a user's account record (users bucket).

The people side writes the role; an account record from before it, or without
one, is a member's.
"""

import json

from nats.js.errors import KeyDeletedError, NotFoundError
from nats.js.kv import KeyValue


async def is_workspace_admin(users: KeyValue, username: str) -> bool:
    """Whether ``username``'s account says they administer the workspace."""
    try:
        entry = await users.get(username)
    except (NotFoundError, KeyDeletedError):
        return False
    try:
        record = json.loads(entry.value or b"{}")
    except ValueError:
        return False
    return isinstance(record, dict) and record.get("role") == "admin"
