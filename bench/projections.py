"""The projection benchmark (đo hiệu năng bảng đọc): ``python -m bench.projections``.

Prints, from one run on one synthetic province (see ``bench.synthetic``):

1. the raw ordered read rate of the events table (the physical limit of any replay);
2. our engine's rebuild rate: every registered projection dropped and replayed, each rebuild
   in a child process (median of ``--runs``), per projection and in total;
3. the meetings projection through the eventsourcing library's ``ProjectionRunner`` for a
   fixed time from the start of the log (the baseline; see ``bench.library_baseline``),
   against our engine's rate for the same projection;
4. p50/p95 latency of the per-level view (báo cáo theo cấp) of the province root and of a
   commune, through the read side's asyncpg pool and the rollup SQL the HTTP routes run;
5. the peak resident memory of a full rebuild at this scale and at twice this scale.

Each figure is printed beside its target with PASS or MISS; results also go to
``bench/out/projections-<scale>.json``. Not a test: CI does not run it. Options:
``--scale`` (1.0 = 6,000 cells), ``--reuse`` (keep generated provinces between runs),
``--runs``, ``--baseline-seconds``, ``--no-double`` (skip the 2× memory check).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from psycopg import sql

from bench.load import Loaded, province
from bench.synthetic import Shape
from infra.application import EVENTS_TABLE
from infra.database import Database
from infra.settings import load_settings
from services.bootstrap import Container, build_container

TARGET_RATE = 50_000
TARGET_SPEEDUP = 5.0
TARGET_P95_MS = 50.0
TARGET_RSS_MIB = 512
READ_BATCH = 20_000
AS_OF = date(2026, 1, 31)  # every month of the synthetic year has ended
COMMUNES_SQL = (
    "SELECT c.ancestor_id AS id, count(*) AS cells FROM {s}.org_closure AS c"
    " JOIN {s}.org_units AS a ON a.id = c.ancestor_id AND a.level = 'direct'"
    " JOIN {s}.org_units AS d ON d.id = c.descendant_id AND d.level IN ('cell', 'grassroots_cell')"
    " GROUP BY c.ancestor_id ORDER BY cells, c.ancestor_id"
)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress when piped
    if args.child_rebuild:
        if args.jobs > 1:
            return _child_side_by_side(args.child_rebuild, args.jobs)
        return _child(args.child_rebuild, args.projection)
    settings = load_settings()
    settings = replace(settings, data_dir=settings.data_dir / "bench")  # not the dev database
    container = build_container(settings)
    try:
        return _bench(container, args)
    finally:
        container.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.projections")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 6,000 cells")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--reuse", action="store_true", help="keep generated provinces")
    parser.add_argument("--runs", type=int, default=2, help="rebuilds for the median")
    parser.add_argument("--baseline-seconds", type=float, default=60.0)
    parser.add_argument("--no-double", action="store_true", help="skip the 2× memory check")
    parser.add_argument("--child-rebuild", metavar="SCHEMA", help=argparse.SUPPRESS)
    parser.add_argument("--projection", action="append", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    return parser


def _bench(container: Container, args: argparse.Namespace) -> int:
    db = container.database
    shape = Shape(seed=args.seed, scale=args.scale)
    out: dict[str, Any] = {"command": "python -m bench.projections " + " ".join(sys.argv[1:])}
    out["machine"] = _machine(db)
    print(f"máy / machine: {out['machine']}")
    loaded = _province(container, shape, args.reuse)
    schema = loaded.tenant.schema
    out["province"] = {"scale": shape.scale, "seed": shape.seed, "events": loaded.events,
                       "generate_seconds": round(loaded.seconds, 1), **_census(db, schema)}  # fmt: skip
    print(f"tỉnh / province: {out['province']}")

    out["raw_read"] = _raw_read(db, schema)
    print(f"đọc thô / raw ordered read: {out['raw_read']}")

    runs = [_rebuild_in_child(db, schema) for _ in range(max(1, args.runs))]
    out["rebuild"] = _medians(runs)
    print(f"dựng lại / engine rebuild (median of {len(runs)}): {json.dumps(out['rebuild'])}")
    side = [_rebuild_in_child(db, schema, jobs=2) for _ in range(max(1, args.runs))]
    out["rebuild_jobs2"] = {
        "seconds": statistics.median(r["seconds"] for r in side),
        "log_events": loaded.events,
        "log_events_per_s": round(loaded.events / statistics.median(r["seconds"] for r in side)),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in side),
        "runs": side,
    }
    print(f"dựng lại song song / whole rebuild, 2 processes: {json.dumps(out['rebuild_jobs2'])}")

    out["views"] = asyncio.run(_views(container, schema))
    print(f"báo cáo theo cấp / per-level views: {out['views']}")
    out["lists"] = asyncio.run(_lists(container, schema))
    print(f"danh sách kiểm tra / inspection lists, province root: {out['lists']}")
    out["rollup_incremental"] = _rollup_incremental(db, schema)
    print(f"tổng hợp theo cấp, một thay đổi / rollup after one change: {out['rollup_incremental']}")

    from bench import library_baseline
    from projections.meetings import MEETINGS

    count, rate = library_baseline.run(db, schema, MEETINGS, args.baseline_seconds)
    out["library"] = {"projection": "meetings", "events": count, "events_per_s": round(rate)}
    print(f"thư viện / library ProjectionRunner: {out['library']}")

    out["memory"] = {f"x{shape.scale:g}": out["rebuild"]["peak_rss_mib"]}
    if not args.no_double:
        double = _province(container, replace(shape, scale=shape.scale * 2), args.reuse)
        peak = _rebuild_in_child(db, double.tenant.schema)
        out["memory"][f"x{shape.scale * 2:g}"] = peak["peak_rss_mib"]
        out["double"] = {"events": double.events, **peak}
        print(f"dựng lại ×2 / engine rebuild at twice the size: {json.dumps(peak)}")
    verdicts = _verdicts(out)
    out["verdicts"] = verdicts
    _write(out, shape)
    return 0


def _province(container: Container, shape: Shape, reuse: bool) -> Loaded:
    began = time.perf_counter()

    def progress(events: int) -> None:
        if events % 500_000 < 50_000:
            rate = events / (time.perf_counter() - began)
            print(f"  … {events:,} events ({rate:,.0f}/s)", flush=True)

    print(f"sinh dữ liệu / generating ×{shape.scale:g} (reuse={reuse}) …", flush=True)
    loaded = province(container, shape, reuse, progress)
    if loaded.seconds:
        print(f"  {loaded.events:,} events in {loaded.seconds:.0f} s "
              f"({loaded.events / loaded.seconds:,.0f} events/s)")  # fmt: skip
    return loaded


def _machine(db: Database) -> dict[str, Any]:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    names = [line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line]
    cpu = names[0] if names else platform.processor()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with db.connect() as conn:
        row = conn.execute("SHOW server_version").fetchone()
        buffers = conn.execute("SHOW shared_buffers").fetchone()
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem, 1),
            "python": platform.python_version(), "postgresql": row[0] if row else "?",
            "shared_buffers": buffers[0] if buffers else "?"}  # fmt: skip


def _census(db: Database, schema: str) -> dict[str, int]:
    with db.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT topic, count(*) FROM {} GROUP BY topic").format(
                sql.Identifier(schema, EVENTS_TABLE)
            )
        ).fetchall()
        cells = conn.execute(
            sql.SQL(
                "SELECT count(*) FROM {} WHERE topic = 'domain.org_unit:OrgUnit.Founded'"
                " AND convert_from(state, 'UTF8')::jsonb ->> 'level' IN ('cell', 'grassroots_cell')"
            ).format(sql.Identifier(schema, EVENTS_TABLE))
        ).fetchone()
    by = {topic.split(":")[-1]: n for topic, n in rows}
    return {"units": by.get("OrgUnit.Founded", 0), "cells": cells[0] if cells else 0,
            "members": by.get("Member.Enrolled", 0), "meetings": by.get("Meeting.Scheduled", 0)}  # fmt: skip


def _raw_read(db: Database, schema: str) -> dict[str, Any]:
    """Every row in id order, in pages of READ_BATCH, fetched to Python (binary, no decode)."""
    statement = sql.SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state FROM {}"
        " WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
    ).format(sql.Identifier(schema, EVENTS_TABLE))
    timings = []
    for _ in range(2):  # the first pass warms the cache; report the second
        began, after, count = time.perf_counter(), 0, 0
        with db.connect() as conn, conn.cursor(binary=True) as cur:
            while True:
                rows = cur.execute(statement, (after, READ_BATCH)).fetchall()
                if not rows:
                    break
                after, count = rows[-1][0], count + len(rows)
        timings.append((time.perf_counter() - began, count))
    seconds, count = timings[-1]
    with db.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT sum(octet_length(state)) FROM {}").format(
                sql.Identifier(schema, EVENTS_TABLE)
            )
        ).fetchone()
    size = int(row[0] or 0) if row else 0
    return {"events": count, "seconds": round(seconds, 2), "events_per_s": round(count / seconds),
            "mib_per_s": round(size / seconds / 2**20, 1)}  # fmt: skip


def _rebuild_in_child(db: Database, schema: str, jobs: int = 1) -> dict[str, Any]:
    """Rebuild every projection in a fresh process; its peak RSS is the rebuild's alone.
    With ``jobs`` > 1, as ``chibo projections rebuild --jobs``: wall time and the largest
    peak of its worker processes."""
    env = {**os.environ, "DATABASE_URL": db.url}
    extra = ["--jobs", str(jobs)] if jobs > 1 else []
    done = subprocess.run(
        [sys.executable, "-m", "bench.projections", "--child-rebuild", schema, *extra],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _child(schema: str, names: list[str] | None) -> int:
    from projections import engine
    from projections.registry import all_projections

    database_url = load_settings().database_url
    assert database_url, "the parent passes DATABASE_URL"
    database = Database.from_url(database_url)
    chosen = [p for p in all_projections() if not names or p.name in names]
    idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per: dict[str, Any] = {}
    for projection in chosen:
        done = engine.rebuild(database, schema, projection)
        per[projection.name] = {"events": done.events, "seconds": round(done.seconds, 2),
                                "events_per_s": round(done.events / done.seconds) if done.seconds else 0,
                                "error": done.error}  # fmt: skip
    events = sum(p["events"] for p in per.values())
    seconds = sum(p["seconds"] for p in per.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"projections": per, "total": {"events": events, "seconds": round(seconds, 2),
                      "events_per_s": round(events / seconds) if seconds else 0},
                      "peak_rss_mib": round(peak), "idle_rss_mib": round(idle)}))  # fmt: skip
    return 0


def _child_side_by_side(schema: str, jobs: int) -> int:
    from projections.parallel import rebuild_many
    from projections.registry import all_projections

    database_url = load_settings().database_url
    assert database_url, "the parent passes DATABASE_URL"
    began = time.perf_counter()
    done = rebuild_many(Database.from_url(database_url), schema, all_projections(), jobs)
    seconds = time.perf_counter() - began
    assert all(d.error is None for d in done), [d.error for d in done]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "jobs": jobs, "peak_rss_mib": round(peak)}))
    return 0


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def median_of(pick: Any) -> Any:
        return statistics.median(pick(r) for r in runs)

    result = dict(runs[-1])
    result["projections"] = {
        name: {**values, "seconds": median_of(lambda r, n=name: r["projections"][n]["seconds"]),
               "events_per_s": median_of(lambda r, n=name: r["projections"][n]["events_per_s"])}
        for name, values in runs[-1]["projections"].items()
    }  # fmt: skip
    result["total"] = {**runs[-1]["total"],
                       "seconds": median_of(lambda r: r["total"]["seconds"]),
                       "events_per_s": median_of(lambda r: r["total"]["events_per_s"])}  # fmt: skip
    result["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    return result


async def _views(container: Container, schema: str) -> dict[str, Any]:
    from projections.registry import figure_sources
    from projections.rollups import Period, level_view, qualify

    readside, sources = container.readside, figure_sources()
    rows = await readside.fetch(qualify(schema, COMMUNES_SQL))
    commune = rows[len(rows) // 2]  # a commune of median size
    cases = {
        "province_year": (None, Period(2025)),
        "province_month": (None, Period(2025, month=12)),
        "commune_year": (commune["id"], Period(2025)),
    }
    result: dict[str, Any] = {"commune_cells": commune["cells"]}
    for name, (node, period) in cases.items():
        samples = []
        for index in range(33):
            began = time.perf_counter()
            view = await level_view(readside.fetch, schema, node, period, AS_OF, sources)
            if index >= 3:  # the first calls warm the pool and the cache
                samples.append((time.perf_counter() - began) * 1000)
        assert view is not None
        cuts = statistics.quantiles(samples, n=20)
        result[name] = {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(cuts[18], 1),
                        "children": len(view["children"])}  # fmt: skip
    await readside.close()
    return result


async def _lists(container: Container, schema: str) -> dict[str, Any]:
    """The first page (50 rows) of every inspection list at the province root, for the year
    and for December: median ms of 5 calls after a warm-up."""
    from projections import lists
    from projections.registry import list_specs
    from projections.rollups import ROOT_SQL, Period, qualify

    readside = container.readside
    root = (await readside.fetch(qualify(schema, ROOT_SQL)))[0]["id"]
    result: dict[str, Any] = {}
    for text in ("2025", "2025-12"):
        period = Period.parse(text)
        params = (root, period.first_day, period.last_day, AS_OF)
        for spec in list_specs():
            samples = []
            for index in range(6):
                began = time.perf_counter()
                rows, _ = await lists.page(readside.fetch, schema, spec, params)
                if index:
                    samples.append((time.perf_counter() - began) * 1000)
            result[f"{spec.name} {text}"] = {"rows": len(rows),
                                             "median_ms": round(statistics.median(samples), 1)}  # fmt: skip
    await readside.close()
    return result


def _rollup_incremental(db: Database, schema: str) -> dict[str, Any]:
    """What a worker's batch costs the ``rollup`` projection when one meeting changed: the rows
    of one cell's ancestors recomputed (the province root among them), in a transaction rolled
    back; median of 7 after a warm-up. Twice: from the changed month on (what a batch does
    now, issue 14 §2) and the whole year (before), for the cell's latest month with a meeting."""
    from projections.rollup import ROLLUP, ancestors

    samples: dict[str, list[float]] = {"months": [], "year": []}
    with db.connect(autocommit=False) as conn:
        row = conn.execute(
            sql.SQL(
                "SELECT cell_id, year, max(month) FROM {} GROUP BY cell_id, year"
                " ORDER BY cell_id, year DESC LIMIT 1"
            ).format(sql.Identifier(schema, "meeting_cell_month"))
        ).fetchone()
        assert row is not None, "the meetings projection has been rebuilt"
        for kind, first_month in (("months", row[2]), ("year", 1)):
            for index in range(8):
                with conn.transaction(force_rollback=True):
                    conn.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
                    began = time.perf_counter()
                    targets = ancestors(conn, schema, {(row[0], row[1]): first_month})
                    ROLLUP.recompute(conn, schema, targets)
                    if index:
                        samples[kind].append((time.perf_counter() - began) * 1000)
    months, year = statistics.median(samples["months"]), statistics.median(samples["year"])
    return {
        "targets": len(targets),
        "month": row[2],
        "median_ms": round(months, 1),
        "whole_year_median_ms": round(year, 1),
        "ratio": round(months / year, 2) if year else None,
    }


