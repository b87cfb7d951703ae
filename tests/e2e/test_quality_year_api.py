"""A cell's yearly quality rating from its months, by the province's dated yearly rule
(issue 12 §4)."""

from __future__ import annotations

import pytest

from projections import engine
from projections.registry import all_projections
from tests.e2e.test_meetings_api import all_present, base, build_cell, ok, post, schedule

pytestmark = pytest.mark.e2e

TOT = {"attendance": 19, "preparation": 19, "conduct": 19, "principles": 19, "implementation": 19}
KHA = {"attendance": 15, "preparation": 15, "conduct": 15, "principles": 15, "implementation": 15}


def assessed_month(client, tenant, cell, members, month, scores):
    day = f"2023-{month:02d}-03T14:00:00+07:00"
    meeting = schedule(client, tenant, cell, month=month, scheduled_at=day)
    opening = {"started_at": day, "chair_id": members[0], "secretary_id": members[1]}
    post(client, tenant, meeting, "open", opening)
    all_present(client, tenant, meeting, members)
    post(client, tenant, meeting, "minutes", {"text": f"Biên bản tháng {month}"})
    post(client, tenant, meeting, "quality", {**scores, "reason": "Theo nghị quyết chi bộ"})


def test_the_year_follows_the_months_and_the_rule_in_force(client, tenant, database):
    cell, officials, _ = build_cell(client, tenant, 3, 0)
    for month in range(1, 13):
        assessed_month(client, tenant, cell, officials, month, TOT if month <= 7 else KHA)
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    url = f"{base(tenant)}/units/{cell}/quality/year"

    year = ok(client.get(f"{url}?year=2023"), 200)
    assert (year["rating"], year["provisional"], year["missing_months"]) == ("tot", False, [])
    assert (year["counts"]["tot"], year["counts"]["kha"]) == (7, 5)
    assert year["warnings"] == []

    # The province asks 8 months Tốt from 2023: the same months make a Khá year.
    stricter = {
        "effective_on": "2023-01-01",
        "yearly_rule": {
            "levels": [
                {"rating": "tot", "floor": "kha", "min_months": 8},
                {"rating": "kha", "floor": "trung_binh", "min_months": 7},
            ]
        },
    }
    ok(client.post(f"{base(tenant)}/settings", json=stricter))
    assert ok(client.get(f"{url}?year=2023"), 200)["rating"] == "kha"

    empty = ok(client.get(f"{url}?year=2024"), 200)
    assert (empty["rating"], empty["provisional"]) == ("kem", True)
    assert empty["missing_months"] == list(range(1, 13))
    assert "tạm tính" in empty["warnings"][0]
    assert client.get(f"{url}?year=99999").status_code == 400
