"""One batch (mẻ) of one projection, the projection engine's unit of work.

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

A projection that raises has its batch rolled back (:mod:`projections.catchup` records it).
Memory is bounded by ``batch_size`` whatever the log length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from infra.application import EVENTS_TABLE
from projections import poison, tracking
from projections.base import Projection, StoredEventRow, table
from projections.prefetch import Prefetcher

BATCH_SIZE = 5_000


def lock_key(schema: str, projection: str) -> str:
    """The advisory lock's name for one (tenant, projection) pair."""
    return f"chibo:projection:{schema}:{projection}"


def take_lock(
    conn: psycopg.Connection[Any], schema: str, projection: str, wait: bool, batch: bool = False
) -> bool:
    """Take the pair's transaction lock (or try to); ``batch`` also sets a batch's settings
    for the transaction (see ``_run_batch``) in the same statement, a round trip less."""
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    settings = sql.SQL(BATCH_SETTINGS if batch else "")
    row = conn.execute(
        sql.SQL("SELECT {}(hashtextextended(%s, 0)){}").format(sql.Identifier(function), settings),
        (lock_key(schema, projection),),
    ).fetchone()
    return wait or bool(row and row[0])


BATCH_SETTINGS = (
    ", set_config('work_mem', '64MB', true), set_config('jit', 'off', true),"
    " set_config('synchronous_commit', 'off', true)"
)
"""``SET LOCAL`` of a batch, as expressions (set even when the try-lock fails: the
transaction then ends at once)."""


def read_batch(
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
        # Batches sort and hash tens of thousands of rows: keep that in memory, and skip JIT,
        # whose compile time costs more than it saves on statements this size. Not waiting
        # for the WAL flush is safe here: a batch lost in a crash is replayed from the log.
        # (Set in the lock's statement; the checkpoint is read after it, in a later snapshot.)
        if not take_lock(conn, schema, projection.name, wait_for_lock, batch=True):
            return None
        start = tracking.read_position(conn, schema, projection.name)
        cap = dependencies_position(conn, schema, projection)
        if cap is not None and cap <= start:
            settle_caught_up(conn, schema, projection, applied=False)
            return start, start, 0  # what it reads has not moved past it yet
        fetched = ahead.take(start) if ahead is not None else None
        rows, top = fetched or read_batch(
            conn, schema, start, projection.topics, batch_size, cap, projection.name
        )
        if ahead is not None and len(rows) == batch_size:
            ahead.start(top)
        if rows:
            projection.apply(conn, schema, rows)
        if top > start:
            tracking.advance(conn, schema, projection.name, top)
        if len(rows) < batch_size:
            settle_caught_up(conn, schema, projection, applied=bool(rows))
        return start, top, len(rows)


def settle_caught_up(
    conn: psycopg.Connection[Any], schema: str, projection: Projection, applied: bool
) -> None:
    """Caught up: let the projection finish work it deferred while replaying (``settle``),
    in the batch's own transaction, under the lock it already holds.

    Before, this was one more locked transaction per projection and round, even when nothing
    had been deferred (issue 14 §2). A projection whose ``apply`` in this transaction already
    left nothing to settle says so (``settled_by_apply``): the settle is then skipped.
    """
    settle = getattr(projection, "settle", None)
    if settle is None:
        return
    settled_by_apply = getattr(projection, "settled_by_apply", None)
    if applied and settled_by_apply is not None and settled_by_apply(schema):
        return
    settle(conn, schema)


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


def next_event(
    conn: psycopg.Connection[Any], schema: str, projection: Projection
) -> StoredEventRow | None:
    with conn.transaction():
        start = tracking.read_position(conn, schema, projection.name)
        cap = dependencies_position(conn, schema, projection)
        rows, _ = read_batch(conn, schema, start, projection.topics, 1, cap, projection.name)
    return rows[0] if rows else None
