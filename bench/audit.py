"""Audit benchmark: prints figures beside a baseline measured in the same run (not a test).

    .venv/bin/python -m bench.audit [--cells 3000] [--members 30] [--stream 1000]

Builds (once, then reuses) a synthetic province ``bench_audit`` on the configured database
(embedded under CHIBO_DATA_DIR unless DATABASE_URL is set), then measures:

* verification rate vs the raw read rate of the same log (target ≥ 200,000 events/s);
* as-of latency for one aggregate of ``--stream`` events at random positions, p50/p99, vs
  loading the same aggregate at its latest version (target p99 ≤ 10 ms);
* replay-until time (every read model up to half the log) vs a full replay.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

from psycopg import sql

from bench.synthetic import official_member
from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from domain.roster import CellRoster
from infra.application import EVENTS_TABLE, TenantApplication
from infra.audit.hashchain import extend_chain
from infra.audit.keys import FileKeyStore
from infra.audit.seals import create_seal
from infra.audit.timetravel import aggregate_as_of
from infra.audit.verify import render, verify
from infra.settings import load_settings
from services.audit.replay import drop_replay, replay_until
from services.bootstrap import Container, build_container

SLUG = "bench_audit"
RAW_COLUMNS = "notification_id, originator_id, originator_version, topic, state"
"""What the projection engine reads of each event: the baseline for the verifier."""


def generate(app: TenantApplication, cells: int, members: int, stream: int) -> OrgUnit:
    """A province of ``cells`` cells with ``members`` members each, and one long stream."""
    rng = random.Random(6)
    root = OrgUnit.found(
        uuid4(), "Đảng bộ tỉnh Thử Nghiệm", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM
    )
    app.save_all(root)
    directs = [
        OrgUnit.found(uuid4(), f"Đảng ủy xã {i}", Level.DIRECT, root, date(2020, 1, 1), SYSTEM)
        for i in range(max(1, cells // 100))
    ]
    app.save_all(root, *directs)
    for start in range(0, cells, 10):
        batch: list[Any] = []
        for i in range(start, min(cells, start + 10)):
            direct = directs[i // 100 % len(directs)]
            if i % 10 == 0:
                grassroots = OrgUnit.found(
                    uuid4(),
                    f"Đảng bộ {i // 10}",
                    Level.GRASSROOTS_COMMITTEE,
                    direct,
                    date(2020, 1, 1),
                    SYSTEM,
                )
                batch += [grassroots, direct]
            cell = OrgUnit.found(
                uuid4(), f"Chi bộ {i}", Level.CELL, grassroots, date(2020, 1, 1), SYSTEM
            )
            roster = CellRoster.open(cell.id, SYSTEM)
            batch += [cell, roster]
            for _ in range(members):
                name = f"Đảng viên {rng.randint(1, 10**6)}"
                admitted, joined = date(2005, 1, 1), date(2020, 1, 1)
                batch.append(official_member(roster, name, admitted, joined, SYSTEM))
        app.save_all(*{id(a): a for a in batch}.values())  # a grassroots unit may repeat
    long = OrgUnit.found(uuid4(), "Chi bộ dài", Level.CELL, grassroots, date(2020, 1, 1), SYSTEM)
    app.save_all(long, grassroots)
    for i in range(stream - 1):
        long.rename(f"Chi bộ dài {i}", SYSTEM)
        if i % 100 == 99:
            app.save_all(long)
    app.save_all(long)
    return long


def raw_read(container: Container, schema: str) -> tuple[int, float]:
    """Baseline: read every event in order, as the projection engine does, and discard."""
    started = time.perf_counter()
    count = 0
    with (
        container.database.connect(autocommit=False) as conn,
        conn.cursor(name="raw", binary=True) as cur,
    ):
        cur.itersize = 20_000
        cur.execute(
            sql.SQL("SELECT " + RAW_COLUMNS + " FROM {} ORDER BY notification_id").format(
                sql.Identifier(schema, EVENTS_TABLE)
            )
        )
        while rows := cur.fetchmany(20_000):
            count += len(rows)
    return count, time.perf_counter() - started


def bench_verify(container: Container, schema: str, keys: FileKeyStore) -> None:
    with container.database.connect() as conn:
        started = time.perf_counter()
        added = extend_chain(conn, schema)
        chained = time.perf_counter() - started
        if added:
            print(
                f"chain extended by {added:,} events in {chained:.2f} s ({added / chained:,.0f} events/s)"
            )
        create_seal(conn, schema, keys)
    best_raw = best_verify = float("inf")
    for _ in range(3):
        count, seconds = raw_read(container, schema)
        best_raw = min(best_raw, seconds)
        report = verify(container.database, schema, keys=keys)
        best_verify = min(best_verify, report.seconds)
    assert report.ok, render(report)
    raw_rate, verify_rate = count / best_raw, report.events / best_verify
    print(f"raw read      : {count:,} events in {best_raw:.3f} s = {raw_rate:,.0f} events/s")
    print(
        f"verification  : {report.events:,} events, {len(report.seals)} seals in {best_verify:.3f} s"
        f" = {verify_rate:,.0f} events/s  (ratio to raw read {verify_rate / raw_rate:.2f};"
        f" target ≥ 200,000/s: {'met' if verify_rate >= 200_000 else 'NOT met'})"
    )


def bench_as_of(app: TenantApplication, long_id: Any, samples: int = 300) -> None:
    """As-of a random position of one stream, beside loading it at its latest version."""
    positions = _stream_positions(app, long_id)
    rng = random.Random(7)
    baseline, as_of = [], []
    for _ in range(samples):
        t0 = time.perf_counter()
        app.repository.get(long_id)
        t1 = time.perf_counter()
        aggregate_as_of(app, long_id, position=rng.choice(positions))
        t2 = time.perf_counter()
        baseline.append(t1 - t0)
        as_of.append(t2 - t1)

    def ms(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    size = len(positions)
    print(
        f"latest load   : stream of {size} events (repository.get)"
        f" p50 {ms(baseline, 50):.2f} ms p99 {ms(baseline, 99):.2f} ms"
    )
    p99 = ms(as_of, 99)
    print(
        f"as-of position: stream of {size} events p50 {ms(as_of, 50):.2f} ms p99 {p99:.2f} ms"
        f"  (target p99 ≤ 10 ms: {'met' if p99 <= 10 else 'NOT met'})"
    )


def _stream_positions(app: TenantApplication, aggregate_id: Any) -> list[int]:
    datastore: Any = app.recorder.datastore  # type: ignore[attr-defined]  # the Postgres recorder has .datastore; the base type does not
    with datastore.get_connection() as conn, conn.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT notification_id FROM {} WHERE originator_id = %s").format(
                sql.Identifier(app.schema, EVENTS_TABLE)
            ),
            (aggregate_id,),
        )
        return [int(r["notification_id"]) for r in cur.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cells", type=int, default=3000)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--stream", type=int, default=1000)
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the province")
    args = parser.parse_args()
    container = build_container(load_settings())
    try:
        tenant, _ = container.provision(SLUG, "Tỉnh đo hiệu năng kiểm tra")
        if args.fresh:
            with container.database.connect() as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(tenant.schema))
                )
                conn.execute("DELETE FROM chibo_catalog.tenants WHERE slug = %s", (SLUG,))
            container.applications.close()
            tenant, _ = container.provision(SLUG, "Tỉnh đo hiệu năng kiểm tra")
        app = container.applications.get(SLUG)
        long_id = _find_long_stream(app)
        if long_id is None:
            started = time.perf_counter()
            long_id = generate(app, args.cells, args.members, args.stream).id
            print(f"generated {app.log_position:,} events in {time.perf_counter() - started:.1f} s")
        print(f"province {SLUG}: {app.log_position:,} events; load average {os.getloadavg()}")
        keys = FileKeyStore(Path(container.settings.data_dir) / "seal-keys")
        bench_verify(container, tenant.schema, keys)
        bench_as_of(app, long_id)
        bench_replay(container, tenant.schema, app.log_position)
    finally:
        container.close()


def _find_long_stream(app: TenantApplication) -> Any:
    with app.recorder.datastore.get_connection() as conn, conn.cursor() as cur:  # type: ignore[attr-defined]  # the Postgres recorder has .datastore; the base type does not
        cur.execute(
            sql.SQL(
                "SELECT originator_id FROM {} WHERE originator_version = 2 AND topic LIKE '%%Renamed'"
                " LIMIT 1"
            ).format(sql.Identifier(app.schema, EVENTS_TABLE))
        )
        row = cur.fetchone()
    return row["originator_id"] if row else None


def bench_replay(container: Container, schema: str, head: int) -> None:
    """Replay-until half the log, beside a full replay of every read model (the baseline)."""
    for until, label in ((head, "full replay   "), (head // 2, "replay-until  ")):
        started = time.perf_counter()
        result = replay_until(container.database, schema, until)
        seconds = time.perf_counter() - started
        print(
            f"{label}: position {until:,} ({result.events:,} projection inputs,"
            f" {len(result.projections)} read models) in {seconds:.2f} s"
        )
        drop_replay(container.database, schema, until)


if __name__ == "__main__":
    main()
