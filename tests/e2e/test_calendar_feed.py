"""The per-user calendar feed: a secret URL, kept only as SHA-256, revocable.

The member is invited to a meeting (the worker's step, a real SMTP server); her feed is made
over HTTP, fetched without a token as a calendar app does, and parsed with ``icalendar``; the
meeting is rescheduled and then cancelled, and the feed follows; revoking ends the URL.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from psycopg import sql

from domain.base import SYSTEM
from domain.user import Role, UserAccount
from services.notices import delivery
from tests.e2e.auth_helpers import bearer, token
from tests.e2e.mail import schedule
from tests.e2e.test_meetings_api import base, post

pytestmark = pytest.mark.e2e

AT = datetime(2026, 12, 18, 7, 30, tzinfo=UTC)


def events(response) -> list:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_a_members_feed_follows_her_meetings_and_ends_when_revoked(
    client, tenant, container, cell, inbox
):
    cell_id, members = cell
    _, mailer = inbox
    app = container.applications.get(tenant.slug)
    account = UserAccount.open("thu.nguyen", "Nguyễn Thu", Role.MEMBER, cell_id, members[0], SYSTEM)
    app.save_all(account)
    me = bearer(
        token(
            container,
            tenant.slug,
            Role.MEMBER,
            scope=cell_id,
            member_id=members[0],
            user_id=str(account.id),
        )
    )
    meeting, _ = schedule(client, tenant, cell_id, AT)
    delivery.run_once(app, mailer)

    made = client.post(f"{base(tenant)}/me/calendar-feed", headers=me)
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    # Only the hash is stored.
    with container.database.connect() as conn:
        stored = conn.execute(
            sql.SQL("SELECT user_id, secret_sha256 FROM {}.calendar_feeds").format(
                sql.Identifier(tenant.schema)
            )
        ).fetchall()
    assert [(r[0], bytes(r[1])) for r in stored] == [
        (str(account.id), hashlib.sha256(secret.encode()).digest())
    ]

    (event,) = events(client.get(url))  # no token: a calendar app has none
    assert str(event["uid"]) == f"{meeting}@chibo"
    assert event["dtstart"].dt == AT
    assert str(event["summary"]) == "Sinh hoạt chi bộ thường kỳ tháng 12/2026"
    assert str(event["location"]) == "Nhà văn hóa thôn Một"
    assert str(event["status"]) == "CONFIRMED"

    later = AT + timedelta(days=1)
    post(client, tenant, meeting, "reschedule", {"scheduled_at": later.isoformat(), "place": "X"})
    (event,) = events(client.get(url))
    assert event["dtstart"].dt == later
    post(client, tenant, meeting, "cancel", {"reason": "Bão số 5"})
    (event,) = events(client.get(url))
    assert str(event["status"]) == "CANCELLED"

    # A new URL replaces the old; revoking ends it; a guess is the same 404.
    again = client.post(f"{base(tenant)}/me/calendar-feed", headers=me).json()["url"]
    assert client.get(url).status_code == 404
    assert len(events(client.get(again))) == 1
    revoked = client.delete(f"{base(tenant)}/me/calendar-feed", headers=me)
    assert revoked.json() == {"revoked": True}
    assert client.get(again).status_code == 404
    assert client.get(f"{base(tenant)}/calendar/{'x' * 43}.ics").status_code == 404
