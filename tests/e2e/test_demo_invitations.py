"""The demo's invitations reach its local mail capture (issue 17, "Done when").

The demo's members, committees and assignees have addresses (in ``contacts``, not in the log);
the seeded year is history and mails nothing; a meeting the demo secretary schedules over HTTP
is delivered by the worker's step into the capture that ``chibo serve --demo`` starts
(:mod:`services.notices.capture`), one ``.eml`` per person, read back here.
"""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
from datetime import UTC, datetime, timedelta

import pytest

from domain.user import account_id
from infra.application import EVENTS_TABLE
from services.demo import DEMO_SLUG, give_missing_addresses
from services.demo.contacts import DOMAIN
from services.notices import delivery
from services.notices.capture import start_capture
from tests.e2e.test_demo import fetch

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_meeting_scheduled_in_the_demo_reaches_the_capture(seeded, database, tmp_path):
    app, tenant, logins, client, _ = seeded
    s = tenant.schema
    people = fetch(database, f'SELECT kind, count(*) AS n FROM "{s}".contacts GROUP BY kind')
    counts = {row["kind"]: row["n"] for row in people}
    assert counts["member"] > 100
    assert counts["unit"] >= 5
    assert counts["assignee"] == 2
    # Personal data stays out of the immutable log.
    leaked = fetch(
        database,
        f'SELECT count(*) AS n FROM "{s}".{EVENTS_TABLE}'
        " WHERE position(convert_to($1, 'UTF8') IN state) > 0",
        DOMAIN,
    )
    assert leaked[0]["n"] == 0

    capture = start_capture(tmp_path / "mail", free_port())
    try:
        mailer = delivery.Mailer("127.0.0.1", capture.port, "chibo@demo.local", timeout=10)
        # The seeded year was never announced: nothing goes out for it.
        assert delivery.run_once(app, mailer) == (0, 0)
        assert not list((tmp_path / "mail").glob("*.eml"))

        base = f"/api/v1/t/{DEMO_SLUG}"
        login = client.post(
            f"{base}/auth/login", json={"username": "bithu", "password": logins.password}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        cell = app.repository.get(account_id("bithu")).scope_unit_id
        at = (datetime.now(UTC) + timedelta(days=120)).replace(
            hour=1, minute=30, second=0, microsecond=0
        )
        body = {
            "cell_id": str(cell),
            "kind": "thematic",
            "year": at.year,
            "month": at.month,
            "scheduled_at": at.isoformat(),
            "place": "Hội trường thôn",
            "topic": "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            "agenda": ["Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"],
        }
        scheduled = client.post(f"{base}/meetings", json=body, headers=headers)
        assert scheduled.status_code == 201, scheduled.text
        expanded, sent = delivery.run_once(app, mailer)
        assert expanded == 1
        assert sent > 0
        files = sorted((tmp_path / "mail").glob("*.eml"))
        assert len(files) == sent
    finally:
        capture.stop()
    messages = [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files
    ]
    recipients = [m["To"].addresses[0].addr_spec for m in messages]
    assert len(set(recipients)) == len(recipients)  # one message per person
    assert all(r.endswith("@" + DOMAIN) for r in recipients)
    assert any(r.startswith("van-phong.") for r in recipients)  # the committee above the cell
    assert all(m["Subject"].startswith("Giấy mời sinh hoạt chi bộ chuyên đề") for m in messages)
    statuses = delivery.statuses(app, scheduled.json()["id"])
    assert {row["status"] for row in statuses} == {"sent"}


def test_a_demo_seeded_before_addresses_gets_them_at_its_next_start(seeded, database):
    app, tenant, _, _, container = seeded
    s = tenant.schema
    before = fetch(database, f'SELECT kind, subject, email FROM "{s}".contacts ORDER BY 1, 2')
    with container.database.connect() as conn:
        conn.execute(f'DELETE FROM "{s}".contacts')
    assert give_missing_addresses(app) == len(before)  # what seed_demo does at the next start
    after = fetch(database, f'SELECT kind, subject, email FROM "{s}".contacts ORDER BY 1, 2')
    assert [(r["kind"], r["subject"]) for r in after] == [(r["kind"], r["subject"]) for r in before]
    assert all(r["email"].endswith("@" + DOMAIN) for r in after)
    # Once only: an address changed since is not overwritten at the following start.
    with container.database.connect() as conn:
        conn.execute(f"UPDATE \"{s}\".contacts SET email = 'da-sua@x.example' WHERE kind = 'unit'")
    assert give_missing_addresses(app) == 0
    kept = fetch(
        database, f"SELECT count(*) AS n FROM \"{s}\".contacts WHERE email = 'da-sua@x.example'"
    )
    assert kept[0]["n"] == sum(1 for r in before if r["kind"] == "unit")


def test_the_capture_takes_another_port_when_its_own_is_taken(tmp_path):
    """A second `make run` on one machine (or a test beside one) died at start: 8025 taken."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = int(taken.getsockname()[1])
        capture = start_capture(tmp_path / "mail", busy)
        try:
            assert capture.port != busy
            with smtplib.SMTP("127.0.0.1", capture.port, timeout=10) as smtp:
                smtp.sendmail("a@demo.local", ["b@demo.local"], b"Subject: thu\r\n\r\nxin chao")
            assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
        finally:
            capture.stop()
