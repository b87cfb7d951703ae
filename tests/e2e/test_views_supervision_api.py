"""Supervision and admissions over HTTP: the per-level view's new figures and the new lists.

The province is the one of tests/integration/test_rollups_supervision_admissions.py (figures
worked out by hand there); here the same figures must come back through the query API, as
JSON and as CSV.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from domain.user import Role
from projections import engine
from projections.registry import all_projections
from tests.e2e.auth_helpers import bearer, token
from tests.integration.test_rollups_supervision_admissions import build

pytestmark = pytest.mark.e2e

Q1 = {"period": "2025-Q1", "as_of": "2025-04-15"}


@pytest.fixture
def setup(
    client: Any, container: Any, tenant: Any, monkeypatch: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    province = build(container.applications.get(tenant.slug))
    for done in engine.catch_up_all(container.database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    return province, bearer(token(container, tenant.slug, Role.INSPECTOR))


def url(tenant: Any, path: str) -> str:
    return f"/api/v1/t/{tenant.slug}/views{path}"


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_level_view_and_new_lists_as_json_and_csv(client: Any, tenant: Any, setup: Any) -> None:
    t, headers = setup
    body = client.get(url(tenant, "/level"), params=Q1, headers=headers).json()
    f = body["node"]["figures"]
    assert (f["superior_planned"], f["superior_fulfilled"], f["superior_missed"]) == (4, 2, 2)
    assert (f["rotation_eligible"], f["rotation_taken"], f["rotation_coverage"]) == (8, 3, 0.375)
    assert (f["petitions_open"], f["petitions_overdue"], f["petitions_resolved"]) == (3, 2, 2)
    assert (f["admissions_applicants"], f["admissions_overdue_recognition"]) == (1, 1)
    assert {"supervision", "deadlines"} <= set(body["positions"])
    d1 = next(c for c in body["children"] if c["name"] == "D1")["figures"]
    assert (d1["superior_unplanned"], d1["rotation_coverage"]) == (1, 0.4)

    exported = csv_rows(
        client.get(url(tenant, "/level"), params={**Q1, "format": "csv"}, headers=headers)
    )
    start = next(i for i, row in enumerate(exported) if row[:1] == ["Tổ chức"])
    header, node = exported[start], exported[start + 1]
    assert node[header.index("Kiến nghị quá hạn")] == "2"
    assert node[header.index("Tỷ lệ tự phê bình xoay vòng")] == "37,5%"

    names = {i["name"] for i in client.get(url(tenant, "/lists"), headers=headers).json()}
    assert {
        "missed_superior_attendance",
        "overdue_petitions",
        "probationary_overdue_for_recognition",
    } <= names

    expected = {
        "missed_superior_attendance": [str(t["A2"]), str(t["A3"])],
        "overdue_petitions": [str(t["P2"]), str(t["P3"])],
        "probationary_overdue_for_recognition": [f"{t['K1']}:recognition_vote"],
    }
    for name, keys in expected.items():
        page = client.get(url(tenant, f"/lists/{name}"), params=Q1, headers=headers)
        assert page.status_code == 200, page.text
        assert [r["key"] for r in page.json()["rows"]] == keys
        table = csv_rows(
            client.get(
                url(tenant, f"/lists/{name}"), params={**Q1, "format": "csv"}, headers=headers
            )
        )
        start = next(i for i, row in enumerate(table) if row[-1:] == ["Mã"])  # the key goes last
        assert [r[-1] for r in table[start + 1 :]] == keys
    xlsx = client.get(
        url(tenant, "/lists/overdue_petitions"), params={**Q1, "format": "xlsx"}, headers=headers
    )
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    only_d1 = client.get(
        url(tenant, "/lists/overdue_petitions"),
        params={**Q1, "unit_id": str(t["D1"])},
        headers=headers,
    )
    assert only_d1.json()["rows"] == []
