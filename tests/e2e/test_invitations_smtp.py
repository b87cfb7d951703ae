"""Invitations reach a real SMTP server (aiosmtpd) exactly once per person and cause.

The meeting is scheduled, rescheduled and cancelled over HTTP; the outbox row of each command
is checked to be there as soon as the command answers (same transaction); the worker's step
(:func:`services.notices.delivery.run_once`) sends to an aiosmtpd server on a free port. The
messages are parsed back: recipients, Vietnamese subject and body, and the ICS attachment read
with the ``icalendar`` library. A worker dying between sending and recording, a broker
redelivery and an SMTP server refusing an address are played through.
"""

from __future__ import annotations

import email
import email.policy
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from psycopg import sql

from bench.server import free_port
from services.notices import delivery
from services.security.store import rows_of
from tests.e2e.mail import address, ics_of, schedule, text_of
from tests.e2e.test_meetings_api import base, ok, post

pytestmark = pytest.mark.e2e


def outbox(container, tenant) -> list[Any]:
    app = container.applications.get(tenant.slug)
    return rows_of(
        app,
        sql.SQL("SELECT notification_id, cause FROM {} ORDER BY notification_id").format(
            sql.Identifier(tenant.schema, "notice_outbox")
        ),
        (),
    )


def test_scheduling_rescheduling_and_cancelling_reach_each_person_once(
    client, tenant, container, cell, inbox
):
    cell_id, _ = cell
    handler, mailer = inbox
    app = container.applications.get(tenant.slug)
    at = datetime(2026, 12, 18, 7, 30, tzinfo=UTC)  # 14:30 in Hà Nội
    meeting, position = schedule(client, tenant, cell_id, at)
    # The cause was committed with the event: there the moment the command answered.
    assert [(r["notification_id"], r["cause"]) for r in outbox(container, tenant)] == [
        (position, "scheduled")
    ]
    assert delivery.run_once(app, mailer) == (1, 5)  # four members and the committee
    assert delivery.run_once(app, mailer) == (0, 0)  # a redelivered message finds nothing new
    (first,) = handler.to(address(0))
    assert first["Subject"] == "Giấy mời sinh hoạt chi bộ thường kỳ tháng 12/2026 — Chi bộ Kỹ thuật"
    body = text_of(first)
    assert "Kính gửi đồng chí Đảng viên số 1" in body
    assert "Thời gian: 14 giờ 30 phút, ngày 18/12/2026" in body
    assert "Địa điểm: Nhà văn hóa thôn Một" in body
    calendar = ics_of(first)
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == at
    assert str(event["uid"]) == f"{meeting}@chibo"
    assert str(event["location"]) == "Nhà văn hóa thôn Một"
    assert len(handler.to("dang-uy@xa.example")) == 1

    later = at + timedelta(days=2)
    post(
        client,
        tenant,
        meeting,
        "reschedule",
        {"scheduled_at": later.isoformat(), "place": "Hội trường xã"},
    )
    post(client, tenant, meeting, "cancel", {"reason": "Bão số 5, ngập đường vào thôn"})
    assert delivery.run_once(app, mailer) == (2, 10)
    mails = handler.to(address(2))
    assert [m["Subject"].split(" sinh hoạt")[0] for m in mails] == [
        "Giấy mời",
        "Thay đổi lịch",
        "Hủy",
    ]
    moved = ics_of(mails[1]).walk("VEVENT")[0]
    assert moved.decoded("dtstart") == later
    cancelled = ics_of(mails[2])
    assert str(cancelled["method"]) == "CANCEL"
    assert str(cancelled.walk("VEVENT")[0]["status"]) == "CANCELLED"
    assert "Lý do: Bão số 5, ngập đường vào thôn" in text_of(mails[2])
    # One message per person and cause, each with its own Message-ID.
    ids = Counter(m["Message-ID"] for _, m in handler.messages)
    assert len(ids) == 15
    assert set(ids.values()) == {1}

    notices = ok(client.get(f"{base(tenant)}/meetings/{meeting}/notices"), 200)
    assert notices["sent"] == 15
    assert notices["undelivered"] == 3  # the member without an address, once per cause
    missing = {n["recipient_name"] for n in notices["notices"] if n["status"] == "undelivered"}
    assert missing == {"Đảng viên số 5"}


