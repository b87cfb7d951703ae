"""Writing thousands of events in one transaction with ``COPY`` (ghi hàng loạt), for imports.

The province's recorder (``infra.tenant_store``) sends a batch as four arrays through
``unnest``, which psycopg builds value by value in Python: with thousands of events a batch,
much of an import's time went there (docs/performance.md). This writer
does what the library's recorder does — the same table lock (so notification ids commit in
order), the same ``NOTIFY``, the same chain entries in the same transaction
(``infra.audit.writechain``) — but sends the rows with binary ``COPY``. A row whose aggregate
version already exists fails the unique index as the library's insert would, and is raised as
the library's ``IntegrityError``; nothing of the batch is then written.

``also`` runs in the same transaction (an import's personal-details rows and its progress), so
a batch commits once, not three times. ``durable=False`` lets that commit return before its
WAL reaches the disk (``synchronous_commit = off`` for this transaction only): a crash can then
lose only the last batches whole, never part of one, and the caller's next synchronous commit
flushes them all (WAL is flushed in order). An import may do so because re-running its file
completes it; its final status mark is a normal, synchronous commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg import sql

from infra.application import EVENTS_TABLE, TenantApplication
from infra.audit.writechain import ChainingRecorder, chain_written


def write_events(
    app: TenantApplication,
    aggregates: Sequence[Any],
    also: Callable[[Any], object] | None = None,
    *,
    durable: bool = True,
) -> int:
    """Save the aggregates' pending events in one transaction (with ``also``'s statements);
    the number of events written."""
    mapper = app.mapper
    stored: list[StoredEvent] = []
    for aggregate in aggregates:
        stored.extend(mapper.to_stored_event(event) for event in aggregate.collect_events())
    if not stored and also is None:
        return 0
    recorder = app.recorder
    assert isinstance(recorder, ChainingRecorder)  # the province's recorder (infra.tenant_store)
    schema = sql.Identifier(app.schema)
    events = sql.Identifier(EVENTS_TABLE)
    try:
        # The datastore's connection is a transaction that has taken the province's role.
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            if not durable:
                curs.execute("SET LOCAL synchronous_commit = off")
            if not stored:
                assert also is not None
                also(curs)
                return 0
            recorder._lock_table(curs)  # the library's own steps, as its insert takes them
            recorder._notify_channel(curs)
            row = curs.execute(
                sql.SQL("SELECT COALESCE(MAX(notification_id), 0) AS m FROM {}.{}").format(
                    schema, events
                )
            ).fetchone()
            before = row["m"] if row else 0
            copy = sql.SQL(
                "COPY {}.{} (originator_id, originator_version, topic, state) FROM STDIN"
                " (FORMAT BINARY)"
            ).format(schema, events)
            with curs.copy(copy) as writer:
                writer.set_types(["uuid", "int8", "text", "bytea"])
                for event in stored:
                    writer.write_row(
                        (event.originator_id, event.originator_version, event.topic, event.state)
                    )
            # The table is locked: the ids after ``before`` are this COPY's, given in row order.
            ids = [
                r["notification_id"]
                for r in curs.execute(
                    sql.SQL(
                        "SELECT notification_id FROM {}.{} WHERE notification_id > %s"
                        " ORDER BY notification_id"
                    ).format(schema, events),
                    (before,),
                ).fetchall()
            ]
            if len(ids) != len(stored):
                raise RuntimeError("bulk write: notification ids do not match the rows written")
            if recorder._has_chain(curs):
                chain_written(curs, app.schema, ids, stored, copy=True)
            if also is not None:
                also(curs)
    except psycopg.errors.UniqueViolation as error:  # the datastore translates it already
        raise IntegrityError(error) from error
    if app.on_committed is not None:
        app.on_committed(app.slug)
    return len(stored)