def _verdicts(out: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    rebuild = out["rebuild"]
    meetings = rebuild["projections"].get("meetings", {}).get("events_per_s", 0)
    library = out["library"]["events_per_s"]
    speedup = meetings / library if library else 0.0  # no baseline figure: no claim
    rows = [
        ("rebuild, all projections (applied events/s)",
         f"{rebuild['total']['events_per_s']:,.0f}",
         f"≥ {TARGET_RATE:,}", rebuild["total"]["events_per_s"] >= TARGET_RATE),
        ("whole log rebuilt, 1 process (events/s)",
         f"{round(out['rebuild_jobs2']['log_events'] / rebuild['total']['seconds']):,}",
         f"≥ {TARGET_RATE:,}",
         out["rebuild_jobs2"]["log_events"] / rebuild["total"]["seconds"] >= TARGET_RATE),
        ("whole log rebuilt, 2 processes (events/s)",
         f"{out['rebuild_jobs2']['log_events_per_s']:,}", f"≥ {TARGET_RATE:,}",
         out["rebuild_jobs2"]["log_events_per_s"] >= TARGET_RATE),
        ("rebuild, meetings alone (events/s)", f"{meetings:,.0f}", f"≥ {TARGET_RATE:,}",
         meetings >= TARGET_RATE),
        ("meetings: engine ÷ library runner", f"{speedup:.1f}×",
         f"≥ {TARGET_SPEEDUP:g}×", speedup >= TARGET_SPEEDUP),
        ("raw ordered read (events/s)", f"{out['raw_read']['events_per_s']:,}", "(limit)", True),
        ("province-root view, year, p95 (ms)", f"{out['views']['province_year']['p95_ms']}",
         f"≤ {TARGET_P95_MS:g}", out["views"]["province_year"]["p95_ms"] <= TARGET_P95_MS),
        ("commune view, year, p95 (ms)", f"{out['views']['commune_year']['p95_ms']}",
         f"≤ {TARGET_P95_MS:g}", out["views"]["commune_year"]["p95_ms"] <= TARGET_P95_MS),
    ]  # fmt: skip
    scale = f"x{out['province']['scale']:g}"
    out["memory"][f"{scale}, 2 processes"] = out["rebuild_jobs2"]["peak_rss_mib"]
    for label, peak in out["memory"].items():
        if label.startswith("x"):
            rows.append((f"peak RSS of a rebuild, {label} (MiB)", str(peak),
                         f"≤ {TARGET_RSS_MIB}", peak <= TARGET_RSS_MIB))  # fmt: skip
    print("\n" + "=" * 78)
    for label, value, target, ok in rows:
        print(f"{label:42} {value:>14}  {target:>10}  {'PASS' if ok else 'MISS'}")
    return rows


def _write(out: dict[str, Any], shape: Shape) -> None:
    folder = Path(__file__).parent / "out"
    folder.mkdir(exist_ok=True)
    path = folder / f"projections-x{shape.scale:g}.json"
    path.write_text(json.dumps(out, indent=2, default=str, ensure_ascii=False))
    print(f"\nkết quả / results: {path}")


if __name__ == "__main__":
    sys.exit(main())
