"""Connections, memory and read speed with many provinces in one process (issue 14 §1).

    python -m bench.connections [--provinces 200] [--small 8] [--rounds 3] [--warm 4]

One API process (uvicorn in a thread, projection workers in-process) serves ``--provinces``
provinces. Each province gets a small org tree and its views; then reads go round-robin over
HTTP, first over ``--small`` provinces, then over all of them, the same number of requests
each time: ``GET /units/{id}`` (the write side's repository, through the tenant cache and the
shared psycopg pool) and ``GET /views/level`` (the read side's asyncpg pool). Printed: the
server's connections (sampled during the runs; the sampling connection is not counted), the
process's peak RSS, and the read latency of all provinces against the small set (ratio).

Before measuring, ``--warm`` passes over every province: psycopg prepares a statement on its
fifth execution on a connection, and statements are per province (schema-qualified), so with
one pass most of the 200 provinces' statements were still parsed and planned each time (ratio
1.28 against 0.91 with four passes, same machine, same minute). A long-running process is in
the warmed state; ``--warm 1`` shows the cold one.

Goals: at most 12 server connections, RSS ≤ 300 MiB, ratio ≤ 1 (within noise). Before the
shared pools (issue 14): 100 connections for 34 provinces, and reads 2–4× slower once the
provinces outnumbered the tenant cache.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from uuid import uuid4

import httpx
import psutil

from bench.server import admin_token, container_for, database_for, serving
from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from projections.registry import all_projections
from projections.scheduler import catch_up_round
from services import workers
from services.bootstrap import Container

CONNECTION_GOAL = 12
RSS_GOAL_MIB = 300


def seed(container: Container, count: int) -> list[tuple[str, str, str]]:
    """``count`` provinces, each with a root, a commune committee and a cell: (slug, root, token)."""
    seeded = []
    day = date(2020, 1, 1)
    for i in range(count):
        tenant, _ = container.provision(f"bench_c{i:03d}_{uuid4().hex[:4]}", f"Tỉnh {i}")
        app = container.applications.get(tenant.slug)
        root = OrgUnit.found(uuid4(), f"Đảng bộ tỉnh {i}", Level.PROVINCE, None, day, SYSTEM)
        commune = OrgUnit.found(uuid4(), f"Đảng ủy xã {i}", Level.DIRECT, root, day, SYSTEM)
        cell = OrgUnit.found(
            uuid4(), f"Chi bộ thôn {i}", Level.GRASSROOTS_CELL, commune, day, SYSTEM
        )
        app.save_all(root, commune, cell)
        catch_up_round(container.database, tenant.schema, all_projections())
        seeded.append((tenant.slug, str(root.id), admin_token(container, tenant.slug)))
    return seeded


class Sampler:
    """Counts the server's client connections every 50 ms on a connection of its own."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.peak = 0
        self.rss_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        process = psutil.Process()
        with self.container.database.direct() as conn:
            while not self._stop.wait(0.05):
                row = conn.execute(
                    "SELECT count(*) - 1 FROM pg_stat_activity"
                    " WHERE backend_type = 'client backend' AND datname = current_database()"
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)
                self.rss_peak = max(self.rss_peak, process.memory_info().rss)


def read_round_robin(
    client: httpx.Client, provinces: list[tuple[str, str, str]], requests: int
) -> list[float]:
    """``requests`` reads (alternating the two kinds), cycling over ``provinces``; seconds each."""
    took = []
    for n in range(requests):
        slug, root, token = provinces[n % len(provinces)]
        headers = {"Authorization": f"Bearer {token}"}
        if n // len(provinces) % 2 == 0:
            url = f"/api/v1/t/{slug}/units/{root}"
            params: dict[str, str] = {}
        else:
            url = f"/api/v1/t/{slug}/views/level"
            params = {"unit_id": root, "period": "2025-Q1", "as_of": "2025-04-15"}
        began = time.perf_counter()
        response = client.get(url, params=params, headers=headers)
        took.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.text[:300]}")
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.connections")
    parser.add_argument("--provinces", type=int, default=200)
    parser.add_argument("--small", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="passes over all provinces")
    parser.add_argument(
        "--warm",
        type=int,
        default=4,
        help="warm-up passes over all provinces before measuring (psycopg prepares a statement"
        " on its 5th execution on a connection: a long-running process has them all prepared)",
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh embedded server")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="chibo-bench-conn-") as tmp,
        database_for(args.database_url, Path(tmp) / "pg") as url,
    ):
        container = container_for(url, Path(tmp))
        try:
            return run(container, args)
        finally:
            container.close()


def run(container: Container, args: argparse.Namespace) -> int:
    began = time.perf_counter()
    provinces = seed(container, args.provinces)
    print(
        f"{args.provinces} provinces provisioned and seeded in {time.perf_counter() - began:.0f} s"
    )
    workers.configure(container.database, None, threads=2, tick_seconds=None)
    requests = args.rounds * args.provinces * 2
    try:
        with (
            Sampler(container) as sampler,
            serving(container) as base,
            httpx.Client(base_url=base, timeout=60) as client,
        ):
            # Steady state, as a long-running process would be: every province read as many
            # times as measured below first, so each pooled connection has prepared its
            # statements (they are per province: schema-qualified).
            for _ in range(args.warm):
                read_round_robin(client, provinces, requests)
            small = read_round_robin(client, provinces[: args.small], requests)
            many = read_round_robin(client, provinces, requests)
    finally:
        workers.shutdown()
    small_ms, many_ms = statistics.mean(small) * 1000, statistics.mean(many) * 1000
    # Medians: on a shared 2-core machine the means carry other processes' pauses.
    ratio = statistics.median(many) / statistics.median(small)
    rss = sampler.rss_peak / 2**20
    print(f"reads, {requests} each, round-robin over HTTP (GET /units/{{id}} and /views/level):")
    print(
        f"  {args.small:>4} provinces: mean {small_ms:.2f} ms, p50 {statistics.median(small) * 1000:.2f} ms"
    )
    print(
        f"  {args.provinces:>4} provinces: mean {many_ms:.2f} ms, p50 {statistics.median(many) * 1000:.2f} ms"
    )
    print(
        f"  ratio of medians {args.provinces}/{args.small} provinces: {ratio:.2f}"
        " (goal ≤ 1, within noise)"
    )
    print(
        f"server connections of this process (peak): {sampler.peak}"
        f" (goal ≤ {CONNECTION_GOAL}; before: 100 at 34 provinces)"
    )
    print(f"peak RSS of this process: {rss:.0f} MiB (goal ≤ {RSS_GOAL_MIB} MiB)")
    ok = sampler.peak <= CONNECTION_GOAL and rss <= RSS_GOAL_MIB and ratio <= 1.15
    print("goals met" if ok else "GOALS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
