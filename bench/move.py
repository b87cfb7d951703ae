"""Moving a synthetic province to a second cluster (issue 14 §3), timed; not a test.

    .venv/bin/python -m bench.move [--scale 0.1]

Loads the synthetic province (``bench/synthetic.py``; ``--scale 1`` is 6,000 cells and about
2 M events) on the main server (``DATABASE_URL`` or the embedded one under
``CHIBO_DATA_DIR``), chains it, starts a second embedded PostgreSQL as cluster ``second`` and
runs ``services.tenants.move.move`` there, then ``drop-old-copy`` on the main server. It prints
each step's time, whether the province still wrote then (live) or not (frozen), and how long
writes were refused (from the freeze to the switch), beside the baseline measured in the same
run: a rebuild of every read model on the source, what a move that froze first would refuse
writes for at the least. The province is loaded afresh and removed at the end.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from psycopg import sql

from bench.load import META_TABLE, drop, province
from bench.synthetic import Shape
from infra import clusters, province_copy
from infra.audit.hashchain import SINCE_TABLE, extend_chain
from infra.database import EmbeddedPostgres
from infra.settings import load_settings
from projections import engine
from projections.registry import all_projections
from services.bootstrap import build_container, schema_parts
from services.tenants import move as moving
from services.tenants.old_copy import drop_old_copy


def timed_steps(steps: dict[str, tuple[float, float]]) -> None:
    """Wrap the move's steps so each one's start and time are recorded under its name (a step
    run twice, the copy, is recorded the second time as ``<name> again``)."""

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                key = f"{name} again" if name in steps else name
                steps[key] = (began, time.perf_counter() - began)

        return run

    for name in ("_prepare_target", "_freeze", "_empty", "_check", "_rebuild", "_catch_up"):
        setattr(moving, name, wrap(name, getattr(moving, name)))
    province_copy.copy_tables = wrap("copy_tables", province_copy.copy_tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.1, help="1.0 = 6,000 cells")
    args = parser.parse_args()
    container = build_container(load_settings())
    shape = Shape(scale=args.scale)
    # The second cluster joins after the load: provisioning would otherwise pick the emptier.
    loaded = province(container, shape, reuse=False)
    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="chibo-bench-move-")))
    second = server.start()
    clusters.register("second", second)
    try:
        schema = loaded.tenant.schema
        with container.database.connect() as conn:
            # COPY bypassed the writers' chaining: chain the loaded log after the fact, as a
            # province provisioned before write-time chaining is.
            conn.execute("SET session_replication_role = replica")  # past the append-only guard
            conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, SINCE_TABLE)))
            conn.execute("RESET session_replication_role")
            extend_chain(conn, schema)
            # The loader's own marker is no table of a province: the target has none to fill.
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(schema, META_TABLE)))
        print(f"province ×{shape.scale:g}: {loaded.events:,} events", flush=True)

        began = time.perf_counter()
        for projection in all_projections():
            done = engine.rebuild(container.database, schema, projection)
            assert done.error is None, done.error
        baseline = time.perf_counter() - began
        print(f"baseline: every read model rebuilt on the source in {baseline:.1f} s", flush=True)

        steps: dict[str, tuple[float, float]] = {}
        timed_steps(steps)
        began = time.perf_counter()
        moved = moving.move(
            container.database, shape.slug, "second", "bench", "bench.move", list(schema_parts())
        )
        ended = time.perf_counter()
        frozen_at = steps["_freeze"][0]
        print(f"move: {moved.events:,} events, {ended - began:.1f} s in all")
        for name, (start, seconds) in sorted(steps.items(), key=lambda item: item[1][0]):
            phase = "frozen" if start >= frozen_at else "live"
            print(f"  {name.strip('_'):<18} {phase:<7} {seconds:7.1f} s")
        refused = ended - frozen_at
        print(
            f"writes refused (freeze to switch): {refused:.1f} s"
            f" = {refused / baseline:.2f} × the rebuild baseline ({moved.rows:,} rows copied)"
        )
        began = time.perf_counter()
        drop_old_copy(container.database, shape.slug, "main", "bench", "bench.move")
        print(f"old copy checked and dropped on main in {time.perf_counter() - began:.1f} s")
    finally:
        drop(container.database, shape.slug)
        container.close()
        clusters.unregister("second")
        second.close_pool()
        server.stop()


if __name__ == "__main__":
    main()
