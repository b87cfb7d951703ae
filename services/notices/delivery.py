"""Delivering notices from the outbox (gửi thông báo): expand each cause, send, record.

Two steps, each safe to run twice or in two workers at once:

1. :func:`expand` turns each new ``notice_outbox`` row into one ``notice_deliveries`` row per
   recipient — the cell's members expected at the meeting, the superior committee member
   assigned to attend that month, the committee that follows the cell — unique per (cause,
   recipient), and marks the cause expanded in the same transaction. A recipient without an
   e-mail address is recorded undelivered at once, so the secretary sees who was not told.
   A reminder's cause (:mod:`services.notices.reminders`, written by the tick) goes to those
   it concerns instead: the day before a meeting, the members who have not opened its papers;
   at the end of the month before an assigned visit, the assignee who has recorded no contact
   (:mod:`services.notices.contact_reminder`, whose cause is about an assignment).
2. :func:`deliver` claims due rows (``FOR UPDATE SKIP LOCKED``), sends each over SMTP and
   records the outcome. A failure is retried after 1, 2, 4 and 8 minutes, then recorded
   undelivered. A row claimed by a worker that died (sent or not) is claimed again after
   :data:`STALE_CLAIM`; the resent message has the same ``Message-ID``.

At the SMTP boundary delivery is at least once: nothing can tell whether a server accepted a
message when the worker died before recording it. Everything before that boundary is exactly
once, by the unique keys and the claims.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from psycopg import sql

from domain.meeting import Meeting
from domain.member import Member
from domain.org_unit import OrgUnit
from infra import contacts
from infra.application import TenantApplication
from infra.outbox import DELIVERIES, OUTBOX
from services.documents.model import VN
from services.notices import contact_reminder, reminders
from services.notices.message import Notice, compose, domain_of, message_id
from services.papers.receipts import expected_members, not_yet_read
from services.security.store import dicts_on_table, rows_of, table

log = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8))
"""The waits before each retry; after the last retry fails the notice is undelivered."""
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Mailer:
    """SMTP settings (``CHIBO_SMTP_*``): a real server in production, a local capture in the demo."""

    host: str
    port: int = 25
    sender: str = "chibo@localhost"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 20.0

    def send(self, message: Any) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


@dataclass(frozen=True, slots=True)
class Recipient:
    key: str
    name: str
    email: str | None


def meeting_at(app: TenantApplication, meeting_id: UUID, version: int) -> Meeting:
    """The meeting as the cause left it (a later reschedule is its own cause)."""
    meeting: Meeting = app.repository.get(meeting_id, version=version)
    return meeting


def name_of(app: TenantApplication, aggregate_id: UUID | None, default: str) -> str:
    if aggregate_id is None:
        return default
    try:
        found: Any = app.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return default
    if isinstance(found, Member):
        return found.full_name
    return str(getattr(found, "name", default))


def _members(app: TenantApplication, member_ids: list[UUID]) -> list[Recipient]:
    members = [str(m) for m in member_ids]
    found = contacts.find_many(app, "member", members)
    return [
        Recipient(
            f"member:{m}",
            name_of(app, UUID(m), "đảng viên"),
            found[m].email if m in found else None,
        )
        for m in members
    ]


def unread_recipients(app: TenantApplication, meeting: Meeting) -> list[Recipient]:
    """The day-before reminder's: members expected who have opened none of the papers yet."""
    unread = not_yet_read(app, meeting)
    return _members(app, [m for m in expected_members(app, meeting) if m in unread])


def assignee_recipient(app: TenantApplication, assignment_id: UUID) -> Recipient:
    """The contact reminder's: the assignee of the assignment, at the address kept for them."""
    visit = contact_reminder.visit(app, assignment_id)
    contact = contacts.find(app, "assignee", visit.assignee_id)
    return Recipient(
        f"assignee:{visit.assignee_id}", visit.assignee_name, contact.email if contact else None
    )


def recipients(app: TenantApplication, meeting: Meeting) -> list[Recipient]:
    people = _members(app, expected_members(app, meeting))
    month = meeting.scheduled_at.astimezone(VN).date().replace(day=1)
    try:
        assigned = dicts_on_table(
            app,
            "sup_assignments",
            "SELECT DISTINCT assignee_id, assignee_name FROM {} WHERE cell_id = %s"
            " AND month = %s AND NOT unplanned AND state <> 'missed'",
            (meeting.cell_id, month),
        )
    except Exception:  # the supervision read model may not be installed in a bare schema
        log.warning("no supervision read model in %s; assignees not invited", app.schema)
        assigned = []
    for row in assigned:
        contact = contacts.find(app, "assignee", row["assignee_id"])
        people.append(
            Recipient(
                f"assignee:{row['assignee_id']}",
                row["assignee_name"],
                contact.email if contact else None,
            )
        )
    cell: Any = app.repository.get(meeting.cell_id)
    parent_id = cell.parent_id if isinstance(cell, OrgUnit) else None
    if parent_id is not None:
        contact = contacts.find(app, "unit", str(parent_id))
        people.append(
            Recipient(
                f"unit:{parent_id}",
                name_of(app, parent_id, "cấp ủy cấp trên"),
                contact.email if contact else None,
            )
        )
    return people


