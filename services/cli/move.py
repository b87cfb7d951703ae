"""``chibo tenant move <slug> --to <cluster> --reason …``: move a province to another database
cluster (``services.tenants.move``), recorded in the catalog with who and why."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from services.bootstrap import schema_parts
from services.cli import wiring


def register_move(tenant_sub: Any) -> None:
    move = tenant_sub.add_parser(
        "move", help="chuyển tỉnh sang cụm CSDL khác / move a province to another cluster"
    )
    move.add_argument("slug")
    move.add_argument("--to", required=True, help="cụm đích (CHIBO_CLUSTERS) / target cluster")
    move.add_argument("--reason", required=True, help="lý do / why (recorded)")
    move.add_argument("--actor", default=None, help="người thực hiện / who (default: OS user)")
    move.set_defaults(handler=run_move)


def run_move(args: argparse.Namespace) -> int:
    from services.tenants.move import move

    container = wiring.open_container()
    try:
        done = move(
            container.database,
            args.slug,
            args.to,
            args.actor or getpass.getuser(),
            args.reason,
            list(schema_parts()),
        )
        container.applications.forget(args.slug)
    finally:  # a refusal (DomainError) is reported by the CLI's one handler
        container.close()
    print(
        f"{done.slug}: đã chuyển từ cụm «{done.source}» sang «{done.target}» / moved from"
        f" '{done.source}' to '{done.target}': {done.events} sự kiện / events (đến #{done.head}),"
        f" {done.rows} dòng / rows copied, bảng đọc dựng lại / read models rebuilt:"
        f" {len(done.rebuilt)}. Bản cũ trên cụm «{done.source}» được giữ, đã khóa ghi"
        f" / the old copy on '{done.source}' is kept, frozen: drop it once checked."
    )
    return 0
