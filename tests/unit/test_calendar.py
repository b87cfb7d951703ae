"""Working days: weekends, Vietnamese public holidays (Tết included), make-up days, province days off."""

from __future__ import annotations

from datetime import date

import pytest

from domain.calendar import (
    WEEKENDS_ONLY,
    NegativeWorkingDays,
    WorkingCalendar,
    add_months,
    months_of_age,
)
from domain.province import ProvinceSettings
from infra.holidays import national_calendar, province_calendar

pytestmark = pytest.mark.unit


def test_weekends_are_skipped():
    # Friday 2 Jan 2026 + 1 working day → Monday 5 Jan.
    assert WEEKENDS_ONLY.add_working_days(date(2026, 1, 2), 1) == date(2026, 1, 5)
    assert WEEKENDS_ONLY.working_days_between(date(2026, 1, 2), date(2026, 1, 9)) == 5


def test_thirty_working_days_spanning_tet_2026():
    vn = national_calendar()
    # Tết Bính Ngọ: 16–20 Feb 2026 are public holidays (Mon–Fri).
    assert all(not vn.is_working_day(date(2026, 2, d)) for d in range(16, 21))
    due = vn.add_working_days(date(2026, 1, 30), 30)
    assert due == date(2026, 3, 20)
    # Without holidays the same count ends a week earlier: Tết is really skipped.
    assert WEEKENDS_ONLY.add_working_days(date(2026, 1, 30), 30) == date(2026, 3, 13)
    assert vn.working_days_between(date(2026, 1, 30), due) == 30


def test_tet_2025_and_make_up_saturday():
    vn = national_calendar()
    assert not vn.is_working_day(date(2025, 1, 29))  # mùng 1 Tết Ất Tỵ
    assert not vn.is_working_day(date(2025, 5, 2))  # substituted day off
    assert vn.is_working_day(date(2025, 4, 26))  # Saturday worked to make up for 2 May


def test_province_days_off_are_skipped():
    settings = ProvinceSettings(days_off=(date(2026, 3, 2),))
    cal = province_calendar(settings)
    assert not cal.is_working_day(date(2026, 3, 2))
    assert national_calendar().is_working_day(date(2026, 3, 2))
    assert cal.add_working_days(date(2026, 2, 27), 1) == date(2026, 3, 3)


def test_explicit_calendar_and_negative_count():
    cal = WorkingCalendar(holidays=frozenset({date(2026, 1, 5)}))
    assert cal.add_working_days(date(2026, 1, 2), 1) == date(2026, 1, 6)
    assert cal.working_days_between(date(2026, 1, 6), date(2026, 1, 2)) == -1
    with pytest.raises(NegativeWorkingDays):
        cal.add_working_days(date(2026, 1, 2), -1)


def test_months_and_age_in_months():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 15), 12) == date(2026, 3, 15)
    assert months_of_age(date(2008, 3, 31), date(2026, 3, 1)) == 216
