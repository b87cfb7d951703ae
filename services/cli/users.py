"""``chibo user``: create the first administrator of a province, reset passwords, unlock.

The password is never an argument (it would sit in the shell history and the process list):
it is asked twice at a prompt, or read from standard input with ``--password-stdin``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.base import Actor, DomainError, InvalidValue
from domain.user import Role, account_id
from services.cli import wiring
from services.identity import auth

CLI_ACTOR_ROLE = "system"


def register(subparsers: Any) -> None:
    user = subparsers.add_parser("user", help="tài khoản / user accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)

    create = user_sub.add_parser("create", help="tạo tài khoản / create an account")
    create.add_argument("tenant")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--scope", type=UUID, default=None, help="org unit id (subtree)")
    create.add_argument("--member", type=UUID, default=None, help="member id (role member)")
    create.add_argument("--display-name", default="")
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(handler=run_create)

    password = user_sub.add_parser("password", help="đặt lại mật khẩu / reset a password")
    password.add_argument("tenant")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(handler=run_password)

    unlock = user_sub.add_parser("unlock", help="mở khóa / unlock an account")
    unlock.add_argument("tenant")
    unlock.add_argument("username")
    unlock.set_defaults(handler=run_unlock)


def cli_actor() -> Actor:
    """The operator at the console: recorded as such in the audit trail."""
    return Actor(f"cli:{getpass.getuser()}", CLI_ACTOR_ROLE, "cli")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidValue(
            "Không có bàn phím để hỏi mật khẩu; hãy dùng --password-stdin",
            "there is no terminal to ask for the password; use --password-stdin",
        )
    first = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / again: ") != first:
        raise SystemExit("Hai lần nhập không khớp / the passwords do not match")
    return first


def run_create(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)
    return with_tenant(
        args.tenant,
        lambda app: auth.create_user(
            app,
            cli_actor(),
            username=args.username,
            password=password,
            role=Role(args.role),
            scope_unit_id=args.scope,
            member_id=args.member,
            display_name=args.display_name,
        ),
        f"đã tạo / created {args.username} ({args.role})",
    )


def run_password(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)
    return with_tenant(
        args.tenant,
        lambda app: auth.set_password(
            app, cli_actor(), user_id=account_id(args.username), password=password
        ),
        f"đã đổi mật khẩu / password changed for {args.username}",
    )


def run_unlock(args: argparse.Namespace) -> int:
    return with_tenant(
        args.tenant,
        lambda app: auth.unlock(app, cli_actor(), user_id=account_id(args.username)),
        f"đã mở khóa / unlocked {args.username}",
    )


def with_tenant(tenant: str, action: Any, done: str) -> int:
    container = wiring.open_container()
    try:
        action(container.applications.get(tenant))
    except DomainError as error:
        print(f"{error.vi}\n{error.en}", file=sys.stderr)
        return 2
    except IntegrityError:
        print("Tài khoản đã tồn tại / the account already exists", file=sys.stderr)
        return 2
    finally:
        container.close()
    print(done)
    return 0
