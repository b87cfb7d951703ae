"""At the end of the month before, an assignee who has recorded no contact is reminded, once.

Seed 000: the assigned superior contacts the cell "từ thời điểm cuối của tháng trước". The
worker's step (:func:`services.notices.delivery.run_once`) is given the clock; messages arrive
at a real SMTP server (aiosmtpd) and are parsed back.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from psycopg import sql

from domain.attendance_plan import Assignee, AssigneeRole
from domain.base import SYSTEM
from infra import contacts
from services.notices import contact_reminder, delivery
from services.security.store import rows_of
from services.supervision import attendance
from tests.e2e.mail import text_of
from tests.e2e.test_meetings_api import base, build_cell, ok
from tests.e2e.test_reminders_smtp import caught_up

pytestmark = pytest.mark.e2e

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def person(key: str, name: str) -> Assignee:
    return Assignee(key, name, AssigneeRole.COMMITTEE_MEMBER, "Đảng ủy viên")


def cell_and_plan(client, tenant, app, officials: int, title: str):
    """A cell of ``officials`` members and its committee's attendance plan for 2026:
    (the cell, its committee, the plan)."""
    cell, _, _ = build_cell(client, tenant, officials, 0)
    committee = ok(client.get(f"{base(tenant)}/units/{cell}"), 200)["parent_id"]
    plan, _ = attendance.make_plan(
        app, SYSTEM, committee_id=UUID(committee), year=2026, quarter=None, title=title
    )
    return cell, committee, plan


def test_an_assignee_without_a_recorded_contact_is_reminded_once(client, tenant, container, inbox):
    handler, mailer = inbox
    app = container.applications.get(tenant.slug)
    cell, committee, plan = cell_and_plan(client, tenant, app, 2, "Kế hoạch 2026")
    lan, hung, mai = (
        person("uv-lan", "Nguyễn Thị Lan"),
        person("uv-hung", "Trần Văn Hùng"),
        person("uv-mai", "Lê Thị Mai"),
    )
    next_year, _ = attendance.make_plan(
        app, SYSTEM, committee_id=UUID(committee), year=2027, quarter=None, title="Kế hoạch 2027"
    )
    december = date(2026, 12, 1)
    assigned = {}
    for who, month, in_plan in (
        (lan, december, plan),
        (hung, december, plan),
        (mai, date(2027, 1, 1), next_year),
    ):
        _, assignment_id, _ = attendance.assign(
            app, SYSTEM, plan_id=in_plan.id, assignee=who, cell_id=UUID(cell), month=month
        )
        assigned[who.assignee_id] = assignment_id
        contacts.save(
            app, contacts.Contact("assignee", who.assignee_id, f"{who.assignee_id}@x.example", None)
        )
    # Hùng has already called the cell: nothing to remind him of.
    attendance.record_contact(
        app,
        SYSTEM,
        plan_id=plan.id,
        assignment_id=assigned["uv-hung"],
        on=date(2026, 11, 20),
        note="Đã gọi điện cho đồng chí bí thư",
    )
    caught_up(container, tenant)

    # Before the 25th at 07:00, nothing; from then on, one reminder, to Lan only.
    assert delivery.run_once(app, mailer, now=vn(11, 24, 20)) == (0, 0)
    assert delivery.run_once(app, mailer, now=vn(11, 25, 6, 59)) == (0, 0)
    assert delivery.run_once(app, mailer, now=vn(11, 25, 7, 1)) == (1, 1)
    for later in (vn(11, 25, 7, 2), vn(11, 28, 9), vn(11, 30, 23, 59)):
        assert delivery.run_once(app, mailer, now=later) == (0, 0)
    # The month has begun: too late to remind of the contact before it.
    assert delivery.run_once(app, mailer, now=vn(12, 2, 9)) == (0, 0)

    (message,) = handler.to("uv-lan@x.example")
    assert message["Subject"] == (
        "Nhắc liên hệ trước khi dự sinh hoạt tháng 12/2026 — Chi bộ Kỹ thuật"
    )
    body = text_of(message)
    assert "Kính gửi đồng chí Nguyễn Thị Lan" in body
    assert "Theo kế hoạch phân công (Kế hoạch 2026)" in body
    assert "chưa ghi nhận việc đồng chí liên hệ trước với chi bộ" in body
    assert not [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert not handler.to("uv-hung@x.example")
    assert not handler.to("uv-mai@x.example")  # her month is January: December's end

    # January's assignee is reminded at the end of December, and the message ids never repeat.
    assert delivery.run_once(app, mailer, now=vn(12, 26, 8)) == (1, 1)
    assert len(handler.to("uv-mai@x.example")) == 1
    assert set(Counter(m["Message-ID"] for _, m in handler.messages).values()) == {1}


def test_a_failed_reminder_is_retried_then_undelivered(client, tenant, container, inbox):
    handler, mailer = inbox
    app = container.applications.get(tenant.slug)
    cell, _, plan = cell_and_plan(client, tenant, app, 1, "Kế hoạch")
    who = person("uv-vo", "Võ Văn Vọng")
    attendance.assign(
        app, SYSTEM, plan_id=plan.id, assignee=who, cell_id=UUID(cell), month=date(2026, 12, 1)
    )
    contacts.save(app, contacts.Contact("assignee", "uv-vo", "vo@x.example", None))
    handler.refuse.add("vo@x.example")
    caught_up(container, tenant)
    assert contact_reminder.due(app, vn(11, 26, 9)) == 1
    assert contact_reminder.due(app, vn(11, 27, 9)) == 0  # once, whatever the ticks
    assert delivery.expand(app, mailer.sender) == 1
    assert delivery.deliver(app, mailer) == 0
    (row,) = reminder_rows(app)
    assert row["status"] == "pending"
    assert row["attempts"] == 1
    assert "550" in row["last_error"]
    for _ in delivery.BACKOFF:  # each retry made due at once, instead of waiting
        rows_of(
            app,
            sql.SQL("UPDATE {} SET next_attempt_at = now() WHERE cause = %s").format(
                sql.Identifier(tenant.schema, "notice_deliveries")
            ),
            (contact_reminder.CAUSE,),
        )
        assert delivery.deliver(app, mailer) == 0
    (row,) = reminder_rows(app)
    assert row["status"] == "undelivered"
    assert row["attempts"] == len(delivery.BACKOFF) + 1
    assert not handler.messages


def reminder_rows(app):
    return rows_of(
        app,
        sql.SQL("SELECT status, attempts, last_error FROM {} WHERE cause = %s").format(
            sql.Identifier(app.schema, "notice_deliveries")
        ),
        (contact_reminder.CAUSE,),
    )
