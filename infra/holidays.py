"""The Vietnamese working calendar, built from the ``holidays`` package plus the province's days off.

The package keeps the lunar New Year (Tết), Hùng Kings' day, the substituted days off and the
make-up Saturdays decreed each year; a hand-written table would rot. The result is plain data
(:class:`domain.calendar.WorkingCalendar`) so the domain never imports the package.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays

from domain.calendar import WorkingCalendar
from domain.province import ProvinceSettings

FIRST_YEAR = 2016
"""QĐ 29-QĐ/TW (2016) is the oldest rule set kept; earlier dates are never judged."""


@lru_cache(maxsize=8)
def national_calendar(
    first_year: int = FIRST_YEAR, last_year: int | None = None
) -> WorkingCalendar:
    """Public holidays of Viet Nam (country "VN") for the years given, Tết included."""
    last = last_year if last_year is not None else date.today().year + 3
    vn = holidays.country_holidays("VN", years=range(first_year, last + 1))
    make_up = frozenset(getattr(vn, "weekend_workdays", ()) or ())
    return WorkingCalendar(holidays=frozenset(vn.keys()), make_up_days=make_up)


def province_calendar(
    settings: ProvinceSettings | None = None, extra_days_off: Iterable[date] = ()
) -> WorkingCalendar:
    """National holidays plus the province's own days off (ProvinceSettings.days_off)."""
    days_off = frozenset(settings.days_off if settings else ()) | frozenset(extra_days_off)
    return national_calendar().with_days_off(days_off)
