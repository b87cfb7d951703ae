"""Time travel (tra cứu theo thời điểm): any aggregate as of a date, an instant or a log position.

The state at a log position is the fold of the stream's events with a notification id at or
below it; at an instant, of those whose stored timestamp is before it (timestamps rise with
versions within a stream). Events are decoded by the application's own mapper and applied by
their own ``mutate``, exactly as the repository does, so the answer is what the write side saw
then. One indexed read of the stream per question: a stream of 1,000 events answers in a few
milliseconds (bench/audit.py measures it).

A bare date means the end of that day in Vietnam (UTC+7), the day an inspector means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import StoredEvent
from psycopg import sql

from domain.base import NotFound
from infra.application import EVENTS_TABLE, TenantApplication

VIETNAM = timezone(timedelta(hours=7), "ICT")
NEVER = 2**63


class NothingAtThatTime(NotFound):
    """The aggregate did not exist yet at the requested point."""

    code = "nothing_at_that_time"


@dataclass(frozen=True, slots=True)
class AsOf:
    """An aggregate as it stood at a point of the log."""

    aggregate_id: UUID
    aggregate_type: str
    version: int
    position: int
    """Notification id of the event that produced this version."""
    recorded_at: datetime
    state: dict[str, Any]
    latest_version: int


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in Vietnam time (comparisons use ``<``)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIETNAM)


def instant(value: date | datetime) -> datetime:
    """The exclusive upper bound meant by an as-of value."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=VIETNAM)
        return moment + timedelta(microseconds=1)
    return end_of_day(value)


def aggregate_as_of(
    app: TenantApplication,
    aggregate_id: UUID,
    *,
    position: int | None = None,
    at: date | datetime | None = None,
    version: int | None = None,
) -> AsOf:
    """The aggregate at a log position, an instant/date, or a version (the tightest wins)."""
    before = instant(at) if at is not None else None
    top_position = position if position is not None else NEVER - 1
    top_version = version if version is not None else NEVER - 1
    # Only the events up to the point travel; the stream's latest version comes along once.
    query = sql.SQL(
        "SELECT originator_version, notification_id, topic, state,"
        " (SELECT max(originator_version) FROM {0} WHERE originator_id = %(id)s) AS latest"
        " FROM {0} WHERE originator_id = %(id)s AND notification_id <= %(position)s"
        " AND originator_version <= %(version)s ORDER BY originator_version"
    ).format(sql.Identifier(app.schema, EVENTS_TABLE))
    params = {"id": aggregate_id, "position": top_position, "version": top_version}
    datastore = app.datastore
    with datastore.get_connection() as conn, conn.cursor(binary=True) as cur:
        rows = cur.execute(query, params).fetchall()
        if (
            not rows
            and cur.execute(
                sql.SQL("SELECT 1 FROM {} WHERE originator_id = %s LIMIT 1").format(
                    sql.Identifier(app.schema, EVENTS_TABLE)
                ),
                (aggregate_id,),
            ).fetchone()
            is None
        ):
            raise NotFound("Không tìm thấy bản ghi", "no such aggregate", id=str(aggregate_id))
    # One read of the stream, folded until the first event past the point asked for (the
    # repository would read it again, and check every event against a runtime Protocol).
    aggregate: Any = None
    reached = 0
    for row in rows:
        event: Any = app.mapper.to_domain_event(
            StoredEvent(aggregate_id, row["originator_version"], row["topic"], row["state"])
        )
        if before is not None and event.timestamp >= before:
            break
        aggregate = event.mutate(aggregate)
        reached = row["notification_id"]
    if aggregate is None:
        raise NothingAtThatTime(
            "Bản ghi chưa tồn tại vào thời điểm này",
            "the aggregate did not exist yet at that point",
            id=str(aggregate_id),
        )
    return AsOf(
        aggregate_id=aggregate_id,
        aggregate_type=type(aggregate).__qualname__,
        version=aggregate.version,
        position=reached,
        recorded_at=aggregate.modified_on,
        state=public_state(aggregate),
        latest_version=int(rows[0]["latest"]),
    )


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's fold without its per-event ``isinstance`` against a runtime Protocol,
    which on Python 3.11 costs more than the rest of a 1,000-event replay put together."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def public_state(aggregate: object) -> dict[str, Any]:
    """The aggregate's attributes as JSON-ready values, without the library's private ones."""
    values = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    state: dict[str, Any] = msgspec.to_builtins(_keyed(values), str_keys=True, enc_hook=_plain)
    return state


def _plain(value: Any) -> Any:
    """A value msgspec does not know (a meeting's ``Motion``, a plain class): its public
    attributes, so a meeting's state as of a point is shown, not a 500."""
    if hasattr(value, "__dict__"):
        return _keyed({k: v for k, v in vars(value).items() if not k.startswith("_")})
    slots = getattr(type(value), "__slots__", ())
    if slots:
        return _keyed({k: getattr(value, k) for k in slots if hasattr(value, k)})
    return str(value)


def _keyed(value: Any) -> Any:
    """Dicts whose keys JSON cannot hold as they are (a member's noted months are keyed by
    ``(kind, month)``) get text keys, ``dues_unpaid/2025-03-01``; the rest is unchanged."""
    if isinstance(value, dict):
        return {_key(k): _keyed(v) for k, v in value.items()}
    if isinstance(value, list | tuple) and any(isinstance(v, dict | list | tuple) for v in value):
        return [_keyed(v) for v in value]
    return value


def _key(key: Any) -> Any:
    if isinstance(key, tuple):
        return "/".join(str(getattr(part, "value", part)) for part in key)
    return key
