"""The notices pages: a member's notices and calendar feed, the secretary's undelivered list.

A meeting is scheduled over the API and its invitations sent by the worker's step to a real
SMTP server (aiosmtpd); then the pages are read as the people concerned, signed in through the
login form, and the calendar feed made on the page is fetched as a calendar app does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from litestar.testing import TestClient

from domain.base import SYSTEM
from domain.user import Role
from infra import contacts
from services.app import create_app
from services.identity import auth
from services.notices import delivery
from tests.e2e.auth_helpers import bearer, token
from tests.e2e.test_reminders_smtp import caught_up
from tests.e2e.web_helpers import KEY, PASSWORD, build_cell, csrf_of, make_user, sign_in

pytestmark = pytest.mark.e2e

AT = datetime(2026, 12, 18, 7, 30, tzinfo=UTC)  # 14:30 in Hà Nội


def post(client, path, page, **fields):
    data = {"csrf_token": csrf_of(page), "idempotency_key": KEY.search(page).group(1), **fields}
    return client.post(path, data=data, follow_redirects=True)


def test_notices_and_calendar_feed_pages(container, tenant, app, inbox):
    _, mailer = inbox
    cell = build_cell(app, 3, 1)
    for i, member in enumerate(cell.members[:3]):
        contacts.save(app, contacts.Contact("member", str(member), f"dv{i}@x.example", None))
    auth.create_user(
        app, SYSTEM, username="dangvien", password=PASSWORD, role=Role.MEMBER,
        scope_unit_id=cell.tree.cell_a, member_id=cell.members[0], display_name="Đảng viên",
    )  # fmt: skip
    make_user(app, "bithu", Role.SECRETARY, cell.tree.cell_a)
    with TestClient(create_app(container)) as client:
        admin = bearer(token(container, tenant.slug, Role.TENANT_ADMIN))
        scheduled = client.post(
            f"/api/v1/t/{tenant.slug}/meetings",
            json={
                "cell_id": str(cell.tree.cell_a), "kind": "regular", "year": 2026, "month": 12,
                "scheduled_at": AT.isoformat(), "place": "Nhà văn hóa thôn Một",
                "agenda": ["Báo cáo tháng"],
            },
            headers=admin,
        )  # fmt: skip
        assert scheduled.status_code == 201, scheduled.text
        delivery.run_once(app, mailer)
        caught_up(container, tenant)

        sign_in(client, tenant.slug, "dangvien")
        page = client.get(f"/t/{tenant.slug}/notices")
        assert page.status_code == 200, page.text
        assert "Giấy mời sinh hoạt" in page.text
        assert "Chi bộ thôn Một" in page.text
        assert "14:30" in page.text or "14 giờ 30" in page.text
        assert "Đã gửi" in page.text
        assert f'href="/t/{tenant.slug}/notices"' in page.text  # in the navigation bar
        assert "Chưa gửi được</a>" not in page.text  # not a member's page
        assert client.get(f"/t/{tenant.slug}/notices/undelivered").status_code == 403

        made = post(client, f"/t/{tenant.slug}/notices/calendar-feed", page.text)
        assert made.status_code == 200, made.text
        (url,) = re.findall(r'<code class="feed-url">([^<]+)</code>', made.text)
        path = url[url.index("/api/") :]
        client.cookies.clear()  # a calendar app has no session
        feed = client.get(path)
        assert feed.status_code == 200
        (event,) = Calendar.from_ical(feed.content).walk("VEVENT")
        assert event["dtstart"].dt == AT
        sign_in(client, tenant.slug, "dangvien")
        page = client.get(f"/t/{tenant.slug}/notices")
        revoked = post(client, f"/t/{tenant.slug}/notices/calendar-feed/revoke", page.text)
        assert "Đã thu hồi địa chỉ lịch" in revoked.text
        assert client.get(path).status_code == 404

        sign_in(client, tenant.slug, "bithu")
        listed = client.get(f"/t/{tenant.slug}/notices/undelivered")
        assert listed.status_code == 200, listed.text
        assert cell.names[3] in listed.text  # the fourth member has no address
        assert "Chưa có địa chỉ e-mail" in listed.text
        assert cell.names[0] not in listed.text
