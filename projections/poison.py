"""Poison events (sự kiện độc): values a read model cannot store, and the operators' quarantine.

The log is immutable, so an event that a projection cannot apply would stop that projection
for good, and with it every event after it. Three defences, from the most common case:

1. :func:`storable` cleans a stored state before any projection sees it: PostgreSQL ``text``
   cannot hold the NUL character, which JSON can (``\\u0000``); it becomes U+FFFD (the
   replacement character) in the read models, while the log keeps the original.
2. When a batch still fails, the engine narrows it down (smaller batches, each committed) so
   that every event before the culprit is applied and the error names the culprit.
3. An operator may then quarantine (cách ly) that event for that projection with
   ``chibo projections quarantine``: a row with who, why and when, kept beside the
   checkpoints and shown by ``chibo projections status``. The projection reads past it; the
   event stays in the log (and in the audit chain) untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from domain.base import InvalidValue, NotFound
from infra.application import EVENTS_TABLE
from projections import tracking
from projections.base import StoredEventRow, table

_NUL_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")
"""``\\u0000`` preceded by an even number of backslashes: a real escape, not escaped text."""


def storable(state: bytes) -> bytes:
    """The stored JSON state with each NUL character replaced by U+FFFD (see the module)."""
    if b"\\u0000" not in state:
        return state
    return _NUL_ESCAPE.sub(rb"\1\\ufffd", state)


def skipped_clause(schema: str, projection: str) -> sql.Composable:
    """The SQL condition that leaves a projection's quarantined events out of its batches."""
    return sql.SQL(
        "NOT EXISTS (SELECT 1 FROM {q} WHERE q.projection = {p}"
        " AND q.notification_id = e.notification_id)"
    ).format(
        q=sql.SQL("{} AS q").format(table(schema, tracking.QUARANTINE_TABLE)),
        p=sql.Literal(projection),
    )


@dataclass(frozen=True, slots=True)
class Quarantined:
    projection: str
    notification_id: int
    topic: str
    actor: str
    reason: str
    error: str | None


def quarantine(
    conn: psycopg.Connection[Any],
    schema: str,
    projection: str,
    notification_id: int,
    actor: str,
    reason: str,
) -> Quarantined:
    """Record that ``projection`` skips event ``notification_id``; refuse what makes no sense.

    Only an event the projection has not passed yet can be quarantined (one already applied
    is in its tables), and only one of its topics; a reason is required.
    """
    if not reason.strip() or not actor.strip():
        raise InvalidValue(
            "Cần ghi rõ người cách ly và lý do", "an actor and a reason are required"
        )
    from projections.registry import projection_named

    try:
        topics = projection_named(projection).topics
    except KeyError as unknown:
        raise NotFound(unknown.args[0], unknown.args[0]) from None
    row = conn.execute(
        sql.SQL("SELECT topic FROM {} WHERE notification_id = %s").format(
            table(schema, EVENTS_TABLE)
        ),
        (notification_id,),
    ).fetchone()
    if row is None:
        raise NotFound(
            f"Không có sự kiện #{notification_id} trong sổ",
            f"there is no event #{notification_id} in the log",
        )
    if row[0] not in topics:
        raise InvalidValue(
            f"Bảng đọc {projection} không đọc sự kiện #{notification_id} ({row[0]})",
            f"read model {projection} does not read event #{notification_id} ({row[0]})",
        )
    point = tracking.checkpoints(conn, schema).get(projection)
    if point is not None and point.position >= notification_id:
        raise InvalidValue(
            f"Bảng đọc {projection} đã xử lý sự kiện #{notification_id}",
            f"read model {projection} has already applied event #{notification_id}",
        )
    last_error = point.last_error if point is not None else None
    conn.execute(
        sql.SQL(
            "INSERT INTO {} (projection, notification_id, topic, actor, reason, error)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
        ).format(table(schema, tracking.QUARANTINE_TABLE)),
        (projection, notification_id, row[0], actor, reason, last_error),
    )
    return Quarantined(projection, notification_id, row[0], actor, reason, last_error)


def quarantined(conn: psycopg.Connection[Any], schema: str) -> list[Quarantined]:
    rows = conn.execute(
        sql.SQL(
            "SELECT projection, notification_id, topic, actor, reason, error FROM {}"
            " ORDER BY projection, notification_id"
        ).format(table(schema, tracking.QUARANTINE_TABLE))
    ).fetchall()
    return [Quarantined(*r) for r in rows]


class PoisonEvent(Exception):
    """The one event of a failed batch that fails on its own, with the error it raised."""

    def __init__(self, event: StoredEventRow, cause: Exception) -> None:
        super().__init__(f"event #{event.notification_id} ({event.topic})")
        self.event = event
        self.cause = cause


def describe(error: Exception) -> str:
    """The error as status shows it: the cause first, then the event it came from."""
    if isinstance(error, PoisonEvent):
        return f"{type(error.cause).__name__}: {error.cause} [{error}]"
    return f"{type(error).__name__}: {error}"


def narrow(
    run: Callable[[int], tuple[int, int, int] | None],
    next_event: Callable[[], StoredEventRow | None],
    size: int,
    error: Exception,
) -> Exception:
    """After a batch of ``size`` events failed with ``error``: find the culprit.

    ``run(n)`` is the engine's batch of ``n`` events (committed when it succeeds, exactly as
    any smaller batch would be). Halving, the events before the culprit are applied, so one
    bad event holds back nothing before it; the result names the culprit's event.
    """
    try:
        while size > 1:
            half = size // 2
            try:
                done = run(half)
            except Exception as smaller:
                size, error = half, smaller
                continue
            if done is None or done[2] < half:
                return error  # busy, or the failure did not come back: keep the batch's
            size -= half
        run(1)
    except Exception as single:
        error = single
    else:
        return error
    culprit = next_event()
    return error if culprit is None else PoisonEvent(culprit, error)
