"""Where a confirmed members import spends its time (profil nhập): ``python -m
bench.import_profile 0.05``.

Imports the synthetic province's tree into a fresh province, runs the members' dry run, then
the confirmed import under cProfile with timers around its phases (reading batches, planning,
the writer), and prints both. Not a test: CI does not run it.
"""

from __future__ import annotations

import cProfile
import importlib
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from bench.import_files import TODAY, members_file
from infra.settings import load_settings
from services.bootstrap import build_container
from services.imports import members, service

bench = importlib.import_module("bench.import")
spent: defaultdict[str, float] = defaultdict(float)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started

    return wrapper


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.05
    slug = bench.fresh_province(scale, "profile")
    container = build_container(load_settings())
    try:
        app = container.applications.get(slug)
        data = members_file(scale)
        _, report = service.check(app, "members", data, "m.csv", bench.ADMIN, TODAY)
        members.load_many = timed("reading batches", members.load_many)  # type: ignore[assignment]
        members.Planner.plan = timed("planning (with reading)", members.Planner.plan)  # type: ignore[method-assign]
        writer = timed("writer (events, chain, details, progress)", service.bulk_save)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        service.run(app, "members", data, "m.csv", report.sha256, bench.ADMIN, TODAY,
                    writer=writer)  # fmt: skip
        profile.disable()
        total = time.perf_counter() - started
        print(f"confirmed import of {report.rows} members: {total:.2f} s wall")
        for name, seconds in spent.items():
            print(f"  {name:45} {seconds:6.2f} s  {100 * seconds / total:3.0f}%")
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    finally:
        container.close()
        bench.drop(slug)


if __name__ == "__main__":
    main()
