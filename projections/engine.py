"""The projection engine: reads a province's log in batches, applies it, commits the checkpoint.

For each (tenant, projection) pair, one batch is one transaction:

1. take ``pg_try_advisory_xact_lock`` on the pair, so two workers never run it together;
2. read the checkpoint (after the lock, so it is the last committed one), then the next
   ``batch_size`` events with ``notification_id >`` checkpoint and a topic the projection
   consumes, in id order, with ``max(notification_id)`` from the same statement;
3. call ``projection.apply`` and advance the checkpoint in the same transaction.

Ordering: the library inserts events under ``LOCK TABLE … IN EXCLUSIVE MODE``, so a writer is
given its notification ids and commits before the next writer gets any. Every id a snapshot
cannot see yet is therefore larger than every id it can see, and "id > checkpoint" never
skips a late commit (tests/integration/test_projection_ordering.py holds a writer open to
prove it). When fewer events than a batch come back, the checkpoint moves to the snapshot's
maximum id, so a projection that skips most topics shows no false lag.

A projection that raises has its batch rolled back, its error and position recorded, and is
left behind; the others carry on. Memory is bounded by ``batch_size`` whatever the log length.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

import psycopg
from psycopg import errors, sql

from domain.base import StateConflict
from infra.application import EVENTS_TABLE
from infra.database import Database
from infra.pools import CONNECTION_ERRORS
from projections import poison, tracking
from projections.base import Projection, StoredEventRow, table
from projections.prefetch import Prefetcher, prefetching
from projections.status import Status, status

__all__ = ["CatchUp", "ProjectionBusy", "Status", "catch_up", "rebuild", "run_batch", "status"]

log = logging.getLogger(__name__)

BATCH_SIZE = 5_000
REBUILD_BATCH_SIZE = 50_000
"""Larger than a worker's batch: each batch has fixed costs (statements, hash builds over
whole tables) that a replay of millions of events should pay as rarely as memory allows."""


@dataclass(frozen=True, slots=True)
class CatchUp:
    """What one catch-up of one (tenant, projection) pair did."""

    projection: str
    start: int
    position: int
    events: int
    """Events applied (those of the projection's topics)."""
    batches: int
    seconds: float
    busy: bool = False
    """Another worker holds the pair's lock; nothing was done (it is catching up anyway)."""
    error: str | None = None

    @property
    def span(self) -> int:
        """Log positions covered (every event read past, consumed or skipped by topic)."""
        return self.position - self.start


class ProjectionBusy(StateConflict):
    """Another process held the projection's lock for longer than a rebuild would wait."""

    code = "projection_busy"


def lock_key(schema: str, projection: str) -> str:
    return f"chibo:projection:{schema}:{projection}"


def _lock(conn: psycopg.Connection[Any], schema: str, projection: str, wait: bool) -> bool:
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    row = conn.execute(
        sql.SQL("SELECT {}(hashtextextended(%s, 0))").format(sql.Identifier(function)),
        (lock_key(schema, projection),),
    ).fetchone()
    return wait or bool(row and row[0])


def _read_batch(
    conn: psycopg.Connection[Any],
    schema: str,
    after: int,
    topics: Sequence[str],
    limit: int,
    upto: int | None = None,
    projection: str | None = None,
) -> tuple[list[StoredEventRow], int]:
    """The next events for ``topics`` and the highest id, both from one statement's snapshot.

    One statement, not two: under READ COMMITTED each statement has its own snapshot, and
    the checkpoint may only jump to a maximum that the batch query saw too. ``upto`` caps
    both (a dependent projection never passes the projections it reads). Events quarantined
    for ``projection`` are left out; states are made storable (:mod:`projections.poison`).
    """
    events = table(schema, EVENTS_TABLE)
    cap = upto if upto is not None else 2**63 - 1
    skip = poison.skipped_clause(schema, projection) if projection else sql.SQL("true")
    with conn.cursor(binary=True) as cur:
        cur.execute(
            sql.SQL(
                # coalesce: ``least`` ignores NULLs, so an empty log gave the cap (the end of
                # time) as its head, and every checkpoint moved there for good.
                "WITH head AS (SELECT least(coalesce(max(notification_id), 0), %s) AS top"
                " FROM {0})"
                " SELECT head.top, e.notification_id, e.originator_id, e.originator_version,"
                " e.topic, e.state FROM head LEFT JOIN LATERAL ("
                "  SELECT notification_id, originator_id, originator_version, topic, state"
                "  FROM {0} AS e WHERE notification_id > %s AND notification_id <= %s"
                "  AND topic = ANY(%s) AND {1} ORDER BY notification_id LIMIT %s) AS e ON true"
            ).format(events, skip),
            (cap, after, cap, list(topics), limit),
        )
        raw = cur.fetchall()
    top = int(raw[0][0] or 0)
    rows = [
        StoredEventRow(r[1], r[2], r[3], r[4], poison.storable(r[5]))
        for r in raw
        if r[1] is not None
    ]
    if len(rows) == limit:
        return rows, rows[-1].notification_id
    return rows, max(after, top)


def run_batch(
    conn: psycopg.Connection[Any],
    schema: str,
    projection: Projection,
    batch_size: int = BATCH_SIZE,
    wait_for_lock: bool = False,
    ahead: Prefetcher | None = None,
) -> tuple[int, int, int] | None:
    """One transaction: (start, new position, events applied), or None if the pair is busy.

    The caller's connection must not be in a transaction; errors from ``apply`` propagate
    after the rollback. With ``ahead``, the next batch is read while this one is applied.
    """
    try:
        return _run_batch(conn, schema, projection, batch_size, wait_for_lock, ahead)
    except BaseException:
        # The transaction rolled back: whatever the projection kept in memory from this batch
        # (a replay's streak states) describes tables that never were.
        discard = getattr(projection, "discard", None)
        if discard is not None:
            discard(schema)
        raise


def _run_batch(
    conn: psycopg.Connection[Any],
    schema: str,
    projection: Projection,
    batch_size: int,
    wait_for_lock: bool,
    ahead: Prefetcher | None,
) -> tuple[int, int, int] | None:
    with conn.transaction():
        if not _lock(conn, schema, projection.name, wait_for_lock):
            return None
        # Batches sort and hash tens of thousands of rows: keep that in memory, and skip JIT,
        # whose compile time costs more than it saves on statements this size. Not waiting
        # for the WAL flush is safe here: a batch lost in a crash is replayed from the log.
        conn.execute(
            "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off; SET LOCAL synchronous_commit = off"
        )
        start = tracking.read_position(conn, schema, projection.name)
        cap = dependencies_position(conn, schema, projection)
        if cap is not None and cap <= start:
            return start, start, 0  # what it reads has not moved past it yet
        fetched = ahead.take(start) if ahead is not None else None
        rows, top = fetched or _read_batch(
            conn, schema, start, projection.topics, batch_size, cap, projection.name
        )
        if ahead is not None and len(rows) == batch_size:
            ahead.start(top)
        if rows:
            projection.apply(conn, schema, rows)
        if top > start:
            tracking.advance(conn, schema, projection.name, top)
        return start, top, len(rows)


def dependencies_position(
    conn: psycopg.Connection[Any], schema: str, projection: Projection
) -> int | None:
    """The least checkpoint of the projections whose tables ``projection`` reads, if any.

    A dependent projection (``depends_on``) consumes events only up to there: every event it
    handles is then already reflected in the tables it reads. They may be further on still;
    a dependent must only recompute from their current state, never from the event alone.
    """
    names: Sequence[str] = getattr(projection, "depends_on", ())
    if not names:
        return None
    points = tracking.checkpoints(conn, schema)
    return min((points[n].position if n in points else 0) for n in names)


def _settle(conn: psycopg.Connection[Any], schema: str, projection: Projection) -> None:
    """Let a projection finish work it deferred while replaying (``settle``), under the lock."""
    settle = getattr(projection, "settle", None)
    if settle is None:
        return
    with conn.transaction():
        _lock(conn, schema, projection.name, wait=True)
        conn.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
        settle(conn, schema)


def catch_up(
    database: Database,
    schema: str,
    projection: Projection,
    *,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    read_ahead: bool = False,
    wait_for_lock: bool = False,
) -> CatchUp:
    """Bring one projection of one tenant up to the end of its log (or ``max_batches``).

    ``wait_for_lock`` (a rebuild) waits for a worker's batch to end instead of leaving.

    ``read_ahead`` (a rebuild's replay) reads each next batch on a second connection while
    the current one is applied; the replay also runs the cycle collector once per batch
    (:func:`_collector_per_batch`).
    """
    began = time.perf_counter()
    first: int | None = None
    position = events = batches = 0

    def read(reader: psycopg.Connection[Any], after: int) -> tuple[list[StoredEventRow], int]:
        return _read_batch(
            reader, schema, after, projection.topics, batch_size, projection=projection.name
        )

    with ExitStack() as stack:
        conn = stack.enter_context(database.connect(autocommit=False))
        if not _ensure_installed(conn, schema, projection):
            return CatchUp(projection.name, 0, 0, 0, 0, time.perf_counter() - began, busy=True)
        # A dependent's batches stop at a moving cap: a batch read ahead would rarely fit.
        dependent = bool(getattr(projection, "depends_on", ()))
        ahead = (
            stack.enter_context(prefetching(database, read))
            if read_ahead and not dependent
            else None
        )
        while max_batches is None or batches < max_batches:
            try:
                done = run_batch(
                    conn, schema, projection, batch_size, wait_for_lock=wait_for_lock, ahead=ahead
                )
                if done is not None and (done[1] == done[0] or done[2] < batch_size):
                    _settle(conn, schema, projection)  # caught up
            except CONNECTION_ERRORS:
                raise  # the database went away: not this projection's fault (infra.outage)
            except Exception as error:
                if not isinstance(error, psycopg.OperationalError):
                    # A lost connection or server is no event's fault: narrowing would only
                    # fail again. Anything else may be one event's value.
                    error = poison.narrow(
                        lambda size: run_batch(conn, schema, projection, size, wait_for_lock),
                        lambda: _next_event(conn, schema, projection),
                        batch_size,
                        error,
                    )
                reached = _record_failure(conn, schema, projection.name, error)
                return CatchUp(
                    projection.name,
                    first or 0,
                    position if reached is None else max(position, reached),
                    events,
                    batches,
                    time.perf_counter() - began,
                    error=poison.describe(error),
                )
            if done is None:
                return CatchUp(
                    projection.name,
                    position,
                    position,
                    events,
                    batches,
                    time.perf_counter() - began,
                    busy=True,
                )
            start, position, applied = done
            if read_ahead and not gc.isenabled():
                gc.collect()  # see _collector_per_batch
            first = start if first is None else first
            events += applied
            batches += 1
            if position == start or applied < batch_size:
                break
    return CatchUp(
        projection.name, first or 0, position, events, batches, time.perf_counter() - began
    )


_installed: set[tuple[str, str, str]] = set()


def _ensure_installed(conn: psycopg.Connection[Any], schema: str, projection: Projection) -> bool:
    """Create the tables once per process and pair, so a projection added in a release starts
    by itself on provinces provisioned before it. Under the pair's lock (concurrent
    ``CREATE … IF NOT EXISTS`` can collide); False if another worker holds it."""
    key = (conn.info.dsn, schema, projection.name)
    if key in _installed:
        return True
    with conn.transaction():
        if not _lock(conn, schema, projection.name, wait=False):
            return False
        tracking.install_tracking(conn, schema)
        projection.install(conn, schema)
        _repair_checkpoint(conn, schema, projection.name)
    _installed.add(key)
    return True


def _repair_checkpoint(conn: psycopg.Connection[Any], schema: str, name: str) -> None:
    """Bring back a checkpoint that lies beyond the log's last event.

    Ids only grow and events are never deleted, so such a checkpoint can only come from the
    old empty-log fault (it jumped to 2**63-1 before the first event), and nothing was
    applied since: replaying from the start is exact.
    """
    row = conn.execute(
        sql.SQL(
            "UPDATE {t} SET position = 0, updated_at = now() WHERE projection = %s"
            " AND position > (SELECT coalesce(max(notification_id), 0) FROM {e})"
            " RETURNING projection"
        ).format(t=table(schema, tracking.TRACKING_TABLE), e=table(schema, EVENTS_TABLE)),
        (name,),
    ).fetchone()
    if row is not None:
        log.warning("checkpoint of %s in %s was past the log's end: replaying it", name, schema)


def _next_event(
    conn: psycopg.Connection[Any], schema: str, projection: Projection
) -> StoredEventRow | None:
    with conn.transaction():
        start = tracking.read_position(conn, schema, projection.name)
        cap = dependencies_position(conn, schema, projection)
        rows, _ = _read_batch(conn, schema, start, projection.topics, 1, cap, projection.name)
    return rows[0] if rows else None


def _record_failure(
    conn: psycopg.Connection[Any], schema: str, name: str, error: Exception
) -> int | None:
    """Keep the error and the checkpoint it is stuck at (the batch after it failed); return
    that checkpoint (narrowing may have moved it past the failed batch's start), or None if
    the database could not be reached to record it."""
    log.exception("projection %s of %s failed", name, schema)
    try:
        with conn.transaction():
            position = tracking.read_position(conn, schema, name)
            tracking.record_error(conn, schema, name, position, poison.describe(error))
    except psycopg.Error:
        log.exception("could not record the failure of %s in %s", name, schema)
        return None
    return position


def catch_up_all(
    database: Database, schema: str, projections: Sequence[Projection], **options: Any
) -> list[CatchUp]:
    """Catch up every projection; a failure of one is recorded and does not stop the rest."""
    return [catch_up(database, schema, p, **options) for p in projections]


def install(conn: psycopg.Connection[Any], schema: str, projections: Sequence[Projection]) -> None:
    tracking.install_tracking(conn, schema)
    for projection in projections:
        projection.install(conn, schema)


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
        _lock_before_drop(conn, schema, projection.name, lock_wait)
        projection.drop(conn, schema)
        tracking.install_tracking(conn, schema)
        projection.install(conn, schema)
        tracking.reset(conn, schema, projection.name)
        for index in deferred:
            conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(table(schema, index)))
        # Installed just now: catch_up must not install (and so index) again before the replay.
        _installed.add((conn.info.dsn, schema, projection.name))
    began = time.perf_counter()
    # A projection may keep state in memory between the batches of one replay (``replaying``);
    # it must still check, batch by batch, that the checkpoint is where its last batch left it.
    replaying = getattr(projection, "replaying", None)
    try:
        with (
            _collector_per_batch(),
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
            _install_again(database, schema, projection)
    # The index build is part of the rebuild's time.
    return replace(done, seconds=time.perf_counter() - began)


def _lock_before_drop(
    conn: psycopg.Connection[Any], schema: str, name: str, seconds: float | None
) -> None:
    if seconds is None:
        _lock(conn, schema, name, wait=True)
        return
    if _lock(conn, schema, name, wait=False):
        return
    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{seconds}s")))
    try:
        with conn.transaction():  # a savepoint: the timeout must not end the outer transaction
            _lock(conn, schema, name, wait=True)
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
def _collector_per_batch() -> Iterator[None]:
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


def _install_again(database: Database, schema: str, projection: Projection) -> None:
    """Build the deferred indexes (``install`` is idempotent), under the pair's lock."""
    with database.connect(autocommit=False) as conn, conn.transaction():
        _lock(conn, schema, projection.name, wait=True)
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        projection.install(conn, schema)


def install_read_models(conn: psycopg.Connection[Any], schema: str) -> None:
    """The schema part provisioning runs: the tracking table and every projection's tables."""
    from projections.registry import all_projections

    install(conn, schema, all_projections())
