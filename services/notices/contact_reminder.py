"""The assignee's contact reminder (nhắc liên hệ trước tháng dự sinh hoạt), sent exactly once.

Seed 000: a superior committee member assigned to attend a cell's meeting "chủ động liên hệ
trước với Đảng ủy cơ sở từ thời điểm cuối của tháng trước", so the cell can prepare content and
time (meetings fall on the 1st–5th). From :data:`REMIND_FROM_DAY` of the month before the
assigned month, at 07:00 in Hà Nội, until that month starts, an assignment still ``assigned``
(no contact recorded, not attended, not missed) gets one reminder to its assignee.

The reminder goes the notices' way (:mod:`services.notices.delivery`): one ``notice_outbox``
row with a negative id (the reminders' sequence), whose subject column ``meeting_id`` holds the
*assignment's* id and ``meeting_version`` 0 — the outbox keys a cause by what it is about; here
that is an assignment, not a meeting. The unique index on (subject, cause) among reminders makes
it once per assignment, whatever the ticks, workers or restarts; the delivery is unique per
(cause, recipient), retried with back-off and shown undelivered after the last failure.
An assignment moved to another month keeps its one reminder.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.attendance_plan import AssignmentState, AttendancePlan
from infra.application import TenantApplication
from services.documents.model import VN
from services.notices.headers import Folded, mailbox
from services.notices.message import Notice, domain_of, message_id
from services.notices.reminders import register_rows, write_reminder
from services.security.store import dicts_on_table

log = logging.getLogger(__name__)

CAUSE = "reminder_contact"
REMIND_FROM_DAY = 25
"""Day of the month before from which an assignee without a recorded contact is reminded."""
REMIND_FROM_HOUR = 7


@dataclass(frozen=True, slots=True)
class Visit:
    """What the reminder says: who goes to which cell in which month, under which plan."""

    assignment_id: UUID
    assignee_id: str
    assignee_name: str
    cell_name: str
    month: date
    plan_title: str


def next_month(local: date) -> date:
    return date(local.year + local.month // 12, local.month % 12 + 1, 1)


def window_open(now: datetime) -> date | None:
    """The month whose assignees are reminded at ``now``, or ``None`` outside the window."""
    local = now.astimezone(VN)
    starts = datetime.combine(local.date().replace(day=REMIND_FROM_DAY), time(REMIND_FROM_HOUR), VN)
    return next_month(local.date()) if local >= starts else None


def _open_assignments(app: TenantApplication, month: date) -> list[Any]:
    return register_rows(
        app,
        "sup_assignments",
        "SELECT assignment_id, plan_id FROM {} WHERE month = %s AND NOT unplanned"
        " AND state = 'assigned' AND contacted_on IS NULL ORDER BY assignment_id",
        (month,),
    )


def due(app: TenantApplication, now: datetime) -> int:
    """Write the contact reminders that have come due by ``now``; the number written."""
    month = window_open(now)
    if month is None:
        return 0
    written = 0
    for row in _open_assignments(app, month):
        try:
            plan: AttendancePlan = app.repository.get(row["plan_id"])
        except AggregateNotFoundError:
            continue
        # The register may lag the log: the plan itself says whether contact is still missing.
        found = plan.assignments.get(row["assignment_id"])
        if found is None or found.state is not AssignmentState.ASSIGNED or found.month != month:
            continue
        if write_reminder(app, found.id, 0, CAUSE):
            written += 1
    if written:
        log.info("%s: %d contact reminders written", app.schema, written)
    return written


def visit(app: TenantApplication, assignment_id: UUID) -> Visit:
    """The assignment a contact reminder is about, named for the reader."""
    (row,) = dicts_on_table(
        app,
        "sup_assignments",
        "SELECT a.assignee_id, a.assignee_name, a.cell_id, a.month, a.plan_id"
        " FROM {} AS a WHERE a.assignment_id = %s",
        (assignment_id,),
    )
    plan: Any = app.repository.get(row["plan_id"])
    cell: Any = app.repository.get(row["cell_id"])
    return Visit(
        assignment_id,
        row["assignee_id"],
        row["assignee_name"],
        str(getattr(cell, "name", "chi bộ")),
        row["month"],
        str(getattr(plan, "title", "")),
    )


def body(visit: Visit, name: str) -> str:
    when = f"{visit.month.month:02d}/{visit.month.year}"
    plan = f" ({visit.plan_title})" if visit.plan_title else ""
    vi = (
        f"Kính gửi đồng chí {name},\n\n"
        f"Theo kế hoạch phân công{plan}, đồng chí dự sinh hoạt với {visit.cell_name}"
        f" trong tháng {when}.\n"
        "Đến nay Chibo chưa ghi nhận việc đồng chí liên hệ trước với chi bộ. Đề nghị đồng chí"
        " liên hệ với cấp ủy cơ sở và chi bộ trước khi sang tháng, để chi bộ chủ động chuẩn bị"
        " nội dung, thời gian sinh hoạt (từ mùng 1 đến mùng 5 hằng tháng), và ghi nhận việc"
        " liên hệ trên Chibo («Việc được phân công»).\n"
    )
    en = (
        f"Dear {name},\n\nUnder the attendance plan{plan} you attend the meeting of"
        f" {visit.cell_name} in {when}. No contact with the cell is recorded yet: please"
        " contact its committee before the month starts, so the cell can prepare, and record"
        " the contact in Chibo ('My assignments').\n"
    )
    return f"{vi}\n---\n\n{en}"


def compose(notice: Notice, visit: Visit, sender: str) -> EmailMessage:
    """The reminder e-mail: no ICS, there is no meeting date to put in a calendar yet."""
    msg = EmailMessage()
    msg["From"] = mailbox("Chibo — nhắc việc", sender, "From")
    msg["To"] = mailbox(notice.recipient_name, notice.email, "To")
    when = f"{visit.month.month:02d}/{visit.month.year}"
    msg["Subject"] = Folded(
        "Subject", f"Nhắc liên hệ trước khi dự sinh hoạt tháng {when} — {visit.cell_name}"
    )
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(
        notice.slug, notice.notification_id, notice.recipient, domain_of(sender)
    )
    msg.set_content(body(visit, notice.recipient_name))
    return msg
