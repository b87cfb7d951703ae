"""Days, times and months typed in forms (services/web/dates.py): dd/mm/yyyy first, yyyy-mm-dd for
old clients; 24-hour HH:MM (14h00, 14h too); mm/yyyy (yyyy-mm too); anything else refused beside
its field in Vietnamese and English; prefilled values shown in the Vietnamese way."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from services.web.dates import (
    BAD_DAY,
    BAD_MONTH,
    BAD_TIME,
    MONTH_PATTERN,
    PATTERN,
    TIME_PATTERN,
    form_days,
    parse_clock,
    parse_day,
    parse_month,
    typed_day,
    typed_month,
)
from tests.unit.day_spellings import day_first


@pytest.mark.parametrize(
    ("text", "day"),
    [
        *day_first(date(2025, 9, 2)),  # the ISO spelling: an old client's
        (" 31/12/2024 ", date(2024, 12, 31)),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_a_day_is_read_day_first(text, day):
    assert parse_day(text) == day
    assert re.fullmatch(PATTERN, text)  # the browser's pattern lets it through too


@pytest.mark.parametrize(
    "text",
    ["31/02/2025", "29/02/2025", "13/13/2025", "09/2025", "2025/09/02", "hôm nay", "", "0/1/2025"],
)
def test_what_is_not_a_day_is_refused(text):
    assert parse_day(text) is None


def test_prefilled_days_show_day_first_and_typed_text_stays_as_typed():
    assert typed_day("2025-09-02") == "02/09/2025"
    assert typed_day(date(2025, 9, 2)) == "02/09/2025"
    assert typed_day("31/02/2025") == "31/02/2025"
    assert typed_day(None) == ""


def test_form_days_gives_iso_days_and_an_error_beside_each_bad_field():
    values = {"on": "02/09/2025", "end": "31/02/2025", "start": "", "other": "x"}
    days, errors = form_days("exempt", values, ("on", "end", "start"))
    assert days == {"on": "2025-09-02"}
    assert errors == [("exempt-end", BAD_DAY)]
    assert BAD_DAY.startswith("Ngày không hợp lệ")
    assert "dd/mm/yyyy" in BAD_DAY


def test_filter_days_reach_the_api_as_iso_days():
    from domain.base import InvalidValue
    from services.web.dates import iso_day_of, query_day

    assert iso_day_of("02/09/2025") == "2025-09-02"
    assert iso_day_of("31/02/2025") == "31/02/2025"  # passed on for the API to refuse in words
    assert query_day("", date(2026, 1, 5), "on") == "2026-01-05"
    assert query_day("5/1/2026", date(2020, 1, 1), "on") == "2026-01-05"
    with pytest.raises(InvalidValue) as refused:
        query_day("13/13/2026", date(2020, 1, 1), "as_of")
    assert refused.value.vi == BAD_DAY


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("14:00", time(14, 0)),
        ("14h00", time(14, 0)),
        ("14h", time(14, 0)),
        ("14H30", time(14, 30)),
        ("9:05", time(9, 5)),
        ("09:05", time(9, 5)),
        (" 7h15 ", time(7, 15)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_a_time_is_read_on_the_24_hour_clock(text, clock):
    assert parse_clock(text) == clock
    assert re.fullmatch(TIME_PATTERN, text)


@pytest.mark.parametrize(
    "text",
    ["24:00", "14:60", "14:5", "14h5", "1400", "14", "2:00 PM", "14:00:00", "h", "giờ", ""],
)
def test_what_is_not_a_time_is_refused(text):
    assert parse_clock(text) is None


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("12/2026", (2026, 12)),
        ("1/2026", (2026, 1)),
        ("03-2025", (2025, 3)),
        ("03.2025", (2025, 3)),
        (" 09/2025 ", (2025, 9)),
        ("2026-12", (2026, 12)),  # an old client's ISO month
    ],
)
def test_a_month_is_read_month_first(text, month):
    assert parse_month(text) == month
    assert re.fullmatch(MONTH_PATTERN, text)


@pytest.mark.parametrize(
    "text", ["13/2026", "0/2026", "2026/12", "12/26", "December 2026", "02/09/2025", "2026", ""]
)
def test_what_is_not_a_month_is_refused(text):
    assert parse_month(text) is None


def test_prefilled_months_show_month_first_and_the_errors_say_both_languages():
    assert typed_month("2026-12") == "12/2026"
    assert typed_month("13/2026") == "13/2026"  # as typed, to correct
    assert typed_month(None) == ""
    assert BAD_TIME.startswith("Giờ không hợp lệ")  # Vietnamese first
    assert BAD_TIME.endswith("(invalid time: write it as hh:mm, 24-hour)")
    assert BAD_MONTH.startswith("Tháng không hợp lệ")
    assert BAD_MONTH.endswith("(invalid month: write it as mm/yyyy)")


def test_a_value_typed_back_into_its_field_is_escaped_once():
    from markupsafe import Markup

    assert typed_day(Markup("31/02/2025&#34;")) == '31/02/2025"'
    assert typed_month(Markup("x&lt;")) == "x<"
