"""Organisation units and members over HTTP: happy paths and every kind of bad input."""

from __future__ import annotations

from uuid import uuid4

import pytest

pytestmark = pytest.mark.e2e


def base(tenant) -> str:
    return f"/api/v1/t/{tenant.slug}"


def post_unit(client, tenant, name, level, parent_id=None, founded_on="2020-01-01", **request):
    """Ask to found a unit (thành lập tổ chức đảng); the answer, whatever it is."""
    body = {"name": name, "level": level, "founded_on": founded_on}
    if parent_id:
        body["parent_id"] = parent_id
    return client.post(f"{base(tenant)}/units", json=body, **request)


def found(client, tenant, name, level, parent_id=None, founded_on="2020-01-01"):
    response = post_unit(client, tenant, name, level, parent_id, founded_on)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def tree(client, tenant):
    root = found(client, tenant, "Đảng bộ tỉnh Thử", "province")
    commune = found(client, tenant, "Đảng ủy xã Hợp Lý", "direct", root)
    grassroots = found(client, tenant, "Đảng bộ xã Hợp Lý", "grassroots_committee", commune)
    cell = found(client, tenant, "Chi bộ thôn Tùy Sơn", "cell", grassroots)
    return {"root": root, "commune": commune, "grassroots": grassroots, "cell": cell}


