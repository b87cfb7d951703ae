"""The notice outbox (hộp thư đi): causes of notices, written in the command's own transaction.

When a meeting is scheduled, rescheduled or cancelled, people must be told, exactly once per
person and cause. The recorder that inserts the province's events (:class:`OutboxRecorder`,
the audit chain's recorder extended) also inserts one ``notice_outbox`` row per such event,
in the same transaction: the event and its cause commit together or not at all, so no crash
between the two can lose a notice or invent one.

A worker (``services.notices.delivery``) then expands each cause into one
``notice_deliveries`` row per recipient — unique per (cause, recipient), so a redelivered
message or a second worker adds nothing — and sends them, recording each outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from domain.meeting import Meeting
from infra.audit.writechain import ChainingRecorder

OUTBOX = "notice_outbox"
DELIVERIES = "notice_deliveries"
REMINDER_IDS = "notice_reminder_ids"
"""The sequence of reminders' causes, stored negated: event positions are positive."""
CAUSES = {
    get_topic(Meeting.Scheduled): "scheduled",
    get_topic(Meeting.Rescheduled): "rescheduled",
    get_topic(Meeting.Cancelled): "cancelled",
}
"""Event topic → the cause of a notice it creates."""

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.notice_outbox (notification_id bigint PRIMARY KEY,"
    " meeting_id uuid NOT NULL, meeting_version int NOT NULL, cause text NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now(), expanded_at timestamptz)",
    "CREATE INDEX IF NOT EXISTS notice_outbox_pending ON {s}.notice_outbox (notification_id)"
    " WHERE expanded_at IS NULL",
    # status: pending → sending → sent; a failure goes back to pending with a later
    # next_attempt_at, and after the last retry to undelivered.
    "CREATE TABLE IF NOT EXISTS {s}.notice_deliveries (id bigserial PRIMARY KEY,"
    " notification_id bigint NOT NULL, meeting_id uuid NOT NULL, meeting_version int NOT NULL,"
    " cause text NOT NULL,"
    " recipient text NOT NULL, recipient_name text NOT NULL, email text,"
    " status text NOT NULL DEFAULT 'pending', attempts int NOT NULL DEFAULT 0,"
    " next_attempt_at timestamptz NOT NULL DEFAULT now(), claimed_at timestamptz,"
    " sent_at timestamptz, message_id text NOT NULL, last_error text,"
    " UNIQUE (notification_id, recipient))",
    "CREATE INDEX IF NOT EXISTS notice_deliveries_due ON {s}.notice_deliveries"
    " (next_attempt_at) WHERE status IN ('pending', 'sending')",
    "CREATE INDEX IF NOT EXISTS notice_deliveries_meeting ON {s}.notice_deliveries (meeting_id)",
    # Reminders (services.notices.reminders): caused by the calendar, once per meeting and kind.
    "CREATE SEQUENCE IF NOT EXISTS {s}.notice_reminder_ids",
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_outbox_reminder_once ON {s}.notice_outbox"
    " (meeting_id, cause) WHERE notification_id < 0",
)


def install_outbox(conn: psycopg.Connection[Any], schema: str) -> None:
    """Schema part (idempotent), before the tenant role."""
    for statement in DDL:
        conn.execute(sql.SQL(statement).format(s=sql.Identifier(schema)))


class OutboxRecorder(ChainingRecorder):
    """The chaining recorder, which also writes the outbox rows of the events it inserts."""

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        causes = [
            (nid, event.originator_id, event.originator_version, CAUSES[event.topic])
            for nid, event in zip(ids or (), stored_events, strict=False)
            if event.topic in CAUSES
        ]
        # The library's own test suites have no outbox table.
        if causes and self._has_table(curs, OUTBOX):
            curs.executemany(
                sql.SQL(
                    "INSERT INTO {} (notification_id, meeting_id, meeting_version, cause)"
                    " VALUES (%s, %s, %s, %s)"
                ).format(sql.Identifier(self.datastore.schema, OUTBOX)),
                causes,
            )
        return ids
