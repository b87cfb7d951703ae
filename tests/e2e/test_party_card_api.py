"""Party card numbers over HTTP: 409 ``party_card_number_taken``, lookup by number, correction."""

from __future__ import annotations

import pytest

from tests.e2e.test_org_api import base, tree  # noqa: F401

pytestmark = pytest.mark.e2e


def enrol(client, tenant, cell, number, name="Nguyễn Văn An"):
    return client.post(
        f"{base(tenant)}/members",
        json={
            "full_name": name,
            "birth_date": "1980-05-01",
            "gender": "nam",
            "cell_id": cell,
            "status": "official",
            "admitted_on": "2010-03-02",
            "official_on": "2011-03-02",
            "joined_cell_on": "2015-01-01",
            "party_card_number": number,
        },
    )


def test_card_number_is_unique_searchable_and_corrected_with_a_reason(client, tenant, tree):  # noqa: F811
    first = enrol(client, tenant, tree["cell"], "01.000001")
    assert first.status_code == 201, first.text
    taken = enrol(client, tenant, tree["cell"], "01.000001", "Trần Văn Bình")
    assert taken.status_code == 409
    assert taken.json()["code"] == "party_card_number_taken"
    assert "01.000001" in taken.json()["message"]
    found = client.get(f"{base(tenant)}/members/by-card/01.000001")
    assert found.status_code == 200
    assert found.json()["id"] == first.json()["id"]
    assert found.json()["party_card_number"] == "01.000001"
    assert client.get(f"{base(tenant)}/members/by-card/01.999999").status_code == 404
    member = first.json()["id"]
    no_reason = client.post(
        f"{base(tenant)}/members/{member}/party-card", json={"number": "01.000002"}
    )
    assert no_reason.status_code == 400
    fixed = client.post(
        f"{base(tenant)}/members/{member}/party-card",
        json={"number": "01.000002", "reason": "ghi nhầm số thẻ"},
    )
    assert fixed.status_code == 201, fixed.text
    assert client.get(f"{base(tenant)}/members/{member}").json()["party_card_number"] == (
        "01.000002"
    )
    again = enrol(client, tenant, tree["cell"], "01.000001", "Trần Văn Bình")
    assert again.status_code == 201