def test_a_worker_killed_between_send_and_record_leaves_one_message_id_per_person(
    client, tenant, container, cell, inbox, monkeypatch
):
    cell_id, _ = cell
    handler, mailer = inbox
    app = container.applications.get(tenant.slug)
    schedule(client, tenant, cell_id, datetime(2026, 12, 18, 7, 30, tzinfo=UTC))
    delivery.expand(app, mailer.sender)
    real_record = delivery.record_sent

    def die(*args):
        raise SystemExit("worker killed after sending, before recording")

    monkeypatch.setattr(delivery, "record_sent", die)
    with pytest.raises(SystemExit):
        delivery.deliver(app, mailer)
    monkeypatch.setattr(delivery, "record_sent", real_record)
    assert len(handler.messages) == 1
    # Not yet stale: another worker leaves the claimed notices alone.
    assert delivery.deliver(app, mailer) == 0
    # The broker redelivers later; the claims are stale by then.
    assert delivery.deliver(app, mailer, stale=timedelta(0)) == 5
    assert delivery.deliver(app, mailer, stale=timedelta(0)) == 0
    per_person = Counter((tuple(r), m["Message-ID"]) for r, m in handler.messages)
    people = Counter(r for r, _ in per_person)
    assert set(people.values()) == {1}, "one Message-ID per person and cause"
    assert sorted(per_person.values()) == [1, 1, 1, 1, 2]  # the one resent is recognisable


def test_a_refused_address_is_retried_after_1_2_4_8_minutes_then_undelivered(
    client, tenant, container, cell, inbox
):
    cell_id, _ = cell
    handler, mailer = inbox
    handler.refuse.add(address(1))
    app = container.applications.get(tenant.slug)
    meeting, _ = schedule(client, tenant, cell_id, datetime(2026, 12, 18, 7, 30, tzinfo=UTC))
    table = sql.Identifier(tenant.schema, "notice_deliveries")
    waits = []
    for _ in range(5):
        delivery.run_once(app, mailer)
        (row,) = rows_of(
            app,
            sql.SQL(
                "SELECT status, attempts, next_attempt_at - now() AS wait FROM {}"
                " WHERE recipient_name = 'Đảng viên số 2'"
            ).format(table),
            (),
        )
        waits.append(round(row["wait"].total_seconds() / 60))
        # time passes: the retry is due
        rows_of(app, sql.SQL("UPDATE {} SET next_attempt_at = now()").format(table), ())
    assert waits[:4] == [1, 2, 4, 8]
    assert row["status"] == "undelivered"
    assert row["attempts"] == 5
    notices = ok(client.get(f"{base(tenant)}/meetings/{meeting}/notices"), 200)
    refused = [n for n in notices["notices"] if n["recipient_name"] == "Đảng viên số 2"]
    assert refused[0]["status"] == "undelivered"
    assert "550" in refused[0]["last_error"]
    assert len(handler.to(address(0))) == 1


def test_contacts_are_erasable_and_not_in_the_event_log(client, tenant, container, cell):
    _, members = cell
    url = f"{base(tenant)}/members/{members[0]}/contact"
    assert ok(client.get(url), 200)["email"] == address(0)
    assert ok(client.delete(url), 200) == {"erased": True}
    assert client.get(url).status_code == 404
    with container.database.connect() as conn:
        hits = conn.execute(
            sql.SQL("SELECT count(*) FROM {} WHERE convert_from(state, 'UTF8') LIKE %s").format(
                sql.Identifier(tenant.schema, "chibo_events")
            ),
            ("%thon-mot.example%",),
        ).fetchone()
    assert hits[0] == 0
    refused = client.post(url, json={"email": "không phải e-mail"})
    assert refused.status_code == 400


def test_the_dramatiq_actor_delivers_and_redeliveries_send_nothing_twice(
    client, tenant, container, cell, inbox, database
):
    from services import workers
    from tests.integration.test_workers import drain

    cell_id, _ = cell
    handler, mailer = inbox
    schedule(client, tenant, cell_id, datetime(2026, 12, 18, 7, 30, tzinfo=UTC))
    runtime = workers.configure(database, None, threads=3, tick_seconds=None, mailer=mailer)
    try:
        for _ in range(4):  # a commit's message, the tick's and broker redeliveries, racing
            runtime.notify_committed(tenant.slug)
        drain(runtime)
    finally:
        workers.shutdown()
    ids = Counter(m["Message-ID"] for _, m in handler.messages)
    assert len(ids) == 5
    assert set(ids.values()) == {1}


def test_the_demo_capture_writes_each_invitation_as_an_eml_file(
    client, tenant, container, cell, tmp_path
):
    from services.cli.core import mailer_for
    from services.notices.capture import start_capture

    capture = start_capture(tmp_path / "mail", free_port())
    try:
        mailer = mailer_for(container.settings, capture)
        schedule(client, tenant, cell[0], datetime(2026, 12, 18, 7, 30, tzinfo=UTC))
        delivery.run_once(container.applications.get(tenant.slug), mailer)
    finally:
        capture.stop()
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 5
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"].startswith("Giấy mời sinh hoạt chi bộ")
    assert ics_of(parsed).walk("VEVENT")
