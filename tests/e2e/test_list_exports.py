"""Every list of the query API, exported as CSV and as XLSX, read back and checked.

For each list the registry knows (non-compliance lists, the register, supervision, admissions,
papers): the header block (title, unit, period), Vietnamese column labels in the spec's order
with identifiers last, no code left untranslated in any cell, dates as date cells (dd/mm/yyyy
in the CSV), a frozen header and an autofilter, and the same rows as the JSON list. A list
added later is covered without editing this file.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

import openpyxl
import pytest

from projections.registry import list_specs
from services.documents.labels import CODES
from services.documents.sheets import Col, ordered
from tests.e2e import test_views_api as views
from tests.e2e.test_exports_api import header_row, table
from tests.e2e.test_views_api import Q1, url

pytestmark = pytest.mark.e2e
setup = views.setup  # the province of the views tests, caught up

SPECS = list_specs()
RAW_CODE = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DDMMYYYY = re.compile(r"^\d{2}/\d{2}/\d{4}$")
UNTRANSLATED = {code for code, words in CODES.items() if code != words}


def expected_labels(spec) -> list[str]:
    return [c.label for c in ordered([Col(c.name, c.vi) for c in spec.columns])]


def identifier_columns(spec) -> set[str]:
    return {
        c.vi for c in spec.columns if c.name in ("key", "id", "unit_id", "cell_id", "member_id")
    }


def json_rows(client, tenant, headers, spec) -> list[dict[str, Any]]:
    response = client.get(
        url(tenant, f"/lists/{spec.name}"), params={**Q1, "limit": 500}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None  # the test province is small: one page holds it
    return list(body["rows"])


def check_cell(spec, label: str, value: Any, ids: set[str]) -> None:
    if not isinstance(value, str):
        return
    if label in ids:
        return  # identifiers go last and stay as they are
    assert value not in UNTRANSLATED, (spec.name, label, value)
    assert not RAW_CODE.match(value), (spec.name, label, value)
    assert not UUID_RE.match(value), (spec.name, label, "a UUID where a person reads")


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_list_exports_as_xlsx_and_csv_in_vietnamese(client, tenant, setup, spec):
    _, _, headers = setup
    expected = json_rows(client, tenant, headers, spec)
    labels_wanted = expected_labels(spec)
    ids = identifier_columns(spec)
    dates = {c.vi for c in spec.columns if c.sql_type == "date"}

    response = client.get(
        url(tenant, f"/lists/{spec.name}"), params={**Q1, "format": "xlsx"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response.headers["content-disposition"]
    assert "quy-i-2025.xlsx" in disposition
    assert "filename*=" in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == spec.title_vi
    meta = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, max_row=5, values_only=True)}
    assert meta["Đơn vị"] == "P"
    assert meta["Kỳ báo cáo"] == "Quý I/2025"
    assert meta["Số liệu tính đến ngày"] == "15/04/2025"
    labels, rows = table(sheet)
    assert labels == labels_wanted
    assert not [h for h in labels if RAW_CODE.match(h)], labels
    assert len(rows) == len(expected)
    top = header_row(sheet)
    assert sheet.auto_filter.ref.startswith(f"A{top}")
    for row in rows:
        for label, value in zip(labels, row, strict=True):
            check_cell(spec, label, value, ids)
            if label in dates and value is not None:
                assert isinstance(value, datetime), (spec.name, label, value)

    response = client.get(
        url(tenant, f"/lists/{spec.name}"), params={**Q1, "format": "csv"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == [spec.title_vi]
    assert ["Đơn vị", "P"] in lines
    assert ["Kỳ báo cáo", "Quý I/2025"] in lines
    start = lines.index(labels_wanted)
    body = lines[start + 1 :]
    assert len(body) == len(expected)
    for row in body:
        for label, value in zip(labels_wanted, row, strict=True):
            check_cell(spec, label, value, ids)
            if label in dates and value:
                assert DDMMYYYY.match(value), (spec.name, label, value)


def test_the_test_province_fills_the_lists_it_can(client, tenant, setup):
    """The checks above read rows, not only headers: the lists of meetings have rows."""
    _, _, headers = setup
    filled = {s.name for s in SPECS if json_rows(client, tenant, headers, s)}
    assert {"meetings", "cells_without_regular_meeting"} <= filled, filled
