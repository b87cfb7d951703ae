"""Reading an import file: XLSX or CSV, the CSV's encoding detected and named in the report.

Spreadsheets save CSV as UTF-8 (with or without a byte-order mark), UTF-16 (Excel's "Unicode
text") or Windows-1258 (Vietnamese Windows). Windows-1258 writes some tones as combining marks,
so every cell is normalised to NFC: "Nguyễn" read from any of them is the same string.

Rows are produced one at a time (the file itself is in memory, its rows are not), so a file of
120,000 members is read twice — the dry run, then the import — in bounded memory.

The readings of a typed day, time and month (``parse_day``, ``parse_clock``, ``parse_month``)
are here, the imports' and the web forms' one copy of each (services/web/dates.py).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from domain.base import InvalidValue

XLSX = "XLSX"
Row = tuple[int, list[str]]
"""(the row's number as the spreadsheet shows it, its cells as text)."""


class UnreadableFile(InvalidValue):
    code = "import_file_unreadable"


def detect(data: bytes) -> str:
    """The file's format or encoding, as the report names it."""
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if data.startswith(codecs.BOM_UTF8):
        return "UTF-8 (BOM)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 20):  # a chunk at a time: no copy of the file
            decoder.decode(data[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "Windows-1258"
    return "UTF-8"


CODECS = {"UTF-8": "utf-8", "UTF-8 (BOM)": "utf-8-sig", "UTF-16": "utf-16",
          "Windows-1258": "cp1258"}  # fmt: skip


def read_rows(data: bytes) -> tuple[str, Iterator[Row]]:
    """The encoding and the rows (header first) of an XLSX or CSV file."""
    encoding = detect(data)
    if encoding == XLSX:
        return encoding, _xlsx_rows(data)
    return encoding, _csv_rows(data, CODECS[encoding])


def _csv_rows(data: bytes, codec: str) -> Iterator[Row]:
    text = io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline="")
    first = text.readline()
    delimiter = max((",", ";", "\t"), key=first.count)
    text.seek(0)
    for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
        if any(c.strip() for c in cells):
            yield number, [unicodedata.normalize("NFC", c.strip()) for c in cells]


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UnreadableFile(
            "Không đọc được tệp XLSX", f"the XLSX file cannot be read: {error}", field="file"
        ) from error
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if any(cells):
                yield number, cells
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value).strip())


def parse_day(text: str) -> date | None:
    """dd/mm/yyyy (also with ``-`` or ``.``) or ISO yyyy-mm-dd; ``None`` if it is neither."""
    value = text.strip()
    try:
        if len(value) == 10 and value[4] == "-":
            return date.fromisoformat(value)
        parts = value.replace("-", "/").replace(".", "/").split("/")
        if len(parts) == 3 and len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None
    return None


CLOCK = re.compile(r"(\d{1,2})(?::(\d{2})|[hH](\d{2})?)", re.ASCII)
"""24-hour ``14:00`` or the Vietnamese ``14h00``/``14h`` (giờ); one-digit hours (``9:05``)."""
MONTH = re.compile(r"(\d{1,2})[/.\-](\d{4})|(\d{4})-(\d{1,2})", re.ASCII)


def parse_clock(text: str) -> time | None:
    """A time of day (giờ:phút), 24-hour ``HH:MM`` or ``14h00``/``14h``; ``None`` if not one."""
    found = CLOCK.fullmatch(text.strip())
    if found is None:
        return None
    hour, minute = int(found[1]), int(found[2] or found[3] or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def parse_month(text: str) -> tuple[int, int] | None:
    """A month (tháng/năm) ``mm/yyyy`` (``-`` or ``.`` also) or ISO ``yyyy-mm``, as (year,
    month); ``None`` if it is neither."""
    found = MONTH.fullmatch(text.strip())
    if found is None:
        return None
    year, month = (int(found[2]), int(found[1])) if found[1] else (int(found[3]), int(found[4]))
    return (year, month) if 1 <= month <= 12 and year >= 1 else None
