"""The day-before reminder reaches, once, the members who have not opened the meeting's papers.

The worker's step (:func:`services.notices.delivery.run_once`, called by the ``deliver_notices``
actor that the tick wakes) is given the clock; the messages arrive at a real SMTP server
(aiosmtpd) and are parsed back.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.user import Role
from projections import engine
from projections.registry import all_projections
from services.notices import delivery
from tests.e2e.auth_helpers import bearer, token
from tests.e2e.mail import address, schedule, text_of
from tests.e2e.test_meeting_papers_api import PDF, papers_url, upload_raw
from tests.e2e.test_meetings_api import base, build_cell, ok, post

pytestmark = pytest.mark.e2e

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2026, 12, 18, 7, 30, tzinfo=UTC)  # 14:30 on 18/12/2026 in Hà Nội


def caught_up(container, tenant) -> None:
    for done in engine.catch_up_all(container.database, tenant.schema, all_projections()):
        assert done.error is None, done.error


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=VN)


def test_the_day_before_those_who_have_not_opened_the_papers_are_reminded_once(
    client, tenant, container, cell, inbox
):
    cell_id, members = cell
    handler, mailer = inbox
    app = container.applications.get(tenant.slug)
    meeting, _ = schedule(client, tenant, cell_id, AT)
    paper = ok(upload_raw(client, tenant, meeting, PDF, "bao-cao-thang.pdf"))
    reader = bearer(token(container, tenant.slug, Role.MEMBER, scope=cell_id, member_id=members[2]))
    file_url = f"{papers_url(tenant, meeting)}/{paper['paper_id']}/file"
    assert client.get(file_url, headers=reader).status_code == 200
    # A meeting of another cell the same day, without papers: nothing to remind of.
    other_cell, officials, _ = build_cell(client, tenant, 2, 0, name="Chi bộ Văn phòng")
    ok(
        client.post(
            f"{base(tenant)}/members/{officials[0]}/contact", json={"email": "vp@x.example"}
        )
    )
    schedule(client, tenant, other_cell, AT)
    caught_up(container, tenant)

    # The invitations only: two days before, and at 06:30 on the day before.
    assert delivery.run_once(app, mailer, now=vn(16, 20)) == (2, 6)
    assert delivery.run_once(app, mailer, now=vn(17, 6, 30)) == (0, 0)
    # From 07:00 on the day before: the four members who have opened nothing (one has no
    # address: recorded undelivered), not the one who read, nor the other cell.
    assert delivery.run_once(app, mailer, now=vn(17, 7, 5)) == (1, 3)
    assert delivery.run_once(app, mailer, now=vn(17, 7, 6)) == (0, 0)
    assert delivery.run_once(app, mailer, now=vn(17, 23, 50)) == (0, 0)

    reminded = [m for _, m in handler.messages if m["Subject"].startswith("Nhắc")]
    assert sorted(str(m["To"]).rsplit("<")[1].rstrip(">") for m in reminded) == [
        address(0),
        address(1),
        address(3),
    ]
    first = next(m for m in reminded if address(0) in str(m["To"]))
    assert (
        first["Subject"]
        == "Nhắc đọc tài liệu sinh hoạt chi bộ thường kỳ tháng 12/2026 — Chi bộ Kỹ thuật"
    )
    body = text_of(first)
    assert "Kính gửi đồng chí Đảng viên số 1" in body
    assert "lúc 14 giờ 30 phút, ngày 18/12/2026 tại Nhà văn hóa thôn Một" in body
    assert "chưa mở tài liệu nào" in body
    assert not [p for p in first.walk() if p.get_content_type() == "text/calendar"]
    assert len(handler.to(address(2))) == 1  # the invitation only: that member has read

    notices = ok(client.get(f"{base(tenant)}/meetings/{meeting}/notices"), 200)
    causes = Counter((n["cause"], n["status"]) for n in notices["notices"])
    assert causes[("reminder_papers", "sent")] == 3
    assert causes[("reminder_papers", "undelivered")] == 1  # the member without an address

    # Moved to the next day: the meeting's reminder has gone; a second one would be twice.
    later = AT + timedelta(days=1)
    post(client, tenant, meeting, "reschedule", {"scheduled_at": later.isoformat(), "place": "X"})
    caught_up(container, tenant)
    assert delivery.run_once(app, mailer, now=vn(18, 9)) == (1, 5)  # the change of schedule
    ids = Counter(m["Message-ID"] for _, m in handler.messages)
    assert set(ids.values()) == {1}
    per_person = Counter(
        str(m["To"]) for _, m in handler.messages if m["Subject"].startswith("Nhắc")
    )
    assert set(per_person.values()) == {1}


def test_a_cancelled_or_opened_meeting_gets_no_reminder(client, tenant, container, cell, inbox):
    cell_id, _ = cell
    handler, mailer = inbox
    app = container.applications.get(tenant.slug)
    meeting, _ = schedule(client, tenant, cell_id, AT)
    ok(upload_raw(client, tenant, meeting, PDF, "bao-cao-thang.pdf"))
    post(client, tenant, meeting, "cancel", {"reason": "Bão số 5"})
    caught_up(container, tenant)
    assert delivery.run_once(app, mailer, now=vn(17, 8)) == (2, 10)  # invitation, cancellation
    assert not [m for _, m in handler.messages if m["Subject"].startswith("Nhắc")]
