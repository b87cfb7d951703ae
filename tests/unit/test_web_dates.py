"""Days typed in forms (services/web/dates.py): dd/mm/yyyy first, yyyy-mm-dd for old clients,
anything else refused beside its field in Vietnamese and English; prefilled days shown dd/mm/yyyy."""

from __future__ import annotations

import re
from datetime import date

import pytest

from services.web.dates import BAD_DAY, PATTERN, form_days, parse_day, typed_day
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
