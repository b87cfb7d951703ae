"""The query API: per-level view, drill-down, lists with paging and exports, read-your-writes.

The province is the one of tests/integration/test_projection_rollups.py (figures worked out by
hand there); here the same figures must come back over HTTP.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import openpyxl
import pytest

from domain.base import SYSTEM
from domain.user import Role
from projections import engine
from projections.registry import all_projections
from services import workers
from services.audit.replay import drop_replay, replay_until
from tests.e2e.auth_helpers import bearer, token
from tests.e2e.test_org_api import post_unit
from tests.integration.test_projection_rollups import build_province

pytestmark = pytest.mark.e2e

Q1 = {"period": "2025-Q1", "as_of": "2025-04-15"}


@pytest.fixture
def setup(client, container, tenant, monkeypatch) -> tuple[Any, Any, dict[str, Any]]:
    app = container.applications.get(tenant.slug)
    province = build_province(app)
    for done in engine.catch_up_all(container.database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    headers = bearer(token(container, tenant.slug, Role.INSPECTOR))
    return province, app, headers


def url(tenant: Any, path: str) -> str:
    return f"/api/v1/t/{tenant.slug}/views{path}"


def test_province_view_and_drill_down(client, tenant, setup):
    _province, _, headers = setup
    body = client.get(url(tenant, "/level"), params=Q1, headers=headers).json()
    node = body["node"]
    assert node["name"] == "P"
    assert node["figures"]["due"] == 9
    assert node["figures"]["missing"] == 2
    assert node["figures"]["attendance_rate"] == 0.75
    assert [c["name"] for c in body["children"]] == ["D1", "D2"]
    d2 = next(c for c in body["children"] if c["name"] == "D2")
    deeper = client.get(
        url(tenant, "/level"), params={**Q1, "unit_id": d2["id"]}, headers=headers
    ).json()
    assert deeper["node"]["figures"]["held"] == d2["figures"]["held"] == 3
    assert {c["name"] for c in deeper["children"]} == {"G2", "G3"}
    assert body["positions"]["meetings"] >= 1


def test_non_compliance_lists(client, tenant, setup):
    _, _, headers = setup

    def rows(name: str, **params: Any) -> list[dict[str, Any]]:
        response = client.get(
            url(tenant, f"/lists/{name}"), params={**Q1, **params}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()["rows"]

    missing = rows("cells_without_regular_meeting")
    assert sorted((r["cell_name"], r["period"], r["status"]) for r in missing) == [
        ("C2", "2025-02", "missing"),
        ("G2", "2025-03", "missing"),
    ]
    assert {r["cell_name"] for r in rows("cells_without_thematic_meeting")} == {"C2"}
    kem = rows("cells_rated_kem_twice")
    assert [(r["cell_name"], r["first_period"], r["period"]) for r in kem] == [
        ("C1", "2025-02", "2025-03")
    ]
    # D: unexcused, unexcused, excused; HD 12 criterion 1 counts the 4th excused in a row
    # (tests/integration/test_absent_over_3.py); the old list name still answers.
    assert rows("members_absent_over_3_in_a_row") == rows("members_absent_3_in_a_row") == []
    assert len(rows("meetings")) == 9
    assert [r["cell_name"] for r in rows("meetings", q="g2", sort="held_on")] == ["G2"] * 3


def test_cursor_pages_cover_the_list_once_in_order(client, tenant, setup):
    _, _, headers = setup
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params = {**Q1, "limit": 2, "sort": "held_on", "order": "desc"}
        if cursor:
            params["cursor"] = cursor
        page = client.get(url(tenant, "/lists/meetings"), params=params, headers=headers).json()
        seen += [r["held_on"] for r in page["rows"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 9
    assert seen == sorted(seen, reverse=True)


def test_exports_csv_and_xlsx(client, tenant, setup):
    """Kept short: tests/e2e/test_exports_api.py checks the exports' content in full."""
    _, _, headers = setup
    response = client.get(
        url(tenant, "/lists/cells_without_regular_meeting"),
        params={**Q1, "format": "csv"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = table.index(["Chi bộ", "Trực thuộc", "Kỳ", "Tình trạng", "Mã"])
    assert len(table) == header + 3
    view = client.get(url(tenant, "/level"), params={**Q1, "format": "xlsx"}, headers=headers)
    assert view.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(view.content)).active
    cells = {c for row in sheet.iter_rows(values_only=True) for c in row}
    assert {"Tổ chức", "D2"} <= cells


def test_bad_requests_are_400_or_404(client, tenant, setup):
    _, _, headers = setup
    get = lambda path, **p: client.get(url(tenant, path), params=p, headers=headers)  # noqa: E731
    assert get("/level", period="2025-13").status_code == 400
    assert get("/level", format="pdf").status_code == 400
    assert get("/lists/meetings", sort="birth_date").status_code == 400
    assert get("/lists/meetings", cursor="not-a-cursor").status_code == 400
    assert get("/lists/nothing_here").status_code == 404
    assert get("/level", wait_ms=60_000).status_code == 400


def test_read_your_writes_waits_for_the_workers(client, container, tenant, setup):
    province, _app, headers = setup
    admin = bearer(token(container, tenant.slug, Role.TENANT_ADMIN))
    d1 = str(province.id("D1"))
    written = post_unit(client, tenant, "G9", "grassroots_committee", d1, headers=admin)
    assert written.status_code == 201, written.text
    position = written.json()["position"]
    params = {**Q1, "unit_id": d1, "min_position": position}
    # No worker in this process yet: the view refuses to pass off stale figures as current.
    behind = client.get(url(tenant, "/level"), params=params, headers=headers)
    assert behind.status_code == 409
    assert behind.json()["code"] == "projections_behind"
    workers.configure(container.database, None, threads=2, tick_seconds=None)
    try:
        fresh = client.get(
            url(tenant, "/level"), params={**params, "wait_ms": 5000}, headers=headers
        )
    finally:
        workers.shutdown()
    assert fresh.status_code == 200, fresh.text
    assert "G9" in {c["name"] for c in fresh.json()["children"]}
    assert fresh.json()["positions"]["org_tree"] >= position


def test_a_view_behind_a_rebuild_for_a_new_version_says_so(client, container, tenant, setup):
    from projections import versions

    _province, app, headers = setup
    with container.database.connect() as conn:
        versions.record(conn, tenant.schema, "rollup", 2, versions.REBUILDING)
    params = {**Q1, "min_position": app.log_position + 1}
    behind = client.get(url(tenant, "/level"), params=params, headers=headers)
    assert behind.status_code == 409
    body = behind.json()
    assert body["code"] == "projections_behind"
    assert body["details"]["rebuilding"] == ["rollup"]
    assert "dựng lại" in body["message"]


def test_a_replay_is_read_through_the_same_view(client, container, tenant, setup):
    """Issue 12 §5: the view as recorded at a position (``chibo replay --until``), beside the
    live one; a position never replayed is a named 404."""
    _province, app, headers = setup
    live = client.get(url(tenant, "/level"), params=Q1, headers=headers).json()
    live_list = client.get(
        url(tenant, "/lists/cells_without_regular_meeting"), params=Q1, headers=headers
    ).json()["rows"]
    position = app.log_position
    replay_until(container.database, tenant.schema, position)
    try:
        root = app.repository.get(UUID(live["node"]["id"]))
        root.rename("P (tên mới)", SYSTEM)
        app.save_all(root)
        for done in engine.catch_up_all(container.database, tenant.schema, all_projections()):
            assert done.error is None, done.error
        now = client.get(url(tenant, "/level"), params=Q1, headers=headers).json()
        then = client.get(
            url(tenant, "/level"), params={**Q1, "replay": position}, headers=headers
        ).json()
        assert now["node"]["name"] == "P (tên mới)"
        assert then["node"]["name"] == "P"
        assert then["node"]["figures"] == live["node"]["figures"]
        missing = client.get(
            url(tenant, "/level"), params={**Q1, "replay": position + 50}, headers=headers
        )
        assert missing.status_code == 404
        assert missing.json()["code"] == "replay_not_found"
        # The lists and their exports take the same parameter: the unit as it was named then.
        listed = url(tenant, "/lists/cells_without_regular_meeting")
        then_list = client.get(listed, params={**Q1, "replay": position}, headers=headers)
        assert then_list.status_code == 200, then_list.text
        assert then_list.json()["rows"] == live_list
        sheet = client.get(
            listed, params={**Q1, "replay": position, "format": "csv"}, headers=headers
        )
        assert "P (tên mới)" not in sheet.text
        assert "P (tên mới)" in client.get(listed, params={**Q1, "format": "csv"},
                                           headers=headers).text  # fmt: skip
        gone = client.get(listed, params={**Q1, "replay": position + 50}, headers=headers)
        assert gone.json()["code"] == "replay_not_found"
    finally:
        drop_replay(container.database, tenant.schema, position)
