"""From a file's header row to the template's columns, and from cells to typed values.

Each reader below records a problem in the report (with the row and the column's Vietnamese
header) and returns ``None`` instead of raising, so one pass finds every problem of a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from services.imports.reading import Row, parse_day
from services.imports.report import Report
from services.imports.template import Column, header_keys, plain


class Cells:
    """One row's cells, read by column key."""

    __slots__ = ("headers", "number", "report", "values", "where")

    def __init__(
        self, number: int, values: list[str], where: dict[str, int], report: Report,
        headers: dict[str, str],
    ) -> None:  # fmt: skip
        self.number = number
        self.values = values
        self.where = where
        self.report = report
        self.headers = headers

    def text(self, key: str, required: bool = False) -> str:
        index = self.where.get(key)
        value = self.values[index] if index is not None and index < len(self.values) else ""
        if required and not value:
            self.error(key, "ô này không được để trống", "this cell must not be empty")
        return value

    def day(self, key: str, required: bool = False) -> date | None:
        value = self.text(key, required)
        if not value:
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.error(
                key,
                f"«{value}» không phải ngày hợp lệ (dd/mm/yyyy)",
                f"'{value}' is not a date (dd/mm/yyyy)",
            )
        return parsed

    def word(self, key: str, words: dict[str, str], required: bool = True) -> str | None:
        value = self.text(key, required)
        if not value:
            return None
        found = words.get(plain(value))
        if found is None:
            self.error(key, f"giá trị «{value}» không hợp lệ", f"'{value}' is not a valid value")
        return found

    def error(self, key: str, vi: str, en: str) -> None:
        self.report.add(self.number, self.headers.get(key, key), vi, en)

    def warn(self, key: str, vi: str, en: str) -> None:
        self.report.add(self.number, self.headers.get(key, key), vi, en, "warning")


def cells_of(rows: Iterator[Row], columns: tuple[Column, ...], report: Report) -> Iterator[Cells]:
    """The data rows after the header; a missing required column is one error of row 1."""
    headers = {c.key: c.header for c in columns}
    try:
        number, header = next(rows)
    except StopIteration:
        report.add(1, "", "Tệp trống", "the file is empty")
        return
    keys = header_keys(columns)
    where: dict[str, int] = {}
    for index, name in enumerate(header):
        key = keys.get(plain(name))
        if key is not None and key not in where:
            where[key] = index
    missing = [c.header for c in columns if c.required and c.key not in where]
    if missing:
        report.add(
            number,
            "",
            "Thiếu cột: " + ", ".join(missing),
            "missing columns: " + ", ".join(c.key for c in columns if c.header in missing),
        )
        return
    for number, values in rows:
        report.rows += 1
        yield Cells(number, values, where, report, headers)
