"""Write-path cost of chaining each event in its own transaction (not a test).

    .venv/bin/python -m bench.write_chain [--writes 2000] [--events 1]

Two fresh provinces on the configured database (embedded under CHIBO_DATA_DIR unless
DATABASE_URL is set): one chains at write time (the default since issue 13 §4), the other is
switched back to the previous path (its ``since`` row removed: its writes insert the events
only, the chain follows later). The same writes, ``--events`` events per transaction, go to
both in alternation, so drift on the machine hits both alike; the figures are the median and
p95 of one write, and the ratio new/previous.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from uuid import uuid4

from psycopg import sql

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from infra.application import TenantApplication
from infra.settings import load_settings
from services.bootstrap import build_container


def province(container, slug: str, chained: bool) -> tuple[TenantApplication, OrgUnit]:
    tenant, _ = container.provision(slug, f"Tỉnh đo {slug}")
    if not chained:
        with container.database.connect() as conn, conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")  # past the guard
            conn.execute(
                sql.SQL("DELETE FROM {}").format(sql.Identifier(tenant.schema, "audit_chain_since"))
            )
    app = container.applications.get(slug)
    root = OrgUnit.found(uuid4(), "Đảng bộ tỉnh", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    app.save_all(root)
    return app, root


def write(app: TenantApplication, root: OrgUnit, events: int, i: int) -> float:
    for k in range(events):
        root.rename(f"Đảng bộ tỉnh {i}-{k}", SYSTEM)
    began = time.perf_counter()
    app.save_all(root)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--events", type=int, default=1, help="events per transaction")
    args = parser.parse_args()
    container = build_container(load_settings())
    try:
        run = uuid4().hex[:8]
        new = province(container, f"bench_wc_new_{run}", chained=True)
        old = province(container, f"bench_wc_old_{run}", chained=False)
        times: dict[str, list[float]] = {"new": [], "old": []}
        for i in range(args.writes):
            order = (("new", new), ("old", old)) if i % 2 else (("old", old), ("new", new))
            for label, (app, root) in order:
                times[label].append(write(app, root, args.events, i))
        for label, name in (
            ("old", "previous path (chain later)"),
            ("new", "chained in the write"),
        ):
            t = sorted(times[label])
            print(
                f"{name:32} median {statistics.median(t) * 1000:6.2f} ms"
                f"  p95 {t[int(len(t) * 0.95)] * 1000:6.2f} ms  ({len(t)} writes,"
                f" {args.events} event(s) each)"
            )
        ratio = statistics.median(times["new"]) / statistics.median(times["old"])
        print(f"ratio new/previous (median): {ratio:.2f}")
    finally:
        container.close()


if __name__ == "__main__":
    main()
