"""The collections of the JSON API: names, filters, cursor paging and scopes, over HTTP.

The province is the one of tests/integration/test_rollups_supervision_admissions.py (counted by
hand in its docstring). "Today" is the real Vietnamese date, long after April 2025, so every
open petition and every open step with a due date is overdue.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.attendance_plan import AssigneeRole
from domain.user import Role
from projections import engine
from projections.registry import all_projections
from services.identity import auth
from services.membership import lifecycle
from services.supervision import attendance
from tests.builders import ADMIN as BY
from tests.e2e.auth_helpers import bearer, token
from tests.integration.test_rollups_supervision_admissions import build

pytestmark = pytest.mark.e2e


def catch_up(container: Any, tenant: Any) -> None:
    for done in engine.catch_up_all(container.database, tenant.schema, all_projections()):
        assert done.error is None, done.error


@pytest.fixture
def province(container: Any, tenant: Any) -> dict[str, Any]:
    app = container.applications.get(tenant.slug)
    t = build(app)
    t["tuv"] = auth.create_user(
        app, BY, username="tuv.an", password="mat-khau-dai-du-12",
        role=Role.SUPERIOR_MEMBER, scope_unit_id=t["D1"], display_name="Nguyễn Văn An",
    )[0]  # fmt: skip
    t["member_a"] = auth.create_user(
        app, BY, username="dv.a", password="mat-khau-dai-du-12", role=Role.MEMBER,
        scope_unit_id=t["C1"], member_id=t["a"], display_name="Đảng viên A",
    )[0]  # fmt: skip
    catch_up(container, tenant)
    return t


def get(client: Any, tenant: Any, path: str, headers: Any = None, **params: Any) -> Any:
    response = client.get(f"/api/v1/t/{tenant.slug}{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def every_page(client: Any, tenant: Any, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        page = get(client, tenant, path, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ended")


def test_units_as_a_tree_with_drill_down_and_paging(client, tenant, province):
    t = province
    root = get(client, tenant, "/units")
    assert [(u["name"], u["depth"]) for u in root["items"]] == [("P", 0), ("D1", 1), ("D2", 1)]
    assert root["items"][0]["members"] == 11  # a–j and Mai, admitted at C1
    whole = every_page(client, tenant, "/units", depth=16, limit=2)
    # Tree order: each unit right after its parent, siblings by name.
    assert [u["name"] for u in whole] == ["P", "D1", "G1", "C1", "D2", "G2", "G3", "C2"]
    c2 = next(u for u in whole if u["name"] == "C2")
    assert c2["path"] == ["P", "D2", "G3", "C2"]
    assert c2["parent_name"] == "G3"
    d2 = get(client, tenant, "/units", unit_id=str(t["D2"]))["items"]
    assert [(u["name"], u["children"]) for u in d2] == [("D2", 2), ("G2", 0), ("G3", 1)]
    cells = get(client, tenant, "/units", depth=16, level="cell")["items"]
    assert {u["name"] for u in cells} == {"C1", "C2"}
    refused = client.get(f"/api/v1/t/{tenant.slug}/units", params={"level": "tỉnh"})
    assert refused.status_code == 400
    assert "level" in refused.text


def test_unit_member_counts_sum_present_members_over_each_subtree(
    client, container, tenant, province
):
    """Counted once per cell and summed up the tree: a member who died leaves every count of
    her cell's ancestors, and a subtree asked for, or every root, gives the same sums."""
    t = province
    app = container.applications.get(tenant.slug)
    lifecycle.record_death(app, BY, member_id=t["e"], on=date(2025, 4, 1), note="")
    catch_up(container, tenant)
    expected = {"P": 10, "D1": 5, "G1": 5, "C1": 5, "D2": 5, "G2": 3, "G3": 2, "C2": 2}
    whole = every_page(client, tenant, "/units", depth=16, limit=3)
    assert {u["name"]: u["members"] for u in whole} == expected
    d2 = get(client, tenant, "/units", unit_id=str(t["D2"]), depth=16)["items"]
    assert {u["name"]: u["members"] for u in d2} == {"D2": 5, "G2": 3, "G3": 2, "C2": 2}
    cell = get(client, tenant, "/units", unit_id=str(t["C2"]), depth=0)["items"]
    assert [(u["name"], u["members"]) for u in cell] == [("C2", 2)]
    committees = get(client, tenant, "/units", depth=16, level="grassroots_committee")["items"]
    assert {u["name"]: u["members"] for u in committees} == {"G1": 5, "G3": 2}
    by_count = get(client, tenant, "/units", depth=16, sort="members", order="desc")["items"]
    assert [u["members"] for u in by_count] == sorted(expected.values(), reverse=True)


