"""Spreadsheet and CSV exports that a person can read: Vietnamese words, real dates, percents.

Every export has a header block (title, unit, period, as-of date, who made it and when), then
one table with Vietnamese column labels, codes translated (``trung_binh`` → "Trung bình"),
shares as percentages, ISO dates as date cells, sized columns, a frozen header row and an
autofilter. Identifier columns (UUIDs, compound keys) go last. Rows are written as they come
(xlsxwriter's constant-memory mode), so a province-wide list does not sit whole in memory.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import xlsxwriter
from litestar import Response

from services.documents.files import attachment, file_name
from services.documents.labels import column_label
from services.documents.model import VN, vn_date

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
ID_COLUMNS = {"key", "id", "unit_id", "cell_id", "member_id"}


@dataclass(frozen=True)
class Col:
    """One column: its key in the rows, its Vietnamese label, and whether it is a share."""

    name: str
    label: str
    rate: bool = False


@dataclass(frozen=True)
class Heading:
    """The header block of an export (and of a report)."""

    title: str
    unit: str
    period: str
    as_of: date
    generated_by: str
    generated_at: datetime

    def lines(self) -> list[tuple[str, str]]:
        made = self.generated_at.astimezone(VN)
        return [
            ("Đơn vị", self.unit),
            ("Kỳ báo cáo", self.period),
            ("Số liệu tính đến ngày", vn_date(self.as_of)),
            ("Người lập", f"{self.generated_by}, lúc {made:%H:%M} ngày {vn_date(made.date())}"),
        ]


def ordered(columns: Sequence[Col]) -> list[Col]:
    """Identifier columns last: a person reads names first, a machine finds the id at the end."""
    return [c for c in columns if c.name not in ID_COLUMNS] + [
        c for c in columns if c.name in ID_COLUMNS
    ]


def period_vi(text: str) -> str:
    """ "2025" → "Năm 2025", "2025-Q1" → "Quý I/2025", "2025-03" → "Tháng 03/2025"."""
    if m := ISO_MONTH.match(text):
        return f"Tháng {m.group(2)}/{m.group(1)}"
    if "-Q" in text:
        year, quarter = text.split("-Q")
        return f"Quý {('I', 'II', 'III', 'IV')[int(quarter) - 1]}/{year}"
    return f"Năm {text}" if text.isdigit() else text


def cell_value(col: Col, value: Any) -> Any:
    """The value as the sheet holds it: a date, a number, or Vietnamese text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if ISO_DATE.match(value):
            return date.fromisoformat(value)
        if col.name.endswith("period") and (ISO_MONTH.match(value) or "-Q" in value):
            return period_vi(value).removeprefix("Tháng ")
        return column_label(col.name, value)
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int | float | date):
        return value
    return str(value)


def text_value(col: Col, value: Any) -> str:
    """The same value as CSV text: dates dd/mm/yyyy, shares as "89,3%"."""
    shown = cell_value(col, value)
    if shown is None:
        return ""
    if isinstance(shown, date):
        return vn_date(shown)
    if col.rate and isinstance(shown, int | float):
        return f"{100 * shown:.1f}%".replace(".", ",")
    return str(shown)


def xlsx(
    heading: Heading,
    columns: Sequence[Col],
    rows: Iterable[Mapping[str, Any]],
    appendices: Sequence[tuple[str, Sequence[Col], Iterable[Mapping[str, Any]]]] = (),
) -> bytes:
    """A workbook: the main table on the first sheet, each appendix on a sheet of its own."""
    buffer = io.BytesIO()
    book = Book(buffer)
    book.table("Báo cáo", heading, columns, rows)
    for name, cols, more in appendices:
        book.table(name, book.sub_heading(heading, name), cols, more)
    book.close()
    return buffer.getvalue()


