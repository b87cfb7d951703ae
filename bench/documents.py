"""The report benchmark: ``python -m bench.documents`` (báo cáo cấp tỉnh, cả năm).

The province-root yearly report (báo cáo kết quả sinh hoạt chi bộ) of the synthetic province
(``bench.synthetic``; scale 1 = 6,000 cells), made as a report job exactly as the worker makes
it (``services.documents.jobs.run_job``: appendices streamed from a server-side cursor, the PDF
compiled part by part in child processes, the file stored), as XLSX and as PDF, each in a fresh
child process so its peak resident memory is its own; the PDF's Typst children are measured
too (the largest one). Printed beside a baseline measured in the same run: the per-level view
alone (the figures without appendices or rendering), and the child's resident memory before it
starts. Not a test; CI does not run it. Options: ``--scale``, ``--reuse`` (keep the province
between runs), ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import uuid4

from bench.load import province
from bench.synthetic import Shape
from infra.database import Database
from infra.settings import load_settings
from services.bootstrap import build_container

AS_OF = date(2026, 1, 31)  # every month of the synthetic year has ended
YEAR = 2025


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.documents")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 6,000 cells")
    parser.add_argument("--reuse", action="store_true", help="keep the generated province")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--child", nargs=3, metavar=("SLUG", "SCHEMA", "FORMAT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        return _child(*args.child)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    settings = replace(load_settings(), data_dir=load_settings().data_dir / "bench")
    container = build_container(settings)
    try:
        loaded = province(container, Shape(scale=args.scale), args.reuse)
        schema = loaded.tenant.schema
        print(f"tỉnh giả lập / province: {schema}, {loaded.events} events")
        began = time.perf_counter()
        _catch_up(container.database, schema)
        print(f"bảng đọc / projections caught up in {time.perf_counter() - began:.1f} s")
        out: dict[str, Any] = {"scale": args.scale, "events": loaded.events}
        for output in ("view", "xlsx", "pdf"):
            runs = [
                _in_child(container.database, loaded.tenant.slug, schema, output)
                for _ in range(args.runs)
            ]
            out[output] = {
                "seconds_median": round(statistics.median(r["seconds"] for r in runs), 2),
                "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
                "typst_child_peak_mib": max(r.get("typst_child_peak_mib", 0) for r in runs),
                "idle_rss_mib": max(r["idle_rss_mib"] for r in runs),
                **{k: v for k, v in runs[-1].items() if k not in ("seconds", "peak_rss_mib", "idle_rss_mib")},
            }  # fmt: skip
            print(f"{output}: {json.dumps(out[output], ensure_ascii=False)}")
        view = out["view"]["seconds_median"] or 1e-9
        for output in ("xlsx", "pdf"):
            ratio = out[output]["seconds_median"] / view
            extra = out[output]["peak_rss_mib"] - out[output]["idle_rss_mib"]
            print(f"báo cáo {output} ÷ chỉ số liệu / report ÷ view alone: {ratio:.1f}×; "
                  f"bộ nhớ thêm / memory above idle: {extra} MiB; "
              f"Typst child peak: {out[output]['typst_child_peak_mib']} MiB")  # fmt: skip
        print(json.dumps(out, ensure_ascii=False))
    finally:
        container.close()
    return 0


def _catch_up(database: Database, schema: str) -> None:
    from projections import engine
    from projections.registry import all_projections

    for done in engine.catch_up_all(database, schema, all_projections()):
        assert done.error is None, done.error


def _in_child(database: Database, slug: str, schema: str, output: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database.url}
    done = subprocess.run(
        [sys.executable, "-m", "bench.documents", "--child", slug, schema, output],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _child(slug: str, schema: str, output: str) -> int:
    import asyncpg

    from infra.application import TenantApplication
    from projections import rollups
    from projections.registry import figure_sources
    from services.documents import job_store
    from services.documents.jobs import run_job, steps_total

    database_url = load_settings().database_url
    assert database_url, "the parent passes DATABASE_URL"
    idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    if output == "view":

        async def view() -> dict[str, Any]:
            conn = await asyncpg.connect(database_url)
            try:
                found = await rollups.level_view(
                    conn.fetch, schema, None, rollups.Period(YEAR), AS_OF, figure_sources()
                )
                assert found is not None
                return {"children": len(found["children"])}
            finally:
                await conn.close()

        result = asyncio.run(view())
    else:
        database = Database.from_url(database_url)
        app = TenantApplication(slug, schema, database)
        job = job_store.Job(uuid4(), output, None, str(YEAR), AS_OF, "bench", "bench", "queued",
                            "", 0, steps_total(), 0, None, None, None, None, None, None, None)  # fmt: skip
        job_store.create(app, job)
        run_job(app, database, job.id)
        done = job_store.find(app, job.id)
        assert done is not None, job.id
        assert done.status == "done", done
        result = {"bytes": done.size, "appendix_rows": done.rows_written}
        app.close()
    result["seconds"] = round(time.perf_counter() - began, 3)
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["typst_child_peak_mib"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    )
    result["idle_rss_mib"] = round(idle)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
