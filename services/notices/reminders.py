"""Reminders (nhắc việc) written into the notice outbox by the worker's tick, each exactly once.

An invitation is caused by an event (scheduled, rescheduled, cancelled); a reminder is caused by
the calendar. The worker's ``deliver_notices`` step (woken by the tick every half minute) calls
:func:`due` first, which writes one outbox row per reminder that has come due; the rows then go
the invitations' way (expanded per recipient, claimed, sent, retried, recorded).

- **Papers not yet read, the day before** (``reminder_papers``, nhắc đọc tài liệu): from
  :data:`REMIND_FROM_HOUR` on the calendar day before a meeting (Asia/Ho_Chi_Minh), a meeting
  that is neither cancelled nor opened and has papers posted gets a reminder; the expansion
  addresses it to the members expected who have opened none of the papers at that moment.
  A meeting without papers gets none: there is nothing to read.

Exactly once: a reminder's outbox row has a negative ``notification_id`` (from its own sequence:
event positions are positive, so the two never meet) and a unique index on (meeting, cause)
among reminders, so a second tick, a second worker or a rescheduled meeting adds nothing; the
deliveries are unique per (cause, recipient) as for invitations.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any, LiteralString
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from psycopg import errors, sql

from domain.meeting import Meeting
from infra.application import TenantApplication
from infra.outbox import OUTBOX, REMINDER_IDS
from services.documents.model import VN
from services.notices.message import REMINDER_PAPERS
from services.papers.commands import find as find_papers
from services.security.store import rows_of, table

log = logging.getLogger(__name__)

PAPERS = REMINDER_PAPERS
REMIND_FROM_HOUR = 7
"""Not before 07:00 in Hà Nội on the day before: nobody is woken at midnight."""


def _meetings_tomorrow(app: TenantApplication, now: datetime) -> list[UUID]:
    """Meetings whose start falls on the next calendar day in Hà Nội (from the register)."""
    local = now.astimezone(VN)
    if local.hour < REMIND_FROM_HOUR:
        return []
    start = datetime.combine(local.date() + timedelta(days=1), time(0), VN)
    rows = register_rows(
        app,
        "meetings",
        "SELECT id FROM {} WHERE scheduled_at >= %s AND scheduled_at < %s"
        " AND started_at IS NULL ORDER BY scheduled_at, id",
        (start, start + timedelta(days=1)),
    )
    return [row["id"] for row in rows]


def register_rows(
    app: TenantApplication, name: str, statement: LiteralString, params: tuple[Any, ...]
) -> list[Any]:
    """``statement`` (its ``{}`` the read model's table ``name``): its rows, none on a bare
    schema that has no such table yet."""
    with app.datastore.transaction(commit=False) as cursor:
        try:
            cursor.execute(sql.SQL(statement).format(table(app, name)), params)
        except errors.UndefinedTable:
            return []
        return list(cursor.fetchall())


def write_reminder(app: TenantApplication, subject_id: UUID, version: int, cause: str) -> bool:
    """One reminder row for (subject, cause), unless there is one already; whether it was."""
    written = rows_of(
        app,
        sql.SQL(
            "INSERT INTO {} (notification_id, meeting_id, meeting_version, cause)"
            " VALUES (-nextval(%s::regclass), %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1"
        ).format(table(app, OUTBOX)),
        (f'"{app.schema}"."{REMINDER_IDS}"', subject_id, version, cause),
    )
    return bool(written)


def due(app: TenantApplication, now: datetime) -> int:
    """Write the reminders that have come due by ``now``; the number written."""
    written = 0
    start_of_tomorrow = datetime.combine(now.astimezone(VN).date() + timedelta(days=1), time(0), VN)
    for meeting_id in _meetings_tomorrow(app, now):
        try:
            meeting: Meeting = app.repository.get(meeting_id)
        except AggregateNotFoundError:
            continue
        # The register may lag the log: check the meeting itself.
        starts = meeting.scheduled_at
        if meeting.is_cancelled or meeting.started_at is not None:
            continue
        if not start_of_tomorrow <= starts < start_of_tomorrow + timedelta(days=1):
            continue
        papers = find_papers(app, meeting_id)
        if papers is None or not papers.papers:
            continue
        if write_reminder(app, meeting.id, meeting.version, PAPERS):
            written += 1
    if written:
        log.info("%s: %d reminders of papers written", app.schema, written)
    return written
