"""Armed forces on special duty over HTTP (issue 12 §3): noted and ended with a reason, shown on
the member and the roster of that day."""

from __future__ import annotations

import pytest

from tests.e2e.test_meetings_api import base, build_cell, ok, refused

pytestmark = pytest.mark.e2e


def test_special_duty_is_noted_and_ended_on_the_member_and_the_roster(client, tenant):
    cell, members, _ = build_cell(client, tenant, 4, 0, name="Chi bộ Đồn Biên phòng")
    soldier = members[3]
    url = f"{base(tenant)}/members/{soldier}/special-duty"
    duty = {"on": "2025-02-01", "reason": "Làm nhiệm vụ đặc biệt theo lệnh điều động số 12"}
    ok(client.post(url, json=duty))
    refused(client.post(url, json=duty), 409, "already_on_special_duty")
    refused(client.post(url, json={"on": "2025-02-01", "reason": ""}), 400, "invalid_request")
    member = ok(client.get(f"{base(tenant)}/members/{soldier}"), 200)
    assert member["special_duty_since"] == "2025-02-01"

    def on_duty(day: str) -> bool:
        roster = ok(client.get(f"{base(tenant)}/units/{cell}/roster?on={day}"), 200)
        (entry,) = [m for m in roster["members"] if m["member_id"] == soldier]
        return bool(entry["special_duty"])

    assert (on_duty("2025-01-31"), on_duty("2025-03-03")) == (False, True)
    ending = {"on": "2025-06-30", "reason": "Hoàn thành nhiệm vụ"}
    ok(client.post(f"{url}/end", json=ending))
    refused(client.post(f"{url}/end", json=ending), 409, "not_on_special_duty")
    assert on_duty("2025-07-01") is False
