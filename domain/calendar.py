"""Working days (ngày làm việc): the unit every deadline of the party's rules is counted in.

The calendar is plain data handed in from outside (``infra.holidays`` builds it from the
``holidays`` package and the province's own days off), so the domain stays free of I/O and
third-party imports, and a test can build any calendar it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.base import InvalidValue

_SATURDAY = 5


class NegativeWorkingDays(InvalidValue):
    code = "negative_working_days"


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Saturdays, Sundays, public holidays and the province's days off are not working days.

    ``make_up_days`` are weekend days decreed as working days to make up for a bridged holiday
    (ngày làm bù), e.g. Saturday 26 April 2025 for Friday 2 May 2025.
    """

    holidays: frozenset[date] = frozenset()
    days_off: frozenset[date] = frozenset()
    """Extra days off decided by the province (ngày nghỉ do tỉnh quyết định)."""
    make_up_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays or day in self.days_off:
            return False
        return day.weekday() < _SATURDAY or day in self.make_up_days

    def add_working_days(self, start: date, count: int) -> date:
        """The day on which ``count`` working days after ``start`` have passed.

        "Within 30 working days from day X" is met by an act on or before
        ``add_working_days(X, 30)``; day X itself is not counted.
        """
        if count < 0:
            raise NegativeWorkingDays(
                "Số ngày làm việc không được âm", "count of working days must not be negative"
            )
        day = start
        remaining = count
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open span (start, end]; negative when ``end`` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def with_days_off(self, days_off: frozenset[date]) -> WorkingCalendar:
        return WorkingCalendar(self.holidays, self.days_off | days_off, self.make_up_days)


WEEKENDS_ONLY = WorkingCalendar()
"""A calendar without holidays: for unit tests that are not about holidays."""


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (29 Feb → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def months_of_age(birth_date: date, on: date) -> int:
    """Age counted in months as party rules do (tính theo tháng): the day of month is ignored."""
    return (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