def expand(app: TenantApplication, sender: str, limit: int = 100) -> int:
    """Expand new causes into deliveries; the number of causes expanded."""
    pending = dicts_on_table(
        app,
        OUTBOX,
        "SELECT notification_id, meeting_id, meeting_version, cause FROM {}"
        " WHERE expanded_at IS NULL ORDER BY notification_id LIMIT %s",
        (limit,),
    )
    done = 0
    for cause in pending:
        if cause["cause"] == contact_reminder.CAUSE:  # about an assignment, not a meeting
            people = [assignee_recipient(app, cause["meeting_id"])]
        elif cause["cause"] == reminders.PAPERS:
            people = unread_recipients(
                app, meeting_at(app, cause["meeting_id"], cause["meeting_version"])
            )
        else:
            people = recipients(app, meeting_at(app, cause["meeting_id"], cause["meeting_version"]))
        with app.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                sql.SQL(
                    "SELECT 1 FROM {} WHERE notification_id = %s AND expanded_at IS NULL"
                    " FOR UPDATE SKIP LOCKED"
                ).format(table(app, OUTBOX)),
                (cause["notification_id"],),
            )
            if cursor.fetchone() is None:
                continue  # another worker has it
            for person in people:
                cursor.execute(
                    sql.SQL(
                        "INSERT INTO {} (notification_id, meeting_id, meeting_version, cause,"
                        " recipient, recipient_name, email, status, last_error, message_id)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                        " ON CONFLICT (notification_id, recipient) DO NOTHING"
                    ).format(table(app, DELIVERIES)),
                    (
                        cause["notification_id"],
                        cause["meeting_id"],
                        cause["meeting_version"],
                        cause["cause"],
                        person.key,
                        person.name,
                        person.email,
                        "pending" if person.email else "undelivered",
                        None if person.email else "no e-mail address / chưa có địa chỉ e-mail",
                        message_id(
                            app.slug, cause["notification_id"], person.key, domain_of(sender)
                        ),
                    ),
                )
            cursor.execute(
                sql.SQL("UPDATE {} SET expanded_at = now() WHERE notification_id = %s").format(
                    table(app, OUTBOX)
                ),
                (cause["notification_id"],),
            )
            done += 1
    return done


def claim(app: TenantApplication, limit: int, stale: timedelta = STALE_CLAIM) -> list[Any]:
    return rows_of(
        app,
        sql.SQL(
            "UPDATE {d} SET status = 'sending', claimed_at = now(), attempts = attempts + 1"
            " WHERE id IN (SELECT id FROM {d} WHERE email IS NOT NULL AND ("
            "  (status = 'pending' AND next_attempt_at <= now())"
            "  OR (status = 'sending' AND claimed_at < now() - %s))"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)"
            " RETURNING id, notification_id, meeting_id, meeting_version, cause, recipient,"
            " recipient_name, email, attempts"
        ).format(d=table(app, DELIVERIES)),
        (stale, limit),
    )


def record_sent(app: TenantApplication, delivery_id: int) -> None:
    dicts_on_table(
        app,
        DELIVERIES,
        "UPDATE {} SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = %s",
        (delivery_id,),
    )


def record_failure(app: TenantApplication, delivery_id: int, attempts: int, error: str) -> None:
    retry = attempts <= len(BACKOFF)
    dicts_on_table(
        app,
        DELIVERIES,
        "UPDATE {} SET status = %s, last_error = %s, next_attempt_at = now() + %s WHERE id = %s",
        (
            "pending" if retry else "undelivered",
            error[:500],
            BACKOFF[attempts - 1] if retry else timedelta(0),
            delivery_id,
        ),
    )


def deliver(
    app: TenantApplication, mailer: Mailer, limit: int = 50, stale: timedelta = STALE_CLAIM
) -> int:
    """Send what is due; the number sent."""
    sent = 0
    cells: dict[UUID, str] = {}
    for row in claim(app, limit, stale):
        notice = Notice(
            app.slug,
            row["notification_id"],
            row["cause"],
            row["recipient"],
            row["recipient_name"],
            row["email"],
        )
        if row["cause"] == contact_reminder.CAUSE:
            visit = contact_reminder.visit(app, row["meeting_id"])
            message = contact_reminder.compose(notice, visit, mailer.sender)
        else:
            meeting = meeting_at(app, row["meeting_id"], row["meeting_version"])
            if meeting.cell_id not in cells:
                cells[meeting.cell_id] = name_of(app, meeting.cell_id, "Chi bộ")
            message = compose(notice, meeting, cells[meeting.cell_id], mailer.sender)
        try:
            mailer.send(message)
        except (smtplib.SMTPException, OSError) as error:
            log.warning("notice %s to %s failed: %s", row["id"], row["recipient"], error)
            record_failure(app, row["id"], row["attempts"], f"{type(error).__name__}: {error}")
            continue
        record_sent(app, row["id"])
        sent += 1
    return sent


def run_once(
    app: TenantApplication, mailer: Mailer, now: datetime | None = None
) -> tuple[int, int]:
    """Write the reminders now due, expand, then send: what the worker's actor does for a
    province (``now``: the clock, for tests)."""
    at = now or datetime.now(UTC)
    reminders.due(app, at)
    contact_reminder.due(app, at)
    return expand(app, mailer.sender), deliver(app, mailer)


def statuses(app: TenantApplication, meeting_id: UUID) -> list[Any]:
    """Every notice of a meeting with its outcome (who was not reached, and why)."""
    return dicts_on_table(
        app,
        DELIVERIES,
        "SELECT cause, recipient, recipient_name, email IS NOT NULL AS has_email, status,"
        " attempts, sent_at, next_attempt_at, last_error, message_id FROM {}"
        " WHERE meeting_id = %s ORDER BY notification_id, recipient_name",
        (meeting_id,),
    )
