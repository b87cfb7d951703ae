"""In-app notices: each person's own on their page, the undelivered ones for the secretary.

The invitations of a scheduled meeting are expanded and sent by the worker's step to a real SMTP
server (aiosmtpd); the same notices are then read over HTTP as the people they concern.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.user import Role
from services.notices import delivery
from tests.e2e.auth_helpers import bearer, token
from tests.e2e.mail import schedule
from tests.e2e.test_meetings_api import base, build_cell
from tests.e2e.test_reminders_smtp import caught_up

pytestmark = pytest.mark.e2e

AT = datetime(2026, 12, 18, 7, 30, tzinfo=UTC)


def test_my_notices_and_the_undelivered_ones(client, tenant, container, cell, inbox):
    cell_id, members = cell
    _, mailer = inbox
    app = container.applications.get(tenant.slug)
    meeting, _ = schedule(client, tenant, cell_id, AT)
    other_cell, others, _ = build_cell(client, tenant, 1, 0, name="Chi bộ Văn phòng")
    schedule(client, tenant, other_cell, AT)
    assert delivery.run_once(app, mailer)[0] == 2
    caught_up(container, tenant)
    url = f"{base(tenant)}/me/notices"

    def member(i, of=cell_id, who=members):
        return bearer(token(container, tenant.slug, Role.MEMBER, scope=of, member_id=who[i]))

    mailed = client.get(url, headers=member(0))
    assert mailed.status_code == 200, mailed.text
    (notice,) = mailed.json()["items"]
    assert notice["title"] == "Giấy mời sinh hoạt"
    assert notice["cell_name"] == "Chi bộ Kỹ thuật"
    assert notice["meeting_id"] == meeting
    assert notice["emailed"] is True
    assert datetime.fromisoformat(notice["scheduled_at"]) == AT
    # The fifth member has no address: not mailed, but told in the app all the same.
    (unmailed,) = client.get(url, headers=member(4)).json()["items"]
    assert unmailed["emailed"] is False
    # Another cell's member sees only their own.
    (theirs,) = client.get(url, headers=member(0, other_cell, others)).json()["items"]
    assert theirs["cell_name"] == "Chi bộ Văn phòng"
    # An account with no notices gets an empty list, not an error.
    inspector = bearer(token(container, tenant.slug, Role.INSPECTOR, scope=cell_id))
    assert client.get(url, headers=inspector).json() == {"items": []}

    undelivered = f"{base(tenant)}/notices/undelivered"
    secretary = bearer(token(container, tenant.slug, Role.SECRETARY, scope=cell_id))
    listed = client.get(undelivered, params={"unit_id": cell_id}, headers=secretary)
    assert listed.status_code == 200, listed.text
    names = {(i["recipient_name"], i["has_email"]) for i in listed.json()["items"]}
    assert names == {("Đảng viên số 5", False)}
    assert "email" not in listed.json()["items"][0]
    # The other cell's member had no address either, but is not this secretary's to see.
    assert (
        client.get(undelivered, params={"unit_id": other_cell}, headers=secretary).status_code
        == 403
    )
    member_asks = client.get(undelivered, params={"unit_id": cell_id}, headers=member(0))
    assert member_asks.status_code == 403
