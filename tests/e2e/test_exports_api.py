"""Exports a person can read, read back with openpyxl and pypdf: the per-level view, the lists,
and the report document (báo cáo kết quả sinh hoạt chi bộ) with its appendices.

The province is the one of tests/integration/test_projection_rollups.py (P › D1, D2 › …).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from tests.e2e import doc_pictures
from tests.e2e import test_views_api as views
from tests.e2e.test_views_api import Q1, url

pytestmark = pytest.mark.e2e
setup = views.setup  # the province of the views tests, caught up

RAW_CODE = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")


def fetch(client, tenant, headers, path: str, **params: Any):
    response = client.get(url(tenant, path), params={**Q1, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response


def header_row(sheet) -> int:
    """The table's header row: the one frozen above the data."""
    return int(re.match(r"A(\d+)", sheet.freeze_panes).group(1)) - 1


def table(sheet) -> tuple[list[str], list[list[Any]]]:
    top = header_row(sheet)
    rows = list(sheet.iter_rows(min_row=top, values_only=True))
    return list(rows[0]), [list(r) for r in rows[1:]]


def block(sheet) -> dict[str, Any]:
    return {r[0]: r[1] for r in sheet.iter_rows(min_row=2, max_row=5, values_only=True)}


def test_level_view_xlsx_has_vietnamese_labels_percentages_and_a_title_block(client, tenant, setup):
    _, _, headers = setup
    response = fetch(client, tenant, headers, "/level", format="xlsx")
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        "bao-cao-ket-qua-sinh-hoat-chi-bo-p-quy-i-2025.xlsx"
        in (response.headers["content-disposition"])
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Báo cáo kết quả sinh hoạt chi bộ"
    meta = block(sheet)
    assert meta["Đơn vị"] == "P"
    assert meta["Kỳ báo cáo"] == "Quý I/2025"
    assert meta["Số liệu tính đến ngày"] == "15/04/2025"
    assert meta["Người lập"].startswith("test-inspector, lúc ")
    labels, rows = table(sheet)
    assert labels[:3] == ["Tổ chức", "Cấp", "Trực thuộc"]
    assert labels[-1] == "Mã (UUID)"
    assert "Tỷ lệ dự họp" in labels
    assert "Không tổ chức (thiếu)" in labels
    assert not [h for h in labels if RAW_CODE.match(h)], labels
    node, *children = rows
    assert node[0] == "P"
    assert node[1] == "Đảng bộ tỉnh"
    rate = labels.index("Tỷ lệ dự họp")
    assert node[rate] == 0.75
    top = header_row(sheet)
    assert sheet.cell(top + 1, rate + 1).number_format == "0.0%"
    assert node[labels.index("Không tổ chức (thiếu)")] == 2
    assert [(c[0], c[2]) for c in children] == [("D1", "P"), ("D2", "P")]
    assert sheet.auto_filter.ref.startswith(f"A{top}")


def test_list_exports_translate_codes_and_hold_dates_as_dates(client, tenant, setup):
    _, _, headers = setup
    sheet = openpyxl.load_workbook(
        io.BytesIO(fetch(client, tenant, headers, "/lists/meetings", format="xlsx").content)
    ).active
    assert sheet["A1"].value == "Sổ sinh hoạt chi bộ"
    labels, rows = table(sheet)
    assert labels[-1] == "Mã"
    assert len(rows) == 9
    col = {name: labels.index(name) for name in labels}
    assert {r[col["Loại"]] for r in rows} <= {"thường kỳ", "chuyên đề", "bất thường"}
    assert {r[col["Đúng hạn"]] for r in rows} <= {"đúng hạn", "muộn"}
    assert {r[col["Xếp loại"]] for r in rows} <= {"Tốt", "Khá", "Trung bình", "Kém", None}
    assert {r[col["Xếp loại"]] for r in rows} - {None}
    assert all(isinstance(r[col["Ngày họp"]], datetime) for r in rows)
    assert all(r[col["Trực thuộc"]] for r in rows)  # cells may share a name: their parent
    assert all(re.fullmatch(r"\d{2}/2025", r[col["Kỳ"]]) for r in rows)

    response = fetch(client, tenant, headers, "/lists/cells_without_regular_meeting", format="csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["Chi bộ không sinh hoạt thường kỳ trong tháng"]
    assert ["Kỳ báo cáo", "Quý I/2025"] in lines
    start = lines.index(["Chi bộ", "Trực thuộc", "Kỳ", "Tình trạng", "Mã"])
    assert sorted((r[0], r[2], r[3]) for r in lines[start + 1 :]) == [
        ("C2", "02/2025", "thiếu"),
        ("G2", "03/2025", "thiếu"),
    ]


def test_the_report_document_in_xlsx_and_pdf(client, tenant, setup):
    _, _, headers = setup
    book = openpyxl.load_workbook(
        io.BytesIO(fetch(client, tenant, headers, "/report", format="xlsx").content)
    )
    assert book.sheetnames[0] == "Báo cáo"
    assert len(book.sheetnames) == 9  # the report and eight appendices (the last: papers late)
    assert book.sheetnames[-1].startswith("Chi bộ gửi tài liệu")
    missing = book[book.sheetnames[1]]
    assert missing["A1"].value == "Chi bộ không sinh hoạt thường kỳ trong tháng"
    _, rows = table(missing)
    assert sorted((r[0], r[3]) for r in rows) == [("C2", "thiếu"), ("G2", "thiếu")]

    pdf = fetch(client, tenant, headers, "/report", format="pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    doc_pictures.keep("report", pdf.content)
    text = re.sub(
        r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    )
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BÁO CÁO KẾT QUẢ SINH HOẠT CHI BỘ",
        "Quý I/2025",
        "Số liệu tính đến ngày: 15/04/2025",
        "Tỷ lệ dự họp",
        "75,0%",
        "II. CÁC TỔ CHỨC TRỰC THUỘC",
        "PHỤ LỤC 1. CHI BỘ KHÔNG SINH HOẠT THƯỜNG KỲ TRONG THÁNG (2)",
        "thiếu",
    ):
        assert expected in text, expected
    refused = client.get(url(tenant, "/report"), params={**Q1, "format": "csv"}, headers=headers)
    assert refused.status_code == 400
