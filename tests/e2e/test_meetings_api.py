"""Meetings over HTTP: the whole lifecycle, lateness, corrections, and every kind of bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

pytestmark = pytest.mark.e2e


def base(tenant) -> str:
    return f"/api/v1/t/{tenant.slug}"


def ok(response, status=201):
    assert response.status_code == status, response.text
    return response.json()


def refused(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    assert body["message_en"]
    return body


def build_cell(
    client,
    tenant,
    officials=5,
    probationary=1,
    name="Chi bộ Kỹ thuật",
    names=None,
    tree=("Đảng bộ thành phố", "Đảng bộ Khối", "Đảng bộ Trường Đại học"),
):
    """A cell under a grassroots committee, with its members enrolled through the org API;
    ``names`` names the members (else "Đảng viên số N"), ``tree`` the units above the cell."""

    def found(unit_name, level, parent=None):
        body = {"name": unit_name, "level": level, "founded_on": "2015-01-01"}
        if parent:
            body["parent_id"] = parent
        return ok(client.post(f"{base(tenant)}/units", json=body))["id"]

    root = found(tree[0], "province")
    bloc = found(tree[1], "direct", root)
    school = found(tree[2], "grassroots_committee", bloc)
    cell = found(name, "cell", school)
    members = []
    for index in range(officials + probationary):
        official = index < officials
        body = {
            "full_name": names[index] if names else f"Đảng viên số {index + 1}",
            "birth_date": "1985-05-01",
            "gender": "nam" if index % 2 else "nu",
            "cell_id": cell,
            "status": "official" if official else "probationary",
            "admitted_on": "2010-03-02" if official else "2022-10-15",
            "joined_cell_on": "2015-01-01" if official else "2022-10-15",
        }
        if official:
            body["official_on"] = "2011-03-02"
        members.append(ok(client.post(f"{base(tenant)}/members", json=body))["id"])
    return cell, members[:officials], members[officials:]


def schedule(client, tenant, cell, kind="regular", **extra):
    body = {
        "cell_id": cell,
        "kind": kind,
        "year": 2023,
        "month": 11,
        "scheduled_at": "2023-11-03T14:00:00+07:00",
        "place": "Phòng họp khoa",
        "agenda": ["Thông tin thời sự", "Báo cáo tháng 10, phương hướng tháng 11"],
        **extra,
    }
    return ok(client.post(f"{base(tenant)}/meetings", json=body))["id"]


def post(client, tenant, meeting, path, body, status=201):
    return ok(client.post(f"{base(tenant)}/meetings/{meeting}/{path}", json=body), status)


def guest(client, tenant, meeting, name, position="", superior=False):
    """A guest invited to the meeting (a superior's representative or not); its id."""
    body = {"name": name, "position": position, "is_superior": superior}
    return post(client, tenant, meeting, "guests", body)["guest_id"]


def get(client, tenant, meeting):
    return ok(client.get(f"{base(tenant)}/meetings/{meeting}"), 200)


def opened(client, tenant, officials, probationary, start="2023-11-03T14:00:00+07:00"):
    cell, official_ids, probationary_ids = build_cell(client, tenant, officials, probationary)
    meeting = schedule(client, tenant, cell)
    body = {"started_at": start, "chair_id": official_ids[0], "secretary_id": official_ids[1]}
    post(client, tenant, meeting, "open", body)
    return cell, meeting, official_ids, probationary_ids


def all_present(client, tenant, meeting, members, **marks):
    entries = [
        {"member_id": m, "mark": marks.get(m, "present"), "reason": "Đi công tác"}
        if marks.get(m) == "excused"
        else {"member_id": m, "mark": marks.get(m, "present")}
        for m in members
    ]
    post(client, tenant, meeting, "attendance", {"entries": entries})


@pytest.fixture
def meeting(client, tenant):
    return opened(client, tenant, 5, 1)


def test_a_meeting_from_schedule_to_close_is_read_back_whole(client, tenant, meeting):
    _, meeting_id, officials, probationers = meeting
    approval = {"member_id": officials[4], "approved_by": "Đ/c Bí thư", "approved_on": "2023-11-02"}
    post(client, tenant, meeting_id, "absence-approvals", approval)
    all_present(client, tenant, meeting_id, officials + probationers, **{officials[4]: "excused"})
    guest_id = guest(
        client, tenant, meeting_id, "Trần Văn Bình", "Đảng ủy viên phụ trách", superior=True
    )
    post(client, tenant, meeting_id, "opinions", {"speaker_id": officials[2], "topic": "Góp ý"})
    post(client, tenant, meeting_id, "opinions", {"speaker_id": guest_id, "topic": "Chỉ đạo"})
    post(client, tenant, meeting_id, "self-criticisms", {"member_id": officials[3]})
    motion = post(
        client, tenant, meeting_id, "motions", {"kind": "general", "title": "Nghị quyết tháng 11"}
    )["motion_id"]
    decided = post(
        client,
        tenant,
        meeting_id,
        f"motions/{motion}/tally",
        {"method": "show_of_hands", "votes_for": 3, "against": 1},
    )
    assert decided["result"] == "passed"
    post(client, tenant, meeting_id, "minutes", {"text": "Biên bản sinh hoạt chi bộ tháng 11"})
    minutes = post(
        client, tenant, meeting_id, "motions", {"kind": "minutes", "title": "Thông qua biên bản"}
    )["motion_id"]
    for member in officials[:4]:
        post(
            client,
            tenant,
            meeting_id,
            f"motions/{minutes}/ballots",
            {"member_id": member, "choice": "for"},
        )
    assert post(client, tenant, meeting_id, f"motions/{minutes}/count", {})["result"] == "passed"
    scores = {
        "attendance": 18,
        "preparation": 18,
        "conduct": 18,
        "principles": 18,
        "implementation": 18,
    }
    # One member in six away and no committee pre-meeting: Tốt is above the evidence.
    above = client.post(f"{base(tenant)}/meetings/{meeting_id}/quality", json=scores)
    body = refused(above, 422, "rating_above_evidence_needs_reason")
    assert body["details"]["warnings"] == ["attendance_below_minimum", "no_premeeting"]
    assert "83,3% ≤ 85%" in body["message"]
    reason = "Đồng chí vắng đã báo cáo trước; chi ủy thống nhất nội dung qua điện thoại"
    assessed = post(client, tenant, meeting_id, "quality", {**scores, "reason": reason})
    assert assessed["rating"] == "tot"
    dues = {"total_vnd": 450_000, "payer_ids": officials[:4], "unpaid_ids": probationers}
    post(client, tenant, meeting_id, "dues", dues)
    post(client, tenant, meeting_id, "close", {"ended_at": "2023-11-03T16:00:00+07:00"})

    # After closing, the same command adds a missing self-criticism as a correction.
    url = f"{base(tenant)}/meetings/{meeting_id}/self-criticisms"
    refused(client.post(url, json={"member_id": officials[2]}), 400, "invalid_value")
    post(
        client, tenant, meeting_id, "self-criticisms", {"member_id": officials[2], "reason": "Sót"}
    )

    view = get(client, tenant, meeting_id)
    assert view["is_closed"]
    assert view["self_criticisms"] == [officials[3], officials[2]]
    assert not view["is_late"]
    assert view["held_on"] == "2023-11-03"
    assert (view["official_count"], view["probationary_count"]) == (5, 1)
    marks = {a["member_id"]: (a["mark"], a["reason"]) for a in view["attendance"]}
    assert marks[officials[4]] == ("excused", "Đi công tác")
    assert view["guests"][0]["is_superior"] is True
    general = next(m for m in view["motions"] if m["id"] == motion)
    assert (general["base"], general["required"], general["method"]) == (4, 3, "show_of_hands")
    roll_call = next(m for m in view["motions"] if m["id"] == minutes)
    assert len(roll_call["ballots"]) == 4
    assert view["minutes_approved"] is True
    assert view["quality"]["total"] == 90
    assert view["quality"]["thresholds"] == [90, 70, 50]
    assert (view["quality"]["weighted_total"], view["quality"]["reason"]) == (90, reason)
    assert view["quality"]["warnings"] == ["attendance_below_minimum", "no_premeeting"]
    judgement = view["evidence"]["judgement"]
    assert (judgement["rule_code"], judgement["ceiling"]) == ("HD-12-2018", "kha")
    assert [w["message_en"] for w in judgement["warnings"]] == [
        "attendance 83.3% ≤ 85%",
        "no committee pre-meeting",
    ]
    assert view["evidence"]["speakers"] == 1
    assert view["evidence"]["length_minutes"] == 120
    assert view["dues_total_vnd"] == 450_000


def test_a_late_regular_meeting_is_recorded_and_flagged(client, tenant):
    _, meeting_id, _, _ = opened(client, tenant, 3, 0, start="2023-11-12T08:00:00+07:00")
    view = get(client, tenant, meeting_id)
    assert view["is_late"] is True
    assert view["window"] == [1, 5]


def test_the_cells_own_window_decides_lateness(client, tenant):
    cell, officials, _ = build_cell(client, tenant, 3, 0)
    ok(
        client.post(
            f"{base(tenant)}/units/{cell}/meeting-window", json={"first_day": 10, "last_day": 12}
        )
    )
    meeting_id = schedule(client, tenant, cell)
    body = {
        "started_at": "2023-11-11T08:00:00+07:00",
        "chair_id": officials[0],
        "secretary_id": officials[1],
    }
    post(client, tenant, meeting_id, "open", body)
    view = get(client, tenant, meeting_id)
    assert (view["is_late"], view["window"]) == (False, [10, 12])


def test_opening_a_meeting_dated_in_the_future_is_refused(client, tenant):
    """Issue 12 §5: the start may be ahead of the server's clock by minutes, not more."""
    cell, officials, _ = build_cell(client, tenant, 3, 0)
    meeting_id = schedule(client, tenant, cell)
    url = f"{base(tenant)}/meetings/{meeting_id}/open"
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    body = {"started_at": tomorrow.isoformat(), "chair_id": officials[0]}
    response = client.post(url, json={**body, "secretary_id": officials[1]})
    refused(response, 400, "meeting_starts_in_future")
    assert "giờ Việt Nam" in response.text
    soon = datetime.now(UTC) + timedelta(minutes=5)  # a clock a little ahead is allowed
    body = {"started_at": soon.isoformat(), "chair_id": officials[0]}
    post(client, tenant, meeting_id, "open", {**body, "secretary_id": officials[1]})
    assert get(client, tenant, meeting_id)["started_at"] is not None


def test_a_premeeting_is_linked_to_its_regular_meeting(client, tenant):
    cell, _, _ = build_cell(client, tenant, 3, 0)
    regular = schedule(client, tenant, cell)
    pre = schedule(client, tenant, cell, "committee_premeeting", regular_meeting_id=regular)
    assert get(client, tenant, regular)["premeeting_id"] == pre
    assert get(client, tenant, regular)["evidence"]["premeeting_held"] is True
    response = client.post(
        f"{base(tenant)}/meetings",
        json={
            "cell_id": cell,
            "kind": "committee_premeeting",
            "year": 2023,
            "month": 11,
            "scheduled_at": "2023-11-01T14:00:00+07:00",
            "place": "P1",
        },
    )
    refused(response, 422, "premeeting_needs_regular_meeting")


# -- bad input --------------------------------------------------------------------------------


def test_vote_errors_are_specific(client, tenant, meeting):
    _, meeting_id, officials, probationers = meeting
    url = f"{base(tenant)}/meetings/{meeting_id}"
    motion = post(client, tenant, meeting_id, "motions", {"kind": "general", "title": "X"})[
        "motion_id"
    ]
    ballot = f"{url}/motions/{motion}/ballots"
    refused(
        client.post(ballot, json={"member_id": officials[2], "choice": "for"}),
        422,
        "attendance_incomplete",
    )
    all_present(client, tenant, meeting_id, officials + probationers, **{officials[4]: "unexcused"})
    body = refused(
        client.post(ballot, json={"member_id": probationers[0], "choice": "for"}),
        422,
        "probationary_member_cannot_vote",
    )
    assert body["details"]["field"] == "member_id"
    refused(
        client.post(ballot, json={"member_id": officials[4], "choice": "for"}),
        422,
        "absent_member_cannot_vote",
    )
    refused(
        client.post(ballot, json={"member_id": str(uuid4()), "choice": "for"}),
        404,
        "member_not_on_meeting_roster",
    )
    ok(client.post(ballot, json={"member_id": officials[2], "choice": "for"}))
    refused(
        client.post(ballot, json={"member_id": officials[2], "choice": "against"}),
        409,
        "member_already_voted",
    )
    other = post(client, tenant, meeting_id, "motions", {"kind": "general", "title": "Y"})[
        "motion_id"
    ]
    body = refused(
        client.post(
            f"{url}/motions/{other}/tally",
            json={"method": "show_of_hands", "votes_for": 4, "against": 1},
        ),
        422,
        "more_votes_than_members_present",
    )
    assert body["details"]["eligible"] == 4
    response = client.post(
        f"{url}/motions/{other}/tally",
        json={"method": "show_of_hands", "votes_for": -1, "against": 0},
    )
    assert response.status_code == 400
    assert "votes_for" in response.text
    refused(client.post(f"{url}/motions/{uuid4()}/count", json={}), 404, "motion_not_found")


def test_attendance_errors_name_the_field(client, tenant, meeting):
    _, meeting_id, officials, _ = meeting
    url = f"{base(tenant)}/meetings/{meeting_id}/attendance"
    body = refused(
        client.post(url, json={"entries": [{"member_id": officials[2], "mark": "excused"}]}),
        400,
        "excused_absence_needs_reason",
    )
    assert body["details"]["field"] == "entries[0].reason"
    refused(
        client.post(url, json={"entries": [{"member_id": str(uuid4()), "mark": "present"}]}),
        404,
        "member_not_on_meeting_roster",
    )
    response = client.post(url, json={"entries": [{"member_id": officials[2], "mark": "late"}]})
    assert response.status_code == 400
    assert "mark" in response.text


def test_unknown_meeting_stale_version_and_closed_meeting(client, tenant, meeting):
    _, meeting_id, officials, probationers = meeting
    url = f"{base(tenant)}/meetings/{meeting_id}"
    refused(client.get(f"{base(tenant)}/meetings/{uuid4()}"), 404, "unknown_meeting")
    version = get(client, tenant, meeting_id)["version"]
    all_present(client, tenant, meeting_id, officials + probationers)
    body = refused(
        client.post(f"{url}/minutes", json={"text": "Biên bản", "expected_version": version}),
        409,
        "stale_write",
    )
    assert body["details"]["current_version"] == version + 1
    post(
        client, tenant, meeting_id, "minutes", {"text": "Biên bản", "expected_version": version + 1}
    )
    post(client, tenant, meeting_id, "close", {"ended_at": "2023-11-03T16:00:00+07:00"})
    refused(
        client.post(f"{url}/opinions", json={"speaker_id": officials[2], "topic": "Muộn"}),
        409,
        "meeting_is_closed",
    )
    refused(
        client.post(f"{url}/corrections/minutes", json={"text": "Biên bản", "reason": "Sửa"}),
        400,
        "nothing_to_correct",
    )


def test_corrections_after_closing_carry_their_reason(client, tenant, meeting):
    _, meeting_id, officials, probationers = meeting
    all_present(client, tenant, meeting_id, officials + probationers)
    motion = post(client, tenant, meeting_id, "motions", {"kind": "general", "title": "X"})[
        "motion_id"
    ]
    post(
        client,
        tenant,
        meeting_id,
        f"motions/{motion}/tally",
        {"method": "secret_ballot", "votes_for": 2, "against": 3},
    )
    post(client, tenant, meeting_id, "minutes", {"text": "Biên bản"})
    post(client, tenant, meeting_id, "close", {"ended_at": "2023-11-03T16:00:00+07:00"})
    fixed = post(
        client,
        tenant,
        meeting_id,
        f"motions/{motion}/corrections/tally",
        {"votes_for": 4, "against": 1, "abstain": 0, "reason": "Tổ kiểm phiếu ghi nhầm"},
    )
    assert fixed["result"] == "passed"
    entry = {"member_id": officials[3], "mark": "excused", "reason": "Ốm"}
    post(
        client,
        tenant,
        meeting_id,
        "corrections/attendance",
        {"entries": [entry], "reason": "Có giấy xin phép nộp sau"},
    )
    view = get(client, tenant, meeting_id)
    assert [c["reason"] for c in view["corrections"]] == [
        "Tổ kiểm phiếu ghi nhầm",
        "Có giấy xin phép nộp sau",
    ]
    assert all(c["actor"] for c in view["corrections"])
    response = client.post(
        f"{base(tenant)}/meetings/{meeting_id}/corrections/minutes", json={"text": "Khác"}
    )
    assert response.status_code == 400
    assert "reason" in response.text


def test_the_voting_base_names_each_exclusion_and_an_excused_mark_is_not_approval(client, tenant):
    _, meeting_id, officials, probationers = opened(client, tenant, 6, 1)
    marks = {officials[4]: "excused", officials[5]: "excused"}
    all_present(client, tenant, meeting_id, officials + probationers, **marks)
    refused(
        client.post(
            f"{base(tenant)}/meetings/{meeting_id}/absence-approvals",
            json={
                "member_id": officials[4],
                "approved_by": "Đ/c Bí thư",
                "approved_on": "2023-11-04",
            },
        ),
        400,
        "approval_after_meeting",
    )
    approval = {
        "member_id": officials[4],
        "approved_by": "Đ/c Lê Văn B, Bí thư chi bộ",
        "approved_on": "2023-11-03",
        "note": "Đi công tác theo quyết định",
    }
    post(client, tenant, meeting_id, "absence-approvals", approval)
    motion = post(
        client, tenant, meeting_id, "motions", {"kind": "general", "title": "Nghị quyết tháng 11"}
    )["motion_id"]
    # Base 5: officials[5] is only marked excused, so stays in; 3 of 5 pass, the bar is 3.
    body = {"method": "show_of_hands", "votes_for": 3, "against": 1}
    assert post(client, tenant, meeting_id, f"motions/{motion}/tally", body)["result"] == "passed"
    view = get(client, tenant, meeting_id)
    decided = next(m for m in view["motions"] if m["id"] == motion)
    assert (decided["base"], decided["required"]) == (5, 3)
    majority, two_thirds = view["voting_base"]
    assert (majority["threshold"], majority["official_members"], majority["base"]) == (
        "majority",
        6,
        5,
    )
    assert majority["exclusions"] == [
        {
            "member_id": officials[4],
            "name": "Đảng viên số 5",
            "reason": "absence_approved",
            "reason_vi": "Vắng mặt được cấp ủy triệu tập đồng ý",
        }
    ]
    assert (two_thirds["threshold"], two_thirds["base"], two_thirds["exclusions"]) == (
        "two_thirds",
        6,
        [],
    )
    [approved] = view["absence_approvals"]
    assert (approved["name"], approved["approved_by"]) == (
        "Đảng viên số 5",
        "Đ/c Lê Văn B, Bí thư chi bộ",
    )
