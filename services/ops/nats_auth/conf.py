"""nats-server's ``authorization`` block, rendered from ``roles``.

Two forms: deploy/nats.conf's, whose passwords are variables nats-server reads
from its environment (``$CHATBUS_NATS_<USER>_PASSWORD``), and the embedded
server's, with the generated passwords themselves (a file only its owner reads).

``python -m services.ops.nats_auth.conf deploy/nats.conf`` rewrites that file's block.
"""

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .roles import NatsUser, Permissions, bot_user, users

__all__ = [
    "DEPLOY_BOTS",
    "authorization_block",
    "deploy_authorization",
    "password_variable",
    "replace_authorization",
]

# deploy/nats.conf's example bot, one entry to copy for each bot.
DEPLOY_BOTS = (bot_user("weatherbot", ("general",)),)
BLOCK_START = "authorization {\n"
BLOCK_END = "\n}\n"
WIDTH = 96


def password_variable(user: str) -> str:
    """``CHATBUS_NATS_<USER>_PASSWORD``: where nats-server finds a user's password."""
    return f"CHATBUS_NATS_{user.upper().replace('-', '_')}_PASSWORD"


def deploy_authorization(bots: Sequence[NatsUser] = DEPLOY_BOTS) -> str:
    """deploy/nats.conf's block: every role, the example bot, passwords from the environment."""
    return authorization_block(users(bots), lambda user: f"${password_variable(user)}")


def authorization_block(all_users: Sequence[NatsUser], password: Callable[[str], str]) -> str:
    """``authorization { users = [...] }`` for ``all_users``; ``password(name)`` goes in as is."""
    lines = [BLOCK_START.rstrip("\n"), "  users = ["]
    for user in all_users:
        lines += user_entry(user, password(user.name))
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def user_entry(user: NatsUser, password: str, indent: str = "    ") -> list[str]:
    """One user's entry, with its ``about`` as a comment above it."""
    lines = [f"{indent}# {line}" for line in user.about.splitlines()]
    lines += [
        f"{indent}{{",
        f"{indent}  user: {user.name}",
        f"{indent}  password: {password}",
        f"{indent}  permissions: {{",
        *_side("publish", user.permissions, f"{indent}    "),
        *_side("subscribe", user.permissions, f"{indent}    "),
        f"{indent}  }}",
        f"{indent}}}",
    ]
    return lines


def _side(kind: str, permissions: Permissions, indent: str) -> list[str]:
    allow = getattr(permissions, kind)
    deny = getattr(permissions, f"{kind}_denied")
    one_line = f"{indent}{kind}: {{ allow: {_list(allow)} }}"
    if not deny and len(one_line) <= WIDTH:
        return [one_line]
    lines = [f"{indent}{kind}: {{", *_field("allow", allow, f"{indent}  ")]
    if deny:
        lines += _field("deny", deny, f"{indent}  ")
    return [*lines, f"{indent}}}"]


def _field(name: str, items: Sequence[str], indent: str) -> list[str]:
    one_line = f"{indent}{name}: {_list(items)}"
    if len(one_line) <= WIDTH:
        return [one_line]
    rows: list[str] = []
    row = ""
    for item in (json.dumps(item) for item in items):
        if row and len(indent) + 2 + len(row) + len(item) + 3 > WIDTH:
            rows.append(row + ",")
            row = ""
        row = f"{row}, {item}" if row else item
    rows.append(row)
    return [f"{indent}{name}: [", *(f"{indent}  {row}" for row in rows), f"{indent}]"]


def _list(items: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def current_authorization(conf: str) -> str:
    """The authorization block of a nats-server config (from ``authorization {`` to its ``}``)."""
    start = conf.index("\n" + BLOCK_START) + 1
    end = conf.index(BLOCK_END, start) + len(BLOCK_END)
    return conf[start:end]


def replace_authorization(conf: str, block: str) -> str:
    """``conf`` with its authorization block replaced by ``block``."""
    return conf.replace(current_authorization(conf), block, 1)


def main(argv: Sequence[str]) -> int:
    """Rewrite the authorization block of the config file named in ``argv``."""
    if len(argv) != 1:
        sys.stderr.write("usage: python -m services.ops.nats_auth.conf deploy/nats.conf\n")
        return 2
    path = Path(argv[0])
    path.write_text(replace_authorization(path.read_text(), deploy_authorization()))
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
