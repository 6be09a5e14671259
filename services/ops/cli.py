"""The ``chatbus`` command: ``up`` runs everything, the others run one role.

Each subcommand is a function taking the parsed arguments and the settings
and returning an exit code. Role modules are imported inside their
subcommand, so ``chatbus up`` never loads the edge into the supervisor and
one role's import errors cannot break another's command.
"""

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from pydantic import ValidationError

from services.contracts import UserRole
from services.core.logs import configure_logging
from services.core.settings import Settings
from services.ops.gc_freezing import freeze_survivors
from services.ops.role_names import EDGE, HANDLER_SERVICES

__all__ = ["EXTRA_COMMAND_MODULES", "AddCommand", "Subcommand", "build_parser", "main"]

Subcommand = Callable[[argparse.Namespace, Settings], int]
# ``add(name, run, summary)``: adds a subcommand and returns its parser for the arguments.
AddCommand = Callable[[str, Subcommand, str], argparse.ArgumentParser]

# Commands kept out of the wheel, each added by its module's ``register(add)`` where that
# module is importable: from a checkout, ``benchmarks`` adds ``chatbus bench``.
EXTRA_COMMAND_MODULES = ("benchmarks.chatbus_command",)


def up(args: argparse.Namespace, settings: Settings) -> int:
    """NATS (unless ``NATS_URL`` is set), the handler services and the edge, together."""
    from services.ops.supervisor import run_up

    return run_up(settings)


def edge(args: argparse.Namespace, settings: Settings) -> int:
    """The socket.io/HTTP edge alone."""
    configure_logging(settings, role=EDGE)
    freeze_survivors()
    from services.edge.app import run_edge

    run_edge(settings)
    return 0


def service(args: argparse.Namespace, settings: Settings) -> int:
    """One handler service alone."""
    configure_logging(settings, role=args.name)
    freeze_survivors()
    app = importlib.import_module(f"services.{args.name}.app")
    app.run_service(settings)
    return 0


def docs(args: argparse.Namespace, settings: Settings) -> int:
    """Regenerate the AsyncAPI document into ``asyncapi/``."""
    from pathlib import Path

    from services.docs import build_asyncapi, write_documents

    for path in write_documents(build_asyncapi(), Path(args.output)):
        sys.stdout.write(f"wrote {path}\n")
    return 0


def say(args: argparse.Namespace, settings: Settings) -> int:
    """Post a message as a user, over plain NATS."""
    from services.ops import say_tail

    text = " ".join(args.text)
    return say_tail.run(
        say_tail.say(
            settings, args.username, args.chat_id, text, join=args.join, client_id=args.client_id
        )
    )


def tail(args: argparse.Namespace, settings: Settings) -> int:
    """Follow a chat's messages, over plain NATS."""
    from services.ops import say_tail

    return say_tail.run(
        say_tail.tail(settings, args.chat_id, username=args.username, history=args.history)
    )


def status(args: argparse.Namespace, settings: Settings) -> int:
    """Which services answer, NATS's health, the streams' and buckets' sizes."""
    from services.ops.nats_auth.roles import READINESS_PROBES
    from services.ops.status_report import run_status

    monitors = [url.strip() for url in (args.monitor or "").split(",") if url.strip()]
    return run_status(settings, READINESS_PROBES, monitors, as_json=args.json)


def nats_url(args: argparse.Namespace, settings: Settings) -> int:
    """A NATS URL for the embedded server, with the ops or the admin user's password."""
    from services.ops.nats_auth.credentials import CredentialsMissing
    from services.ops.nats_auth.embedded import embedded_url

    if settings.nats_url:
        sys.stderr.write("chatbus nats-url: NATS_URL is set; this is for the embedded server\n")
        return 2
    try:
        sys.stdout.write(embedded_url(settings, args.role) + "\n")
    except CredentialsMissing as missing:
        sys.stderr.write(f"chatbus nats-url: {missing}\n")
        return 1
    return 0


def bots(args: argparse.Namespace, settings: Settings) -> int:
    """Add, list or remove a bot: an account with no password login and a NATS user of its own."""
    import asyncio

    from services.ops.nats_auth import bots as bot_users

    try:
        if args.action == "add":
            asyncio.run(bot_users.add_bot(settings, args.name, args.chats, sys.stdout))
        elif args.action == "remove":
            asyncio.run(bot_users.remove_bot(settings, args.name, sys.stdout))
        else:
            bot_users.list_bots(settings, sys.stdout)
    except bot_users.BotError as error:
        sys.stderr.write(f"chatbus bots {args.action}: {error}\n")
        return error.exit_code
    return 0


def admin(args: argparse.Namespace, settings: Settings) -> int:
    """Make a user a workspace admin, or a plain member again."""
    import asyncio

    from services.ops import workspace_admins

    role: UserRole = "admin" if args.action == "grant" else "member"
    try:
        asyncio.run(workspace_admins.set_role(settings, args.username, role, sys.stdout))
    except workspace_admins.AdminError as error:
        sys.stderr.write(f"chatbus admin {args.action}: {error}\n")
        return error.exit_code
    return 0


