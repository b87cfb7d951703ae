"""Catching up (bắt kịp): bring one projection of one province to the end of its log.

Batch after batch (:mod:`projections.batches`) until fewer events than a batch come back. A
projection that raises has its batch rolled back, the failing event narrowed down
(:mod:`projections.poison`), its error and position recorded, and is left behind; the others
carry on. A lost database is no projection's fault: it propagates (``infra.outage``).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import psycopg

from infra.database import Database
from infra.pools import CONNECTION_ERRORS
from projections import poison, tracking
from projections.base import Projection, StoredEventRow
from projections.batches import BATCH_SIZE, next_event, read_batch, run_batch
from projections.installation import ensure_installed
from projections.prefetch import prefetching

log = logging.getLogger(__name__)


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


def catch_up(
    database: Database,
    schema: str,
    projection: Projection,
    *,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    read_ahead: bool = False,
    wait_for_lock: bool = False,
    connection: psycopg.Connection[Any] | None = None,
) -> CatchUp:
    """Bring one projection of one tenant up to the end of its log (or ``max_batches``).

    ``wait_for_lock`` (a rebuild) waits for a worker's batch to end instead of leaving.

    ``read_ahead`` (a rebuild's replay) reads each next batch on a second connection while
    the current one is applied; the replay also runs the cycle collector once per batch
    (:func:`projections.rebuild.collector_per_batch`).

    ``connection`` (a round's, not in a transaction, not autocommit) is used instead of
    borrowing one from the pool: a round of ten projections borrowed ten, each checked.
    """
    began = time.perf_counter()
    first: int | None = None
    position = events = batches = 0

    def read(reader: psycopg.Connection[Any], after: int) -> tuple[list[StoredEventRow], int]:
        return read_batch(
            reader, schema, after, projection.topics, batch_size, projection=projection.name
        )

    with ExitStack() as stack:
        conn = connection or stack.enter_context(database.connect(autocommit=False))
        if not ensure_installed(conn, schema, projection):
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
            except CONNECTION_ERRORS:
                raise  # the database went away: not this projection's fault (infra.outage)
            except Exception as error:
                if not isinstance(error, psycopg.OperationalError):
                    # A lost connection or server is no event's fault: narrowing would only
                    # fail again. Anything else may be one event's value.
                    error = poison.narrow(
                        lambda size: run_batch(conn, schema, projection, size, wait_for_lock),
                        lambda: next_event(conn, schema, projection),
                        batch_size,
                        error,
                    )
                reached = record_failure(conn, schema, projection.name, error)
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
                gc.collect()  # see projections.rebuild.collector_per_batch
            first = start if first is None else first
            events += applied
            batches += 1
            if position == start or applied < batch_size:
                break
    return CatchUp(
        projection.name, first or 0, position, events, batches, time.perf_counter() - began
    )


def record_failure(
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