class Book:
    """A workbook written row by row (xlsxwriter's constant-memory mode: each row goes to a
    temporary file as written), to a buffer or to a file path for a large report job."""

    def __init__(self, target: Any) -> None:
        self.book = xlsxwriter.Workbook(target, {"constant_memory": True})
        add = self.book.add_format
        self.styles = {
            "title": add({"bold": True, "font_size": 14}),
            "label": add({"bold": True}),
            "head": add(
                {
                    "bold": True,
                    "text_wrap": True,
                    "valign": "top",
                    "border": 1,
                    "bg_color": "#EEEEEE",
                }
            ),
            "date": add({"num_format": "dd/mm/yyyy"}),
            "rate": add({"num_format": "0.0%"}),
        }

    @staticmethod
    def sub_heading(heading: Heading, title: str) -> Heading:
        return Heading(title, heading.unit, heading.period, heading.as_of, heading.generated_by,
                       heading.generated_at)  # fmt: skip

    def table(
        self, name: str, heading: Heading, columns: Sequence[Col], rows: Iterable[Mapping[str, Any]]
    ) -> int:
        """A sheet of its own holding ``rows``; the number of rows written."""
        sheet = self.sheet(name, heading, columns)
        for row in rows:
            sheet.write(row)
        return sheet.close()

    def sheet(self, name: str, heading: Heading, columns: Sequence[Col]) -> Sheet:
        """A sheet whose rows the caller writes one at a time (e.g. from an async cursor)."""
        return Sheet(self.book.add_worksheet(_sheet_name(name)), self.styles, heading, columns)

    def close(self) -> None:
        self.book.close()


class Sheet:
    """One table: the header block and labels are written at once, then :meth:`write` per row."""

    def __init__(
        self, sheet: Any, styles: dict[str, Any], heading: Heading, columns: Sequence[Col]
    ) -> None:
        self.sheet, self.styles, self.cols, self.count = sheet, styles, ordered(columns), 0
        sheet.write(0, 0, heading.title, styles["title"])
        lines = heading.lines()
        for i, (label, value) in enumerate(lines, start=1):
            sheet.write(i, 0, label, styles["label"])
            sheet.write(i, 1, value)
        self.top = top = len(lines) + 2
        widths = [max(10, min(40, len(c.label) + 2)) for c in self.cols]
        # Widths are set before the rows: constant-memory mode writes each row as it goes.
        for j, width in enumerate(widths):
            sheet.set_column(j, j, max(width, 28 if j == 0 else width))
        sheet.set_row(top, 45)
        for j, col in enumerate(self.cols):
            sheet.write(top, j, col.label, styles["head"])

    def write(self, row: Mapping[str, Any]) -> None:
        self.count += 1
        at, sheet, styles = self.top + self.count, self.sheet, self.styles
        for j, col in enumerate(self.cols):
            value = cell_value(col, row.get(col.name))
            if isinstance(value, date):
                sheet.write_datetime(
                    at, j, datetime(value.year, value.month, value.day), styles["date"]
                )
            elif col.rate and isinstance(value, int | float):
                sheet.write_number(at, j, value, styles["rate"])
            elif value is not None:
                sheet.write(at, j, value)

    def close(self) -> int:
        self.sheet.freeze_panes(self.top + 1, 0)
        self.sheet.autofilter(self.top, 0, self.top + max(self.count, 1), len(self.cols) - 1)
        return self.count


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31]


def csv_bytes(heading: Heading, columns: Sequence[Col], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """CSV with the header block on top; the byte-order mark makes Excel read UTF-8."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([heading.title])
    writer.writerows([list(line) for line in heading.lines()])
    writer.writerow([])
    cols = ordered(columns)
    writer.writerow([c.label for c in cols])
    for row in rows:
        writer.writerow([text_value(c, row.get(c.name)) for c in cols])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def download(
    heading: Heading, columns: Sequence[Col], rows: Iterable[Mapping[str, Any]], kind: str
) -> Response[Any]:
    """The CSV or XLSX file of one table, named after its title, unit and period."""
    body = xlsx(heading, columns, rows) if kind == "xlsx" else csv_bytes(heading, columns, rows)
    return attachment(body, file_name(heading.title, heading.unit, heading.period), kind)
