"""The meeting forms' times and month typed the Vietnamese way (issue 15): giờ:phút on the 24-hour
clock (14:00, 14h00, 14h) and tháng/năm (mm/yyyy), text fields rather than type=time/month,
which the browser draws in its own locale. The API still gets ISO values; a time or month that
is not one is said beside its field in Vietnamese then English, and nothing is recorded."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from domain.meeting import Meeting
from services.web.dates import BAD_DAY, BAD_MONTH, BAD_TIME
from services.web.render import VIETNAM, today
from tests.e2e.web_helpers import KEY, csrf_of, secretary_signed_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def secretary(container, tenant, app) -> Any:
    with secretary_signed_in(container, app, tenant.slug) as (client, cell):
        yield client, f"/t/{tenant.slug}/units/{cell.tree.cell_a}/meetings", cell, app


def keys_of(html: str) -> dict[str, str]:
    return {"csrf_token": csrf_of(html), "idempotency_key": KEY.search(html).group(1)}


def schedule(client, url: str, **fields: str):
    new = client.get(f"{url}/new")
    data = {"kind": "regular", "place": "Hội trường thôn", "agenda": "Thông tin thời sự"}
    return client.post(url, data={**keys_of(new.text), **data, **fields}, follow_redirects=False)


def meeting_of(app, location: str) -> Meeting:
    meeting = app.repository.get(UUID(location.rsplit("/", 1)[1]))
    assert isinstance(meeting, Meeting)
    return meeting


def beside(html: str, field: str, message: str) -> None:
    """The GOV.UK pattern: the summary links to the field, the message stands beside it."""
    assert f'href="#{field}"' in html
    assert re.search(
        rf'id="{field}-loi"><span class="skip">Lỗi: </span>{re.escape(message)}<', html
    )


def test_the_schedule_form_shows_text_fields_prefilled_the_vietnamese_way(secretary):
    client, url, _, _ = secretary
    page = client.get(f"{url}/new").text
    assert 'type="time"' not in page
    assert 'type="month"' not in page
    now = today()
    period = re.search(
        r'<input id="schedule-period" name="period" type="text" value="([^"]*)"', page
    )
    assert period.group(1) == f"{now.month:02d}/{now.year}"  # mm/yyyy, not 2026-12
    clock = re.search(r'<input id="schedule-time" name="time" type="text" value="([^"]*)"', page)
    assert clock.group(1) == "14:00"
    assert 'placeholder="hh:mm"' in page
    assert 'placeholder="mm/yyyy"' in page
    assert '<label for="schedule-time">Giờ họp</label>' in page
    assert '<label for="schedule-period">Kỳ sinh hoạt (tháng)</label>' in page


@pytest.mark.parametrize(
    ("period", "time", "hour", "minute"),
    [("03/2025", "14h", 14, 0), ("3/2025", "9:05", 9, 5), ("2025-03", "14h30", 14, 30)],
)
def test_a_meeting_is_scheduled_from_a_month_and_a_24_hour_time(
    secretary, period, time, hour, minute
):
    client, url, _, app = secretary
    created = schedule(client, url, period=period, day="05/03/2025", time=time)
    assert created.status_code == 303, created.text
    meeting = meeting_of(app, created.headers["location"])
    assert meeting.period == (2025, 3)
    assert meeting.scheduled_at == datetime(2025, 3, 5, hour, minute, tzinfo=VIETNAM)


def test_a_bad_month_and_a_bad_time_are_refused_beside_their_fields(secretary):
    client, url, _, app = secretary
    before = app.log_position
    refused = schedule(client, url, period="13/2025", day="05/03/2025", time="2:00 PM")
    assert refused.status_code == 422
    beside(refused.text, "schedule-period", BAD_MONTH)
    beside(refused.text, "schedule-time", BAD_TIME)
    assert 'id="schedule-day-loi"' not in refused.text  # the day was right
    assert 'value="2:00 PM"' in refused.text  # kept as typed, to correct
    assert 'value="13/2025"' in refused.text
    assert app.log_position == before  # nothing recorded


@pytest.fixture
def scheduled(secretary) -> Any:
    client, url, cell, app = secretary
    created = schedule(client, url, period="03/2025", day="05/03/2025", time="14:00")
    assert created.status_code == 303, created.text
    return client, created.headers["location"], cell, app


def send(client, url: str, section: str, fields: dict, page: str = ""):
    """A section's form posted with its page's CSRF token, idempotency key and version."""
    html = client.get(f"{url}{page}").text
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    data = {**keys_of(html), "version": version, **fields}
    return client.post(f"{url}/{section}", data=data, follow_redirects=False)


def post_open(client, url: str, cell, started_time: str):
    chair, secretary = (str(m) for m in cell.members[:2])
    return send(
        client,
        url,
        "open",
        {"started_day": "05/03/2025", "started_time": started_time,
         "chair_id": chair, "secretary_id": secretary},
    )  # fmt: skip


def test_the_meeting_opens_at_a_time_typed_14h05_and_a_bad_one_is_refused(scheduled):
    client, url, cell, app = scheduled
    page = client.get(url).text
    assert re.search(r'id="open-started_time" name="started_time" type="text" value="14:00"', page)
    assert 'type="time"' not in page
    before = app.log_position
    for bad in ("25:00", "2 giờ chiều", ""):
        refused = post_open(client, url, cell, bad)
        assert refused.status_code == 422, bad
        beside(refused.text, "open-started_time", BAD_TIME)
        assert 'id="open-started_day-loi"' not in refused.text
    assert app.log_position == before
    assert meeting_of(app, url).started_at is None
    opened = post_open(client, url, cell, "14h05")
    assert opened.status_code == 303, opened.text
    assert meeting_of(app, url).started_at == datetime(2025, 3, 5, 14, 5, tzinfo=VIETNAM)


def test_a_bad_day_and_a_bad_time_of_the_opening_are_both_said_at_once(scheduled):
    client, url, cell, app = scheduled
    before = app.log_position
    chair, secretary = (str(m) for m in cell.members[:2])
    fields = {"started_day": "31/02/2025", "started_time": "2 giờ chiều",
              "chair_id": chair, "secretary_id": secretary}  # fmt: skip
    refused = send(client, url, "open", fields)
    assert refused.status_code == 422
    beside(refused.text, "open-started_day", BAD_DAY)
    beside(refused.text, "open-started_time", BAD_TIME)
    assert 'value="31/02/2025"' in refused.text  # both kept as typed, to correct
    assert 'value="2 giờ chiều"' in refused.text
    assert app.log_position == before
    assert meeting_of(app, url).started_at is None


def test_the_meeting_closes_at_a_24_hour_time_and_a_bad_one_is_refused(scheduled):
    client, url, cell, app = scheduled
    assert post_open(client, url, cell, "14:00").status_code == 303
    marks = {"member": [str(m) for m in cell.members]}
    marks.update({f"mark-{m}": "present" for m in cell.members})
    assert send(client, url, "attendance", marks).status_code == 303
    assert send(client, url, "minutes", {"text": "Biên bản"}).status_code == 303
    assert 'type="time"' not in client.get(f"{url}/close").text
    before = app.log_position
    day = {"ended_day": "05/03/2025"}
    refused = send(client, url, "close", {**day, "ended_time": "4:15 PM"}, page="/close")
    assert refused.status_code == 422
    beside(refused.text, "close-ended_time", BAD_TIME)
    assert 'value="4:15 PM"' in refused.text
    assert app.log_position == before
    assert meeting_of(app, url).ended_at is None
    closed = send(client, url, "close", {**day, "ended_time": "16h15"}, page="/close")
    assert closed.status_code == 303, closed.text
    assert meeting_of(app, url).ended_at == datetime(2025, 3, 5, 16, 15, tzinfo=VIETNAM)
    assert "bế mạc lúc 16:15 ngày 05/03/2025" in client.get(url).text
