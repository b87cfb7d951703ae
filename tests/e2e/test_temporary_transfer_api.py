"""Temporary transfer of activity over HTTP (issue 12 §1): the home cell's meeting leaves the
member out of its base by name; the host lists them as temporary, and they cannot vote there."""

from __future__ import annotations

import pytest

from tests.e2e.test_meetings_api import (
    all_present,
    base,
    build_cell,
    get,
    ok,
    post,
    refused,
    schedule,
)

pytestmark = pytest.mark.e2e


def meeting_of(client, tenant, cell, chair, secretary):
    meeting = schedule(client, tenant, cell, place="Hội trường", agenda=[])
    opening = {
        "started_at": "2023-11-03T14:00:00+07:00",
        "chair_id": chair,
        "secretary_id": secretary,
    }
    post(client, tenant, meeting, "open", opening)
    return meeting


def test_a_temporary_transfer_moves_the_vote_but_not_the_roll(client, tenant):
    home, home_members, _ = build_cell(client, tenant, 5, 0, name="Chi bộ Khoa Toán")
    host, host_members, _ = build_cell(client, tenant, 4, 0, name="Chi bộ Khoa Lý")
    away = home_members[4]
    transfer = {"host_cell_id": host, "on": "2023-09-01"}
    ok(client.post(f"{base(tenant)}/members/{away}/temporary-transfer", json=transfer))
    refused(
        client.post(f"{base(tenant)}/members/{away}/temporary-transfer", json=transfer),
        409,
        "already_transferred_temporarily",
    )

    roster = ok(client.get(f"{base(tenant)}/units/{host}/roster?on=2023-11-03"), 200)
    assert [m["member_id"] for m in roster["temporary_members"]] == [away]
    assert roster["official_count"] == 4
    home_roster = ok(client.get(f"{base(tenant)}/units/{home}/roster?on=2023-11-03"), 200)
    assert away in [m["member_id"] for m in home_roster["members"]]

    # Home meeting: no mark needed for the member away, who is named out of the base.
    at_home = meeting_of(client, tenant, home, home_members[0], home_members[1])
    all_present(client, tenant, at_home, home_members[:4])
    view = get(client, tenant, at_home)
    majority = view["voting_base"][0]
    assert (majority["official_members"], majority["base"]) == (5, 4)
    assert [(x["name"], x["reason"]) for x in majority["exclusions"]] == [
        ("Đảng viên số 5", "transferred_temporarily")
    ]

    # Host meeting: the temporary member attends and is marked, but has no vote.
    at_host = meeting_of(client, tenant, host, host_members[0], host_members[1])
    all_present(client, tenant, at_host, [*host_members, away])
    motion = post(client, tenant, at_host, "motions", {"kind": "general", "title": "Nghị quyết"})[
        "motion_id"
    ]
    refused(
        client.post(
            f"{base(tenant)}/meetings/{at_host}/motions/{motion}/ballots",
            json={"member_id": away, "choice": "for"},
        ),
        422,
        "temporary_member_cannot_vote",
    )
    assert get(client, tenant, at_host)["voting_base"][0]["base"] == 4

    ok(
        client.post(
            f"{base(tenant)}/members/{away}/temporary-transfer/end",
            json={"host_cell_id": host, "on": "2023-12-01"},
        )
    )
    roster = ok(client.get(f"{base(tenant)}/units/{host}/roster?on=2023-12-02"), 200)
    assert roster["temporary_members"] == []