def enrol(client, tenant, cell, name="Nguyễn Văn An", status="official"):
    body = {
        "full_name": name,
        "birth_date": "1980-05-01",
        "gender": "nam",
        "cell_id": cell,
        "status": status,
        "admitted_on": "2010-03-02",
        "joined_cell_on": "2015-01-01",
    }
    if status == "official":
        body["official_on"] = "2011-03-02"
    response = client.post(f"{base(tenant)}/members", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_tree_is_built_and_read_back(client, tenant, tree):
    unit = client.get(f"{base(tenant)}/units/{tree['grassroots']}").json()
    assert unit["level"] == "grassroots_committee"
    assert unit["child_ids"] == [tree["cell"]]
    assert unit["parent_id"] == tree["commune"]


def test_level_that_does_not_fit_its_parent_is_422(client, tenant, tree):
    response = post_unit(client, tenant, "Chi bộ lạc chỗ", "cell", tree["root"])
    assert response.status_code == 422
    assert response.json()["code"] == "level_does_not_fit_parent"
    assert "không thể trực thuộc" in response.json()["message"]


def test_wrong_type_and_missing_field_say_which_field(client, tenant):
    response = client.post(
        f"{base(tenant)}/units", json={"name": "X", "level": "cell", "founded_on": 5}
    )
    assert response.status_code == 400
    assert "founded_on" in response.text
    response = client.post(
        f"{base(tenant)}/units", json={"level": "cell", "founded_on": "2020-01-01"}
    )
    assert response.status_code == 400
    assert "name" in response.text


def test_unknown_tenant_is_404_and_bad_slug_is_400(client, container):
    from domain.user import Role
    from tests.e2e.auth_helpers import bearer, token

    # Signed in for that very (unknown or malformed) tenant, so only the tenant lookup can fail.
    for slug, status in (("khong_co", 404), ("Bad-Slug!", 400)):
        headers = bearer(token(container, slug, Role.TENANT_ADMIN))
        assert (
            client.get(f"/api/v1/t/{slug}/units/{uuid4()}", headers=headers).status_code == status
        )


def test_unknown_unit_is_404(client, tenant):
    response = client.get(f"{base(tenant)}/units/{uuid4()}")
    assert response.status_code == 404


def test_stale_write_is_409(client, tenant, tree):
    response = client.post(
        f"{base(tenant)}/units/{tree['cell']}/rename",
        json={"name": "Chi bộ mới", "expected_version": 99},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_write"


def test_member_roster_transfer_and_dissolution(client, tenant, tree):
    member = enrol(client, tenant, tree["cell"])
    roster = client.get(
        f"{base(tenant)}/units/{tree['cell']}/roster", params={"on": "2016-01-01"}
    ).json()
    assert roster["official_count"] == 1
    # A cell with an active member cannot be dissolved.
    response = client.post(
        f"{base(tenant)}/units/{tree['cell']}/dissolve",
        json={"dissolved_on": "2024-01-01", "reason": "Sáp nhập"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "unit_still_has_members"
    other = found(client, tenant, "Chi bộ thôn Vọng Sơn", "cell", tree["grassroots"])
    response = client.post(
        f"{base(tenant)}/members/{member}/transfer", json={"to_cell_id": other, "on": "2023-06-01"}
    )
    assert response.status_code == 201, response.text
    before = client.get(
        f"{base(tenant)}/units/{tree['cell']}/roster", params={"on": "2023-05-31"}
    ).json()
    after = client.get(
        f"{base(tenant)}/units/{tree['cell']}/roster", params={"on": "2023-06-01"}
    ).json()
    assert (before["official_count"], after["official_count"]) == (1, 0)
    response = client.post(
        f"{base(tenant)}/units/{tree['cell']}/dissolve",
        json={"dissolved_on": "2024-01-01", "reason": "Sáp nhập"},
    )
    assert response.status_code == 201, response.text
    assert (
        tree["cell"]
        not in client.get(f"{base(tenant)}/units/{tree['grassroots']}").json()["child_ids"]
    )


def test_a_member_who_left_shows_the_reason_in_words_beside_its_code(client, tenant, tree):
    """Issue 12 §5: ``departed`` keeps the code for machines; ``departed_label`` is for people,
    and so is the refusal of a later command."""
    member = enrol(client, tenant, tree["cell"])
    assert client.get(f"{base(tenant)}/members/{member}").json()["departed_label"] is None
    left = {"reason": "removed", "on": "2024-05-05", "note": "Bỏ sinh hoạt"}
    response = client.post(f"{base(tenant)}/members/{member}/leave", json=left)
    assert response.status_code == 201, response.text
    view = client.get(f"{base(tenant)}/members/{member}").json()
    assert (view["departed"], view["departed_label"]) == (["removed", "2024-05-05"], "xóa tên")
    again = client.post(f"{base(tenant)}/members/{member}/leave", json=left)
    assert again.status_code == 409
    assert again.json()["message"].endswith("đã ra khỏi danh sách (xóa tên)")


def test_moving_a_unit_under_its_own_descendant_is_refused(client, tenant, tree):
    response = client.post(
        f"{base(tenant)}/units/{tree['commune']}/move",
        json={"new_parent_id": tree["grassroots"], "moved_on": "2025-07-01"},
    )
    assert response.status_code == 422
    assert response.json()["code"] in {"move_would_create_cycle", "level_does_not_fit_parent"}


def test_openapi_is_served(client):
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/t/{tenant}/units" in response.json()["paths"]


def test_provisioning_through_the_admin_api_is_idempotent(client, database):
    from tests.conftest import drop_tenant, new_slug

    slug = new_slug()
    operator = {"X-Chibo-Operator-Token": "operator-secret-for-tests"}
    # A province's own administrator cannot provision or list provinces.
    assert client.post("/api/v1/tenants", json={"slug": slug, "name": "X"}).status_code == 401
    assert client.get("/api/v1/tenants").status_code == 401
    wrong = {"X-Chibo-Operator-Token": "doan-mo"}
    assert client.get("/api/v1/tenants", headers=wrong).status_code == 401
    first = client.post(
        "/api/v1/tenants", json={"slug": slug, "name": "Tỉnh Mới"}, headers=operator
    )
    second = client.post(
        "/api/v1/tenants", json={"slug": slug, "name": "Tỉnh Mới"}, headers=operator
    )
    assert (first.status_code, second.status_code) == (201, 200)
    listed = client.get("/api/v1/tenants", headers=operator).json()
    assert slug in [t["slug"] for t in listed]
    bad = client.post("/api/v1/tenants", json={"slug": "DROP TABLE", "name": "x"}, headers=operator)
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_tenant_slug"
    from infra.tenancy import find_tenant

    drop_tenant(database, find_tenant(database, slug))
