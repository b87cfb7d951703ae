"""The spellings of a day that both the web forms and the import files read day first.

``services.web.dates.parse_day`` and ``services.imports.reading.parse_day`` are tested on the
same spellings, so the two readers are seen to agree on what a typed day looks like.
"""

from __future__ import annotations

from datetime import date


def day_first(day: date) -> list[tuple[str, date]]:
    """``day`` as dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy and ISO, each with the day."""
    d, m, y = day.day, day.month, day.year
    spelt = (f"{d:02}/{m:02}/{y}", f"{d}/{m}/{y}", f"{d:02}-{m:02}-{y}", f"{d:02}.{m:02}.{y}")
    return [(text, day) for text in (*spelt, day.isoformat())]