def test_members_searchable_by_name_and_meetings_of_a_cell_by_month(client, tenant, province):
    t = province
    members = get(client, tenant, f"/units/{t['G1']}/members", q="viên a")["items"]
    assert [(m["full_name"], m["cell_name"]) for m in members] == [("Đảng viên A", "C1")]
    c1 = every_page(client, tenant, f"/units/{t['C1']}/members", limit=2)
    names = [m["full_name"] for m in c1]
    # Every member once, in the database's order of names (code points here).
    assert names == sorted(
        ["Đảng viên A", "Đảng viên B", "Đảng viên C", "Đảng viên D", "Vũ Thị Mai"]
    )
    probationary = get(client, tenant, f"/units/{t['C1']}/members", status="probationary")
    assert [m["full_name"] for m in probationary["items"]] == ["Vũ Thị Mai"]
    march = get(client, tenant, f"/units/{t['C1']}/meetings", period="2025-03")["items"]
    assert [(m["cell_name"], m["period"], m["kind"]) for m in march] == [
        ("C1", "2025-03", "regular")
    ]
    quarter = get(client, tenant, f"/units/{t['P']}/meetings", period="2025-Q1")["items"]
    assert sorted(m["cell_name"] for m in quarter) == ["C1", "C1", "C2", "C2", "G2"]
    bad = client.get(f"/api/v1/t/{tenant.slug}/units/{t['C1']}/meetings", params={"period": "x"})
    assert bad.status_code == 400


def test_a_member_reads_her_own_cells_meetings_and_turn_not_another_cells(
    client, container, tenant, province
):
    t = province
    mine = bearer(token(container, tenant.slug, Role.MEMBER, t["C1"], t["a"]))
    meetings = get(client, tenant, f"/units/{t['C1']}/meetings", mine, period="2025")["items"]
    assert sorted(m["period"] for m in meetings) == ["2025-01", "2025-03"]
    one = client.get(f"/api/v1/t/{tenant.slug}/meetings/{meetings[0]['id']}", headers=mine)
    assert one.status_code == 200, one.text
    rotation = client.get(
        f"/api/v1/t/{tenant.slug}/supervision/cells/{t['C1']}/rotation", headers=mine
    )
    assert rotation.status_code == 200, rotation.text
    for path in (f"/units/{t['C2']}/meetings", f"/supervision/cells/{t['C2']}/rotation"):
        refused = client.get(f"/api/v1/t/{tenant.slug}{path}", headers=mine)
        assert refused.status_code == 403, path
    other = get(client, tenant, f"/units/{t['C2']}/meetings", period="2025")["items"][0]
    refused = client.get(f"/api/v1/t/{tenant.slug}/meetings/{other['id']}", headers=mine)
    assert refused.status_code == 403
    # Her scope is her cell: the committee's meetings are not hers.
    above = client.get(f"/api/v1/t/{tenant.slug}/units/{t['G1']}/meetings", headers=mine)
    assert above.status_code == 403


def test_admission_cases_with_step_and_overdue(client, tenant, province):
    cases = {c["applicant_name"]: c for c in get(client, tenant, "/admissions")["items"]}
    assert {n: (c["step"], c["cell_name"], c["state"]) for n, c in cases.items()} == {
        "Vũ Thị Mai": ("recognition_vote", "C1", "open"),
        "Ngô Văn Nam": ("ceremony", "C2", "open"),
        "Lý Thị Hoa": ("application", "G2", "open"),
    }
    assert cases["Vũ Thị Mai"]["due_on"] == "2025-02-03"
    overdue = get(client, tenant, "/admissions", overdue="true")["items"]
    assert {c["applicant_name"] for c in overdue} == {"Vũ Thị Mai", "Ngô Văn Nam"}
    step = get(client, tenant, "/admissions", step="application")["items"]
    assert [c["applicant_name"] for c in step] == ["Lý Thị Hoa"]
    d1 = get(client, tenant, "/admissions", unit_id=str(province["D1"]))["items"]
    assert [c["applicant_name"] for c in d1] == ["Vũ Thị Mai"]  # C2 moved to D2 in February


