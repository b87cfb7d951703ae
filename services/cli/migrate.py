"""``chibo migrate [--tenant X] [--now]``: bring every province to this release (issue 14 §4).

It gives existing provinces the tables and grants this release added (idempotent, as
``chibo tenant migrate`` and the server's start do), then lists the read models whose
projection version changed (``projections.versions``). The workers rebuild those by
themselves, in the background, at their first round on each province; ``--now`` rebuilds
them here and waits. Running it again changes nothing.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from infra.clusters import database_for
from infra.tenancy import Tenant, list_tenants
from projections import versions
from projections.registry import all_projections
from services.cli import wiring

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    migrate = subparsers.add_parser(
        "migrate",
        help="cập nhật các tỉnh lên bản này (bảng mới, dựng lại bảng đọc đổi phiên bản)"
        " / bring provinces to this release (new tables, rebuild changed read models)",
    )
    migrate.add_argument("--tenant", action="append", default=[], help="chỉ tỉnh này / only this")
    migrate.add_argument(
        "--now",
        action="store_true",
        help="dựng lại ngay tại đây / rebuild here and wait (default: the workers do it)",
    )
    migrate.set_defaults(handler=run_migrate)


def migrate_tables(container: Any, slugs: list[str]) -> tuple[list[Tenant], list[str]]:
    """Give the provinces (``slugs``, or all) this release's tables and grants; those done,
    and the slugs that failed (logged by the container), each said on stderr so that an
    operator's script sees a failure in the exit code, not only in the log."""
    wanted = slugs or [t.slug for t in list_tenants(container.database)]
    done = container.migrate(slugs)
    missed = sorted(set(wanted) - {t.slug for t in done})
    for slug in missed:
        print(
            f"{slug}: cập nhật bảng thất bại, xem nhật ký / updating its tables failed, see the log",
            file=sys.stderr,
        )
    return done, missed


def run_migrate(args: argparse.Namespace) -> int:
    container = wiring.open_container()
    projections = all_projections()
    try:
        done, missed = migrate_tables(container, args.tenant)
        failed = len(missed)
        for tenant in done:
            database = database_for(container.database, tenant.cluster)
            with database.connect() as conn:
                stale = [p.name for p in versions.stale(conn, tenant.schema, projections)]
            if not stale:
                print(f"{tenant.slug}: đã cập nhật / up to date")
            elif not args.now:
                print(
                    f"{tenant.slug}: bảng đọc đổi phiên bản, tiến trình nền sẽ dựng lại"
                    f" / read models of a new version, the workers rebuild them: {', '.join(stale)}"
                )
            else:
                try:
                    rebuilt = versions.upgrade_all(database, tenant.schema, projections)
                except Exception:
                    log.exception("rebuilding the read models of %s failed", tenant.slug)
                    failed += 1
                    continue
                print(
                    f"{tenant.slug}: đã dựng lại / rebuilt: {', '.join(rebuilt) or '(không / none)'}"
                )
    finally:
        container.close()
    return 1 if failed else 0
