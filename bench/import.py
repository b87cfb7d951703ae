# ruff: noqa: N999  — the module is run as `python -m bench.import`, never imported by name
"""The import benchmark (đo hiệu năng nhập dữ liệu): ``python -m bench.import --scale 0.1``.

Generates the synthetic province's files (``bench.import_files``: at scale 1, 6,000 cells and
120,000 members), imports the tree into a fresh province, then, each in its own child process
so that its peak resident memory is its own:

1. the members' dry run (every row checked and planned, nothing written);
2. the confirmed import with the batched ``COPY`` writer (``infra.bulk_write``): one commit
   per batch, with the batch's details and progress, that does not wait for the disk; it uses
   step 1's dry run of the same file, as ``chibo import … --confirm`` does (the writing pass
   checks every row again as it plans);
3. the same import as before that change, into another fresh province (``--before``): each
   batch's events, then its details and progress, in commits that wait for the disk;
4. the same import with the library's own save, into a third fresh province: the same-run
   baseline the writer is compared with;
5. re-importing the same file (a no-op: nothing written);
6. the read models catching up with what the import wrote.

Times at a scale below 1 are also extrapolated linearly to 120,000 members and compared with
the issue's target (under 2 minutes and 300 MiB). Not a test: CI does not run it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import resource
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.import_files import TODAY, members_file, tree_file
from domain.base import Actor
from infra.settings import load_settings
from services.bootstrap import build_container

TARGET_SECONDS = 120.0
TARGET_RSS_MIB = 300
ADMIN = Actor("bench-admin", "tenant_admin", "bench")


def before_save(app: Any, aggregates: list[Any], also: Any) -> int:
    """The writer before one commit per batch: events, then details and progress, each commit
    waiting for the disk (as the import wrote until 06/12/2026)."""
    from infra.bulk_write import write_events

    written = write_events(app, aggregates)
    write_events(app, [], also)
    return written


def _writers() -> dict[str, Any]:
    from services.imports import service

    return {"import": service.bulk_save, "before": before_save, "library": service.library_save}


def child(mode: str, slug: str, scale: float, queue: Any) -> None:
    from projections.engine import catch_up_all
    from projections.registry import all_projections
    from services.imports import service, store

    container = build_container(load_settings())
    try:
        app = container.applications.get(slug)
        data = members_file(scale)
        started, cpu = time.perf_counter(), time.process_time()
        result: dict[str, Any] = {}
        if mode == "catch_up":
            catch_up_all(container.database, app.schema, all_projections())
        else:
            sha = service.sha256_of(data)
            if mode == "dry_run" or store.checked(app, "members", sha) is None:
                _, report = service.check(app, "members", data, "dang-vien.csv", ADMIN, TODAY)
                result["check_seconds"] = round(time.perf_counter() - started, 2)
                result["check_cpu_seconds"] = round(time.process_time() - cpu, 2)
            if mode != "dry_run":
                started, cpu = time.perf_counter(), time.process_time()
                writer: Any = _writers()[mode]
                _, report = service.run(app, "members", data, "dang-vien.csv", sha, ADMIN, TODAY,
                                        writer=writer)  # fmt: skip
            result.update(rows=report.rows, errors=report.errors, counts=report.counts)
        result["seconds"] = round(time.perf_counter() - started, 2)
        result["cpu_seconds"] = round(time.process_time() - cpu, 2)
        result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        queue.put(result)
    finally:
        container.close()


def in_child(mode: str, slug: str, scale: float) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=child, args=(mode, slug, scale, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def fresh_province(scale: float, label: str) -> str:
    from services.imports import service

    container = build_container(load_settings())
    try:
        slug = f"bench_import_{label}_{str(scale).replace('.', '_')}"
        container.provision(slug, f"Tỉnh đo nhập dữ liệu ({label})")
        app = container.applications.get(slug)
        data = tree_file(scale)
        _, report = service.check(app, "tree", data, "cay-to-chuc.csv", ADMIN, TODAY)
        if report.counts.get("new"):
            service.run(app, "tree", data, "cay-to-chuc.csv", report.sha256, ADMIN, TODAY)
        return slug
    finally:
        container.close()


def drop(slug: str) -> None:
    from infra.tenancy import find_tenant
    from tests.conftest import drop_tenant

    container = build_container(load_settings())
    try:
        drop_tenant(container.database, find_tenant(container.database, slug))
    finally:
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--keep", action="store_true", help="keep the provinces afterwards")
    parser.add_argument("--no-baseline", action="store_true", help="skip the library's save")
    parser.add_argument(
        "--before", action="store_true", help="also the writer as it was before 06/12/2026"
    )
    args = parser.parse_args()
    scale = args.scale
    for label in ("copy", "before", "library"):
        with contextlib.suppress(Exception):
            drop(f"bench_import_{label}_{str(scale).replace('.', '_')}")
    ours = fresh_province(scale, "copy")
    before = fresh_province(scale, "before") if args.before else None
    theirs = None if args.no_baseline else fresh_province(scale, "library")
    results = {
        "dry_run": in_child("dry_run", ours, scale),
        "import": in_child("import", ours, scale),
        **({"before_import": in_child("before", before, scale)} if before else {}),
        **({"library_baseline": in_child("library", theirs, scale)} if theirs else {}),
        "reimport_no_op": in_child("import", ours, scale),
        "views_catch_up": in_child("catch_up", ours, scale),
    }
    factor = 1 / scale
    imported = results["import"]
    print(
        f"Scale {scale}: {imported['rows']} members, {imported['counts'].get('events', 0)} events"
    )
    print(
        f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        " (wall times stretch with it; CPU seconds are this process's own work)"
    )
    for name, result in results.items():
        print(f"  {name:17} {result['seconds']:7.2f} s wall {result['cpu_seconds']:7.2f} s CPU"
              f"   peak RSS {result['peak_rss_mib']:4d} MiB"
              + (f"   (its dry run {result['check_seconds']:.2f} s wall,"
                 f" {result['check_cpu_seconds']:.2f} s CPU)" if "check_seconds" in result
                 and name != "dry_run" else ""))  # fmt: skip
    if "library_baseline" in results:
        baseline = results["library_baseline"]["seconds"]
        print(f"  COPY writer vs the library's save, same run: {baseline / imported['seconds']:.2f}×"
              " faster")  # fmt: skip
    if "before_import" in results:
        earlier = results["before_import"]["seconds"]
        print(f"  confirmed import vs before (same run): {earlier / imported['seconds']:.2f}×"
              " faster")  # fmt: skip
    confirm = imported["seconds"] * factor
    total = (results["dry_run"]["seconds"] + imported["seconds"]) * factor
    verdict = "PASS" if confirm < TARGET_SECONDS else "MISS"
    print(
        f"  extrapolated to 120,000 members: confirmed import {confirm:.0f} s"
        f" (target < {TARGET_SECONDS:.0f} s) {verdict}; with its dry run before it {total:.0f} s"
    )
    rss = max(r["peak_rss_mib"] for r in results.values())
    print(f"  peak RSS {rss} MiB at this scale (target < {TARGET_RSS_MIB} MiB at scale 1)")
    out = Path("bench/out")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"import-{scale}.json").write_text(
        json.dumps(
            {
                "scale": scale,
                "day": date.today().isoformat(),
                "load_average": os.getloadavg()[0],
                **results,
            },
            indent=2,
        )
    )
    if not args.keep:
        for slug in (ours, before, theirs):
            if slug:
                drop(slug)


if __name__ == "__main__":
    main()
