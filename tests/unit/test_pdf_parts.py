"""A PDF joined from parts (render.to_pdf_parts): every page shows "page/total" of the whole file.

Also the place-and-date line every document carries under its header."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from services.documents.model import Document, Heading, Table, place_and_date
from services.documents.render import to_pdf_parts

pytestmark = pytest.mark.unit

FOOTER = "Báo cáo thử — Đảng bộ xã Tùy Sơn"


def part(name: str, rows: int, landscape: bool) -> Document:
    table = Table(
        headers=("STT", "Chi bộ"), rows=tuple((str(i), f"{name} {i}") for i in range(rows))
    )
    return Document(
        issuer_above="ĐẢNG BỘ HUYỆN THỬ",
        issuer="ĐẢNG BỘ XÃ TÙY SƠN",
        number="Số 1-BC/ĐU",
        place_date="Vĩnh Phúc, ngày 01 tháng 12 năm 2026",
        title="Báo cáo kết quả sinh hoạt chi bộ",
        subtitle="",
        blocks=(Heading(text=f"Phụ lục {name}"), table),
        landscape=landscape,
    )


def footer_of(text: str) -> str:
    """The footer line of a page's text: the footer words then "n/total"."""
    flat = re.sub(r"\s+", " ", text)
    return flat[flat.rindex("Báo cáo thử") :]


def test_every_page_of_every_part_shows_its_number_and_the_total():
    parts = [part("A", 60, True), part("B", 90, False), part("C", 70, True)]
    out = io.BytesIO()
    count = to_pdf_parts(parts, FOOTER, out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    pages = reader.pages
    assert count == len(pages)
    # each part starts on a page of its own, so the parts' page counts add up to the total
    first_of = {
        name: next(i for i, p in enumerate(pages) if f"Phụ lục {name}" in p.extract_text())
        for name in "ABC"
    }
    assert 0 == first_of["A"] < first_of["B"] - 1 < first_of["C"] - 2 < len(pages) - 3
    for i, page in enumerate(pages):
        footer = footer_of(page.extract_text())
        assert footer.endswith(f"{i + 1}/{len(pages)}"), (i, footer)
        assert footer.count("/") == 1, (i, footer)  # drawn once, not over a number of its own
    # the stamp keeps each page's own size: a landscape part stays landscape
    assert pages[first_of["C"]].mediabox.width > pages[first_of["C"]].mediabox.height
    assert pages[first_of["B"]].mediabox.width < pages[first_of["B"]].mediabox.height
    # the header is drawn once, on the first page
    assert sum("ĐẢNG CỘNG SẢN VIỆT NAM" in p.extract_text() for p in pages) == 1
    assert reader.metadata is not None
    assert reader.metadata.title == parts[0].title


def test_the_place_and_date_line_has_no_stray_comma_without_a_place():
    day = date(2023, 11, 3)
    assert place_and_date("Cần Thơ", day) == "Cần Thơ, ngày 03 tháng 11 năm 2023"
    assert place_and_date("", day) == "ngày 03 tháng 11 năm 2023"
