"""``python -m records``: manage staff accounts in the configured records database.

    python -m records create-user USERNAME --role operator --centre almaty-city
    python -m records list-users
    python -m records deactivate-user USERNAME   (and activate-user)
    python -m records purge-recordings [--dry-run]

Passwords are read from the terminal (twice) or, with --password-stdin, from the first
line of standard input. There is no default password and no default account.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from domain.errors import Error102, InvalidInput
from domain.roles import STAFF_ROLES, Role
from records import open_store
from records.passwords import check_password_policy
from records.retention import purge_recordings
from records.sql_store import CENTRE_ROLES

if TYPE_CHECKING:
    pass

STAFF_ROLE_NAMES = sorted(r.value for r in STAFF_ROLES)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m records", description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, help="config file (default: config.yaml)")
    commands = parser.add_subparsers(dest="command", required=True)

    create = commands.add_parser("create-user", help="add a staff account")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=STAFF_ROLE_NAMES)
    create.add_argument("--centre", help="centre id (required for operators and supervisors)")
    create.add_argument("--display-name", default="")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )

    commands.add_parser("list-users", help="list staff accounts")
    purge = commands.add_parser(
        "purge-recordings", help="delete call recordings past recording.retention_days"
    )
    purge.add_argument("--dry-run", action="store_true", help="only list what would go")
    for name, text in (("deactivate-user", "block logins"), ("activate-user", "allow logins")):
        command = commands.add_parser(name, help=text)
        command.add_argument("username")
    # --config is accepted after the subcommand too
    for command in commands.choices.values():
        command.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    return parser


def read_password(from_stdin: bool, stdin: TextIO) -> str:
    if from_stdin:
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    check_password_policy(first)
    if getpass.getpass("Repeat password: ") != first:
        raise InvalidInput("the passwords do not match")
    return first


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (containers)
        return f"cli:uid-{os.getuid()}" if hasattr(os, "getuid") else "cli"


async def run(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> None:
    from server.settings import load_settings

    settings = load_settings(args.config)
    if args.command == "create-user":
        role = Role(args.role)
        centre = args.centre or None
        if role in CENTRE_ROLES and centre is None:
            raise InvalidInput(f"a {role.value} needs --centre")
        if centre is not None and centre not in settings.centres:
            known = ", ".join(sorted(c.id for c in settings.centres.centres))
            raise InvalidInput(f"unknown centre {centre!r}; configured centres: {known}")
        password = read_password(args.password_stdin, stdin)
        check_password_policy(password)

    store = await open_store(settings.database_url)
    try:
        if args.command == "create-user":
            user = await store.create_user(args.username, password, role, centre, args.display_name)
            await store.audit(
                actor(),
                "user.create",
                f"user:{user.id}",
                {"username": user.username, "role": user.role.value, "centre": user.centre},
            )
            where = f" in {user.centre}" if user.centre else ""
            print(f"created {user.role.value} {user.username}{where} (id {user.id})", file=out)
        elif args.command == "purge-recordings":
            await purge_recordings(store, settings.recording, args.dry_run, out, actor())
        elif args.command == "list-users":
            users = await store.list_users()
            for u in users:
                state = "active" if u.active else "inactive"
                print(
                    f"{u.username:<24} {u.role.value:<18} {u.centre or '-':<18} {state:<8} "
                    f"{u.display_name}",
                    file=out,
                )
            print(f"{len(users)} user(s)", file=out)
        else:
            active = args.command == "activate-user"
            user = await store.set_user_active(args.username, active)
            await store.audit(
                actor(),
                "user.activate" if active else "user.deactivate",
                f"user:{user.id}",
                {"username": user.username},
            )
            print(f"{user.username} is now {'active' if active else 'inactive'}", file=out)
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        asyncio.run(run(args, sys.stdin, sys.stdout))
    except Error102 as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("error: aborted", file=sys.stderr)
        return 130
    return 0
