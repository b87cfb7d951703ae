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
    # Constant memory: each row goes to a temporary file as written (not with in_memory).
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    styles = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "label": book.add_format({"bold": True}),
        "head": book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#EEEEEE"}
        ),
        "date": book.add_format({"num_format": "dd/mm/yyyy"}),
        "rate": book.add_format({"num_format": "0.0%"}),
    }
    _sheet(book, styles, "Báo cáo", heading, columns, rows)
    for name, cols, more in appendices:
        sub = Heading(name, heading.unit, heading.period, heading.as_of, heading.generated_by,
                      heading.generated_at)  # fmt: skip
        _sheet(book, styles, name, sub, cols, more)
    book.close()
    return buffer.getvalue()


def _sheet(
    book: Any,
    styles: dict[str, Any],
    name: str,
    heading: Heading,
    columns: Sequence[Col],
    rows: Iterable[Mapping[str, Any]],
) -> None:
    sheet = book.add_worksheet(_sheet_name(name))
    cols = ordered(columns)
    sheet.write(0, 0, heading.title, styles["title"])
    lines = heading.lines()
    for i, (label, value) in enumerate(lines, start=1):
        sheet.write(i, 0, label, styles["label"])
        sheet.write(i, 1, value)
    top = len(lines) + 2
    widths = [max(10, min(40, len(c.label) + 2)) for c in cols]
    # Widths are set before the rows: constant-memory mode writes each row as it goes.
    for j, width in enumerate(widths):
        sheet.set_column(j, j, max(width, 28 if j == 0 else width))
    sheet.set_row(top, 45)
    for j, col in enumerate(cols):
        sheet.write(top, j, col.label, styles["head"])
    count = 0
    for count, row in enumerate(rows, start=1):
        for j, col in enumerate(cols):
            value = cell_value(col, row.get(col.name))
            if isinstance(value, date):
                sheet.write_datetime(
                    top + count, j, datetime(value.year, value.month, value.day), styles["date"]
                )
            elif col.rate and isinstance(value, int | float):
                sheet.write_number(top + count, j, value, styles["rate"])
            elif value is not None:
                sheet.write(top + count, j, value)
    sheet.freeze_panes(top + 1, 0)
    sheet.autofilter(top, 0, top + max(count, 1), len(cols) - 1)


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