def test_petitions_plans_and_assignments(client, tenant, province):
    t = province
    petitions = get(client, tenant, "/supervision/petitions", sort="raised_on")["items"]
    assert [(p["cell_name"], p["category"], p["state"]) for p in petitions][:2] == [
        ("C1", "dân sinh", "answered"),
        ("C2", "dân sinh", "raised"),
    ]
    assert len(petitions) == 5
    overdue = get(client, tenant, "/supervision/petitions", overdue="true")["items"]
    assert {str(p["petition_id"]) for p in overdue} == {str(t[k]) for k in ("P2", "P3", "P5")}
    reopened = get(client, tenant, "/supervision/petitions", state="reopened")["items"]
    assert [p["petition_id"] for p in reopened] == [str(t["P3"])]
    plans = get(client, tenant, "/supervision/plans", year=2025)["items"]
    assert [(p["committee_name"], p["assignments"], p["missed"]) for p in plans] == [("P", 7, 1)]
    assert plans[0]["fulfilled"] == 3  # A1, A4 and the unplanned U1
    g2 = get(client, tenant, "/supervision/assignments", unit_id=str(t["G2"]))["items"]
    assert sorted((a["month"], a["state"]) for a in g2) == [
        ("2025-02-01", "attended"), ("2025-04-01", "assigned"),
    ]  # fmt: skip
    missed = get(client, tenant, "/supervision/assignments", state="missed")["items"]
    assert [(a["assignee_name"], a["cell_name"]) for a in missed] == [("Tỉnh ủy viên 2", "C2")]


def test_an_assignment_to_a_user_account_is_in_my_assignments(client, container, tenant, province):
    t = province
    tuv = t["tuv"]
    url = f"/api/v1/t/{tenant.slug}/supervision/plans/{t['plan']}/assignments"
    body = {
        "assignee": {"user_id": str(tuv.id), "role": AssigneeRole.COMMITTEE_MEMBER.value},
        "cell_id": str(t["C1"]),
        "month": "2025-06-01",
    }
    # The plan is the province's; an account scoped to D1 cannot report on it.
    refused = client.post(url, json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "assignee_not_committee_member"
    app = container.applications.get(tenant.slug)
    plan_d1, _ = attendance.make_plan(
        app, BY, committee_id=t["D1"], year=2025, quarter=None, title="Kế hoạch của D1"
    )
    url = f"/api/v1/t/{tenant.slug}/supervision/plans/{plan_d1.id}/assignments"
    made = client.post(url, json=body)
    assert made.status_code == 201, made.text
    member_account = {**body, "assignee": {**body["assignee"], "user_id": str(t["member_a"].id)}}
    assert client.post(url, json=member_account).status_code == 422
    nobody = client.post(url, json={**body, "assignee": {"role": "staff"}})
    assert nobody.status_code == 400
    catch_up(container, tenant)
    headers = bearer(
        token(container, tenant.slug, Role.SUPERIOR_MEMBER, t["D1"], user_id=str(tuv.id))
    )
    mine = get(client, tenant, "/supervision/my-assignments", headers)["items"]
    assert [(a["assignee_name"], a["cell_name"], a["month"], a["state"]) for a in mine] == [
        ("Nguyễn Văn An", "C1", "2025-06-01", "assigned")
    ]
    someone_else = bearer(token(container, tenant.slug, Role.SUPERIOR_MEMBER, t["D1"]))
    assert get(client, tenant, "/supervision/my-assignments", someone_else)["items"] == []
    assert date.fromisoformat(mine[0]["month"]) == date(2025, 6, 1)


def test_users_with_role_and_scope_names(client, container, tenant, province):
    t = province
    users = get(client, tenant, "/users", sort="username")["items"]
    assert [(u["username"], u["display_name"], u["role"], u["scope_name"]) for u in users] == [
        ("dv.a", "Đảng viên A", "member", "C1"),
        ("tuv.an", "Nguyễn Văn An", "superior_member", "D1"),
    ]
    assert users[0]["member_name"] == "Đảng viên A"
    assert "password" not in str(users)
    assert "hash" not in str(users)
    only = get(client, tenant, "/users", role="member")["items"]
    assert [u["username"] for u in only] == ["dv.a"]
    scoped = bearer(token(container, tenant.slug, Role.TENANT_ADMIN, t["D2"]))
    assert get(client, tenant, "/users", scoped)["items"] == []
    refused = client.get(
        f"/api/v1/t/{tenant.slug}/users", params={"unit_id": str(t["D1"])}, headers=scoped
    )
    assert refused.status_code == 403
