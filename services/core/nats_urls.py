"""NATS URLs: who they connect as, which inbox prefix that gives, and how to show them.

A NATS URL carries its user's password (``nats://edge:<password>@host:4222``);
whatever chatbus prints or logs shows it through ``without_credentials``.
"""

import re
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from services.contracts import subjects

__all__ = ["inbox_prefix_for", "url_user", "with_credentials", "without_credentials"]

_INBOX_NAME = re.compile(subjects.INBOX_NAME_PATTERN)


def without_credentials(text: str) -> str:
    """``text`` with the user name and password taken out of every URL in it.

    For one URL, a comma-separated list of them, or a message that quotes some:
    ``nats://edge:s3cret@nats-1:4222`` becomes ``nats://nats-1:4222``.
    """
    return _USERINFO.sub(r"\g<scheme>", text)


# A scheme, then user info up to the "@" (a URL-safe password has no "/", "," or space).
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^\s,/@]*@")


def url_user(url: str) -> str | None:
    """The user name a NATS URL connects as; None when it names none."""
    try:
        username = urlsplit(url.strip()).username
    except ValueError:
        return None
    return unquote(username) if username else None


def with_credentials(url: str, user: str, password: str) -> str:
    """``url`` connecting as ``user`` with ``password`` (a URL without user info to start)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{user}:{password}@{rest.rpartition('@')[2]}"


def inbox_prefix_for(servers: Sequence[str], role: str) -> str:
    """The inbox prefix a chatbus program connects with: ``_INBOX_<name>``.

    ``name`` is the NATS user of its URLs when they name one (deployments give each
    program its own user, and NATS permissions each user its own prefix), else the
    program's role (edge, chats, messages, status, ops, admin). A user name that could
    not name an inbox (a dot, a space) gives the role too.
    """
    for url in servers:
        user = url_user(url)
        if user is not None and _INBOX_NAME.fullmatch(user):
            return subjects.inbox_prefix(user)
    return subjects.inbox_prefix(role)
