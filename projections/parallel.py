"""Rebuilding several projections at once (dựng lại song song), one process per projection.

Each (tenant, projection) pair is independent: its own tables, checkpoint and lock, so
rebuilds of different projections can run side by side, as several worker processes would.
Python applies a batch while PostgreSQL writes another's, so on two cores two processes keep
both busy. The one ordering rule: a projection that reads others' tables (``depends_on``)
starts only once those being rebuilt with it have finished, or it would catch up to their
half-built checkpoint and settle there.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from infra.database import Database
from projections import engine
from projections.base import Projection
from projections.engine import CatchUp


def _rebuild_one(database: Database, schema: str, name: str, lock_wait: float | None) -> CatchUp:
    from projections.registry import projection_named

    return engine.rebuild(database, schema, projection_named(name), lock_wait=lock_wait)


def ready(waiting: Sequence[Projection], unfinished: set[str]) -> list[Projection]:
    """Those of ``waiting`` that read nothing still ``unfinished`` (being or to be rebuilt)."""
    return [p for p in waiting if not set(getattr(p, "depends_on", ())) & unfinished]


def rebuild_many(
    database: Database,
    schema: str,
    projections: Sequence[Projection],
    jobs: int,
    lock_wait: float | None = None,
) -> list[CatchUp]:
    """Rebuild ``projections`` (registry order: what is read comes first) with up to ``jobs``
    processes at a time; results in the order given. ``lock_wait``: see ``engine.rebuild``."""
    if jobs <= 1:
        return [engine.rebuild(database, schema, p, lock_wait=lock_wait) for p in projections]
    waiting = list(projections)
    unfinished = {p.name for p in projections}
    results: dict[str, CatchUp] = {}
    running: dict[Future[CatchUp], str] = {}
    # spawn, not fork: a forked child would share the parent's connections and threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        while waiting or running:
            for projection in ready(waiting, unfinished)[: jobs - len(running)]:
                waiting.remove(projection)
                future = pool.submit(_rebuild_one, database, schema, projection.name, lock_wait)
                running[future] = projection.name
            if not running:
                names = ", ".join(p.name for p in waiting)
                raise ValueError(f"projections that read each other (depends_on): {names}")
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                results[name] = future.result()
                unfinished.discard(name)
    return [results[p.name] for p in projections]