# An id that starts with "-" (an older chatbus made some) reads as an option unless "--"
# comes before it.
CHAT_ID_HELP = "the chat's id, e.g. general (put -- before an id that starts with -)"


def build_parser(
    extra_command_modules: Sequence[str] = EXTRA_COMMAND_MODULES,
) -> argparse.ArgumentParser:
    """The argument parser; each subparser sets ``run`` to its subcommand.

    ``extra_command_modules`` that cannot be found add nothing; one that is found
    but fails to import raises, as any broken command would.
    """
    parser = argparse.ArgumentParser(
        prog="chatbus",
        description="Real-time chat on NATS. Settings come from environment variables.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def add(name: str, run: Subcommand, summary: str) -> argparse.ArgumentParser:
        subparser = commands.add_parser(name, help=summary, description=summary)
        subparser.set_defaults(run=run)
        return subparser

    add("up", up, "run NATS (unless NATS_URL is set), the handler services and the edge")
    add("edge", edge, "run the socket.io/HTTP edge alone")
    add("service", service, "run one handler service alone").add_argument(
        "name", choices=HANDLER_SERVICES
    )
    add("docs", docs, "regenerate the AsyncAPI document (asyncapi/)").add_argument(
        "--output", default="asyncapi", help="directory to write into (default: asyncapi)"
    )
    add_say(add("say", say, "post a message to a chat as a user, over NATS"))
    add_tail(add("tail", tail, "print a chat's messages as they arrive, over NATS"))
    add_status(add("status", status, "show the services, NATS's health and the stream sizes"))
    add_bots(add("bots", bots, "add, list or remove bots (their accounts and NATS users)"))
    add_admin(add("admin", admin, "grant or revoke a user's workspace admin role"))
    add(
        "nats-url", nats_url, "print a NATS URL for the embedded server as ops or admin"
    ).add_argument(
        "--role",
        choices=("ops", "admin"),
        required=True,
        help="ops: read-only (chatbus status); admin: every right (the nats CLI)",
    )
    for name in extra_command_modules:
        module = _optional_module(name)
        if module is not None:
            module.register(add)
    return parser


def _optional_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name is not None and (name + ".").startswith(missing.name + "."):
            return None
        raise


def add_bots(parser: argparse.ArgumentParser) -> None:
    """``chatbus bots add pingbot --chat general``, ``chatbus bots list``, ``... remove NAME``."""
    actions = parser.add_subparsers(title="actions", dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="create the bot's account and NATS user; print its NATS_URL",
        description="Create the account NAME (no password login) and a NATS user allowed "
        "what a bot may do; print NATS_URL=nats://NAME:<password>@host:port. Against the "
        "embedded server it works at once; with NATS_URL set it prints the nats.conf entry.",
    )
    add.add_argument("name", metavar="NAME", help="the bot's username, e.g. pingbot")
    add.add_argument(
        "--chat",
        dest="chats",
        metavar="ID",
        action="append",
        default=[],
        help="a chat whose room events the bot may read (repeat for more)",
    )
    actions.add_parser("list", help="the embedded server's bots and their chats")
    remove = actions.add_parser(
        "remove", help="revoke a bot's NATS user at once (its account stays)"
    )
    remove.add_argument("name", metavar="NAME", help="the bot's username")


def add_admin(parser: argparse.ArgumentParser) -> None:
    """``chatbus admin grant alice``, ``chatbus admin revoke alice``."""
    parser.add_argument("action", choices=("grant", "revoke"), metavar="grant|revoke")
    parser.add_argument("username", metavar="USERNAME", help="a registered user")


def add_say(parser: argparse.ArgumentParser) -> None:
    """``chatbus say --as alice general hello there``."""
    parser.add_argument(
        "--as", dest="username", metavar="USER", required=True, help="the user who says it"
    )
    parser.add_argument("--join", action="store_true", help="join the chat first")
    parser.add_argument(
        "--client-id", help="the same id on a retry stores the message once (default: none)"
    )
    parser.add_argument("chat_id", metavar="CHAT", help=CHAT_ID_HELP)
    parser.add_argument("text", metavar="TEXT", nargs="+", help="the message (words are joined)")


def add_tail(parser: argparse.ArgumentParser) -> None:
    """``chatbus tail general --as alice --history 20``."""
    parser.add_argument("chat_id", metavar="CHAT", help=CHAT_ID_HELP)
    parser.add_argument(
        "--as",
        dest="username",
        metavar="USER",
        help="read as this user: checks access, allows --history",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="N",
        help="first print the last N messages (0-100, needs --as)",
    )


def add_status(parser: argparse.ArgumentParser) -> None:
    """``chatbus status --monitor http://nats-1:8222,http://nats-2:8222 --json``."""
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.add_argument(
        "--monitor",
        metavar="URLS",
        help="nats-server monitoring URLs, comma-separated, for each node's health",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``chatbus`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        parser.exit(2, f"chatbus: invalid settings\n{exc}\n")
    run: Subcommand = args.run
    return run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
