"""Reading import files: each encoding detected and named, cells normalised, dates parsed,
headers matched without diacritics (services/imports/reading.py, template.py)."""

from __future__ import annotations

import codecs
import unicodedata
from datetime import date

import pytest

from services.imports.reading import detect, parse_day, read_rows
from services.imports.template import MEMBER_COLUMNS, header_keys, plain
from tests.unit.day_spellings import day_first

pytestmark = pytest.mark.unit

TEXT = "Họ và tên;Ngày sinh\r\nNguyễn Thị Hường;02/03/1980\r\n"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (TEXT.encode(), "UTF-8"),
        (codecs.BOM_UTF8 + TEXT.encode(), "UTF-8 (BOM)"),
        (TEXT.encode("utf-16"), "UTF-16"),
        (unicodedata.normalize("NFD", TEXT).encode("utf-8"), "UTF-8"),
    ],
)
def test_each_encoding_is_named_and_gives_the_same_cells(data, name):
    encoding, rows = read_rows(data)
    assert encoding == name
    assert list(rows) == [(1, ["Họ và tên", "Ngày sinh"]), (2, ["Nguyễn Thị Hường", "02/03/1980"])]


def test_windows_1258_is_what_is_not_utf8():
    # "Hường" as Windows-1258 stores it: ư (0xFD) then the grave tone as a combining mark (0xCC).
    data = b"H\xfd\xcc\x6eg;1\r\n"
    encoding, rows = read_rows(data)
    assert encoding == "Windows-1258"
    assert list(rows) == [(1, ["Hừng", "1"])]
    assert detect(b"PK\x03\x04rest") == "XLSX"


def test_blank_rows_are_skipped_and_the_separator_is_sniffed():
    _, rows = read_rows(b"a,b\n\n,\n1,2\n")
    assert list(rows) == [(1, ["a", "b"]), (4, ["1", "2"])]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        *day_first(date(1980, 3, 2)),
        ("31/02/1980", None),
        ("1980", None),
        ("hôm qua", None),
    ],
)
def test_dates(text, day):
    assert parse_day(text) == day


def test_headers_match_without_diacritics_case_or_punctuation():
    keys = header_keys(MEMBER_COLUMNS)
    for header in ("Số thẻ đảng viên", "SO THE DANG VIEN", "so_the_dang_vien", "card"):
        assert keys[plain(header)] == "card"
    assert plain("Đảng bộ cơ sở") == "dang_bo_co_so"
