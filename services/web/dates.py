"""Days, times and months typed in forms: ngày/tháng/năm (dd/mm/yyyy), giờ:phút (24-hour
HH:MM) and tháng/năm (mm/yyyy), whatever the browser's locale.

Chromium draws ``<input type=date>`` as mm/dd/yyyy, ``type=time`` as "02:00 PM" and
``type=month`` as "December 2026" under an English locale, so the forms use text fields
(a pattern, a visible hint; the ``day_input``, ``time_input`` and ``month_input`` macros of
macros.html) and the server reads them here with the one parser of each (services/imports/
reading.py): ``dd/mm/yyyy`` (one-digit day and month, ``-`` or ``.`` as separator also taken)
and, for clients built against the old date inputs, ``yyyy-mm-dd``; ``14:00``, ``14h00``,
``14h``, ``9:05``; ``12/2026`` and ``2026-12``. A value that is not one is said beside its field
in Vietnamese and English; the API gets ISO values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from markupsafe import Markup

from domain.base import InvalidValue

# the one reading of each: a typed day, a time of day, a month
from services.imports.reading import parse_clock as parse_clock
from services.imports.reading import parse_day as parse_day
from services.imports.reading import parse_month as parse_month

BAD_DAY = (
    "Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm, ví dụ 02/09/2025"
    " (invalid date: write it as dd/mm/yyyy)"
)
PATTERN = r"\s*(\d{1,2}[\/.\-]\d{1,2}[\/.\-]\d{4}|\d{4}-\d{2}-\d{2})\s*"
"""The field's ``pattern`` attribute (the browser anchors it and compiles it with the ``v`` flag,
hence ``/`` and ``-`` escaped inside the brackets); the server reads the day with ``parse_day``,
the same reading as the imports' (one parser of Vietnamese days)."""
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
BAD_TIME = (
    "Giờ không hợp lệ: ghi giờ:phút theo 24 giờ, ví dụ 14:00 hoặc 14h00"
    " (invalid time: write it as hh:mm, 24-hour)"
)
TIME_PATTERN = r"\s*\d{1,2}(:\d{2}|[hH](\d{2})?)\s*"
"""The time field's ``pattern`` (``parse_clock`` reads it on the server)."""
BAD_MONTH = (
    "Tháng không hợp lệ: ghi theo dạng tháng/năm, ví dụ 09/2025"
    " (invalid month: write it as mm/yyyy)"
)
MONTH_PATTERN = r"\s*(\d{1,2}[\/.\-]\d{4}|\d{4}-\d{1,2})\s*"
"""The month field's ``pattern`` (``parse_month`` reads it on the server)."""
ISO_MONTH = re.compile(r"\d{4}-\d{2}")


def plain(value: Any) -> str:
    """A prefilled value as text; the ``val`` macro's result (Markup, already escaped) unescaped,
    for the field to escape it once: a typed ``"`` shown as ``"``, not ``&#34;``."""
    if value is None:
        return ""
    return value.unescape() if isinstance(value, Markup) else str(value)


def typed_day(value: Any) -> str:
    """A day as the field shows it: an ISO day (a default, a stored value) as dd/mm/yyyy; what
    a person typed is given back untouched so that the mistake stays visible to correct."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = plain(value)
    found = parse_day(text) if ISO.fullmatch(text.strip()) else None
    return found.strftime("%d/%m/%Y") if found else text


def typed_month(value: Any) -> str:
    """A month as the field shows it: an ISO month (a default) as mm/yyyy; what a person typed
    is given back untouched, like ``typed_day``."""
    text = plain(value)
    found = parse_month(text) if ISO_MONTH.fullmatch(text.strip()) else None
    return f"{found[1]:02d}/{found[0]}" if found else text


def iso_day_of(text: str) -> str:
    """A day typed in a filter as the ISO day the API reads; what is not a day is passed on as
    typed, for the API to refuse in its words beside the field."""
    found = parse_day(text)
    return found.isoformat() if found else text


def form_days(
    form: str, values: Mapping[str, Any], names: Iterable[str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The named day fields that were filled in, as ISO days for the API's body, and an error
    beside each field (``{form}-{name}``) that is not a day. Blank fields are left out: whether
    a day is required is each form's own rule."""
    days: dict[str, str] = {}
    errors: list[tuple[str, str]] = []
    for name in names:
        text = str(values.get(name) or "").strip()
        if not text:
            continue
        found = parse_day(text)
        if found is None:
            errors.append((f"{form}-{name}", BAD_DAY))
        else:
            days[name] = found.isoformat()
    return days, errors


def query_day(text: str | None, default: date, name: str) -> str:
    """A day typed in a filter (a GET form) as the ISO day the API reads; ``default`` when left
    blank; a day that is not one is refused (an error page in the same words)."""
    if not (text or "").strip():
        return default.isoformat()
    found = parse_day(str(text))
    if found is None:
        raise InvalidValue(BAD_DAY, f"{name} must be a day, dd/mm/yyyy", field=name)
    return found.isoformat()
