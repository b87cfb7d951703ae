"""``chibo tenant move <slug> --to <cluster> --reason …``: move a province to another database
cluster (``services.tenants.move``), recorded in the catalog with who and why; and
``chibo tenant drop-old-copy`` for the frozen copy it leaves behind (``services.tenants.old_copy``)."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from services.bootstrap import Container, schema_parts
from services.cli import wiring

if TYPE_CHECKING:
    from services.tenants.move import Moved

Done = TypeVar("Done")


def register_move(tenant_sub: Any) -> None:
    move = tenant_sub.add_parser(
        "move", help="chuyển tỉnh sang cụm CSDL khác / move a province to another cluster"
    )
    move.add_argument("slug")
    move.add_argument("--to", required=True, help="cụm đích (CHIBO_CLUSTERS) / target cluster")
    move.add_argument("--reason", required=True, help="lý do / why (recorded)")
    move.add_argument("--actor", default=None, help="người thực hiện / who (default: OS user)")
    move.set_defaults(handler=run_move)
    register_drop_old_copy(tenant_sub)


def operated(args: argparse.Namespace, act: Callable[[Container, str], Done]) -> Done:
    """``act(container, actor)`` on a container opened for the command and closed after; the
    actor is ``--actor`` or the operating-system user. A refusal (DomainError) is reported by
    the CLI's one handler."""
    container = wiring.open_container()
    try:
        return act(container, args.actor or getpass.getuser())
    finally:
        container.close()


def run_move(args: argparse.Namespace) -> int:
    from services.tenants.move import move

    def act(container: Container, actor: str) -> Moved:
        done = move(
            container.database, args.slug, args.to, actor, args.reason, list(schema_parts())
        )
        container.applications.forget(args.slug)
        return done

    done = operated(args, act)
    print(
        f"{done.slug}: đã chuyển từ cụm «{done.source}» sang «{done.target}» / moved from"
        f" '{done.source}' to '{done.target}': {done.events} sự kiện / events (đến #{done.head}),"
        f" {done.rows} dòng / rows copied, bảng đọc dựng lại / read models rebuilt:"
        f" {len(done.rebuilt)}. Bản cũ trên cụm «{done.source}» được giữ, đã khóa ghi"
        f" / the old copy on '{done.source}' is kept, frozen; once checked:"
        f" chibo tenant drop-old-copy {done.slug} --cluster {done.source} --reason …"
    )
    return 0


def register_drop_old_copy(tenant_sub: Any) -> None:
    drop = tenant_sub.add_parser(
        "drop-old-copy",
        help="xóa bản cũ đã khóa sau khi chuyển cụm / drop the frozen copy a move left behind",
    )
    drop.add_argument("slug")
    drop.add_argument("--cluster", required=True, help="cụm giữ bản cũ / the old copy's cluster")
    drop.add_argument("--reason", required=True, help="lý do / why (recorded)")
    drop.add_argument("--actor", default=None, help="người thực hiện / who (default: OS user)")
    drop.set_defaults(handler=run_drop_old_copy)


def run_drop_old_copy(args: argparse.Namespace) -> int:
    from services.tenants.old_copy import drop_old_copy

    done = operated(
        args,
        lambda container, actor: drop_old_copy(
            container.database, args.slug, args.cluster, actor, args.reason
        ),
    )
    print(
        f"{done.slug}: đã xóa bản cũ trên cụm «{done.cluster}» / dropped the old copy on"
        f" '{done.cluster}' ({done.events} sự kiện / events, đến #{done.head}, đều có ở nơi mới"
        f" / all held by the live log)."
    )
    return 0
