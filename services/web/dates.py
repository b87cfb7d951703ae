"""Days typed in forms: ngày/tháng/năm (dd/mm/yyyy), whatever the browser's locale.

Chromium draws ``<input type=date>`` as mm/dd/yyyy under most locales, so the forms use a text
field (numeric keyboard, a pattern, a visible hint; the ``day_input`` macro of macros.html) and
the server reads it here: ``dd/mm/yyyy`` (one-digit day and month, ``-`` or ``.`` as separator
also taken) and, for clients built against the old date inputs, ``yyyy-mm-dd``. A day that is
not a day is said beside its field in Vietnamese and English; the API gets ISO days.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from domain.base import InvalidValue
from services.imports.reading import parse_day as parse_day  # the one reading of a typed day

BAD_DAY = (
    "Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm, ví dụ 02/09/2025"
    " (invalid date: write it as dd/mm/yyyy)"
)
PATTERN = r"\s*(\d{1,2}[\/.\-]\d{1,2}[\/.\-]\d{4}|\d{4}-\d{2}-\d{2})\s*"
"""The field's ``pattern`` attribute (the browser anchors it and compiles it with the ``v`` flag,
hence ``/`` and ``-`` escaped inside the brackets); the server reads the day with ``parse_day``,
the same reading as the imports' (one parser of Vietnamese days)."""
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def typed_day(value: Any) -> str:
    """A day as the field shows it: an ISO day (a default, a stored value) as dd/mm/yyyy; what
    a person typed is given back untouched so that the mistake stays visible to correct."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = "" if value is None else str(value)
    found = parse_day(text) if ISO.fullmatch(text.strip()) else None
    return found.strftime("%d/%m/%Y") if found else text


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
