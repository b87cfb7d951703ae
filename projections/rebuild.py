"""Rebuilding (dựng lại) a read model: drop its tables, install them again, replay the log.

A rebuild waits for the pair's lock, so it never drops what it cannot refill; the replay
reads ahead and runs the cycle collector once per batch; query-only indexes are built at the
end.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import errors, sql

from domain.base import StateConflict
from infra.database import Database
from projections import tracking
from projections.base import Projection, table
from projections.batches import take_lock
from projections.catchup import CatchUp, catch_up
from projections.installation import installed

REBUILD_BATCH_SIZE = 50_000
"""Larger than a worker's batch: each batch has fixed costs (statements, hash builds over
whole tables) that a replay of millions of events should pay as rarely as memory allows."""


class ProjectionBusy(StateConflict):
    """Another process held the projection's lock for longer than a rebuild would wait."""

    code = "projection_busy"


def rebuild(
    database: Database,
    schema: str,
    projection: Projection,
    *,
    batch_size: int = REBUILD_BATCH_SIZE,
    lock_wait: float | None = None,
) -> CatchUp:
    """Drop the projection's tables, reinstall them and replay the whole log into them.

    The pair's lock is waited for: at most ``lock_wait`` seconds before the drop (then
    :class:`ProjectionBusy`, and nothing is dropped), and, once the tables are dropped, as long
    as it takes before each batch of the replay, so a rebuild never ends with tables it
    emptied and did not refill (it used to give up on a busy lock and report success).

    The benchmark's entry point. The drop and reset commit first (under the pair's lock,
    waiting for a running worker to finish its batch); the replay then commits batch by batch,
    so an interrupted rebuild resumes where it stopped.

    Indexes a projection names in ``deferred_indexes`` (read by queries, and by its own
    ``apply`` only on a rare path that stays correct, if slower, without them) are dropped for
    the replay and built once at the end by ``install`` again: one sort instead of millions of
    index insertions. ``install`` uses ``IF NOT EXISTS``, so an
    interrupted rebuild gets them back at the next process's first catch-up of the pair.
    """
    deferred: Sequence[str] = getattr(projection, "deferred_indexes", ())
    with database.connect(autocommit=False) as conn, conn.transaction():
        lock_before_drop(conn, schema, projection.name, lock_wait)
        projection.drop(conn, schema)
        tracking.install_tracking(conn, schema)
        projection.install(conn, schema)
        tracking.reset(conn, schema, projection.name)
        for index in deferred:
            conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(table(schema, index)))
        # Installed just now: catch_up must not install (and so index) again before the replay.
        installed.add((conn.info.dsn, schema, projection.name))
    began = time.perf_counter()
    # A projection may keep state in memory between the batches of one replay (``replaying``);
    # it must still check, batch by batch, that the checkpoint is where its last batch left it.
    replaying = getattr(projection, "replaying", None)
    try:
        with (
            collector_per_batch(),
            replaying(schema) if replaying is not None else nullcontext(),
        ):
            done = catch_up(
                database,
                schema,
                projection,
                batch_size=batch_size,
                read_ahead=True,
                wait_for_lock=True,
            )
    finally:
        if deferred:
            install_again(database, schema, projection)
    # The index build is part of the rebuild's time.
    return replace(done, seconds=time.perf_counter() - began)


def lock_before_drop(
    conn: psycopg.Connection[Any], schema: str, name: str, seconds: float | None
) -> None:
    if seconds is None:
        take_lock(conn, schema, name, wait=True)
        return
    if take_lock(conn, schema, name, wait=False):
        return
    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{seconds}s")))
    try:
        with conn.transaction():  # a savepoint: the timeout must not end the outer transaction
            take_lock(conn, schema, name, wait=True)
    except errors.LockNotAvailable:
        raise ProjectionBusy(
            f"Bảng đọc {name} đang bận (một tiến trình khác giữ khóa quá {seconds:g} giây);"
            " chưa xóa gì, hãy chạy lại sau",
            f"read model {name} is busy (another process held its lock for over {seconds:g}"
            " s); nothing was dropped, run the rebuild again later",
            projection=name,
        ) from None
    conn.execute("SET LOCAL lock_timeout = 0")


@contextmanager
def collector_per_batch() -> Iterator[None]:
    """Run Python's cycle collector once per batch instead of every 700 allocations.

    A batch allocates hundreds of thousands of objects (rows, UUIDs, decoded states) that live
    until it is written: the automatic collector rescans them again and again, which took
    about 40% of the ``audit_trail`` replay's CPU. Objects from before the rebuild (modules,
    caches) are frozen out of the scans; one full collection after each batch still frees any
    cycle, so memory stays bounded by the batch.
    """
    if not gc.isenabled():  # someone else manages it (a nested rebuild): leave it alone
        yield
        return
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def install_again(database: Database, schema: str, projection: Projection) -> None:
    """Build the deferred indexes (``install`` is idempotent), under the pair's lock."""
    with database.connect(autocommit=False) as conn, conn.transaction():
        take_lock(conn, schema, projection.name, wait=True)
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        projection.install(conn, schema)
