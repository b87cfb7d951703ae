"""A full admission over HTTP, applicant to official member, with the votes taken at real meetings;
the deadlines view along the way; refusals name the missing step; a transfer across provinces."""

from __future__ import annotations

import pytest

from domain.user import Role
from projections.deadlines import DEADLINES
from projections.engine import catch_up
from projections.org_tree import ORG_TREE
from tests.e2e.auth_helpers import bearer, token

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def signed_in(client, container, tenant):
    """Act as the province's administrator."""
    client.headers.update(bearer(token(container, tenant.slug, Role.TENANT_ADMIN)))


def url(tenant, path):
    return f"/api/v1/t/{tenant.slug}{path}"


def ok(response, status=201):
    assert response.status_code == status, response.text
    return response.json()


def found(client, tenant, name, level, parent=None):
    body = {"name": name, "level": level, "founded_on": "2015-01-01"}
    if parent:
        body["parent_id"] = parent
    return ok(client.post(url(tenant, "/units"), json=body))["id"]


def found_chain(client, tenant, *chain):
    """Units founded each under the one before, from the province down; their ids."""
    ids = []
    for name, level in chain:
        ids.append(found(client, tenant, name, level, ids[-1] if ids else None))
    return ids


def enrol(client, tenant, cell, name):
    body = {
        "full_name": name,
        "birth_date": "1975-05-01",
        "gender": "nam",
        "cell_id": cell,
        "status": "official",
        "admitted_on": "2000-03-02",
        "official_on": "2001-03-02",
        "joined_cell_on": "2015-01-01",
    }
    return ok(client.post(url(tenant, "/members"), json=body))["id"]


def vote(client, tenant, cell, members, when, kind, subject, voters):
    year, month = int(when[:4]), int(when[5:7])
    meeting = ok(
        client.post(
            url(tenant, "/meetings"),
            json={
                "cell_id": cell,
                "kind": "regular",
                "year": year,
                "month": month,
                "scheduled_at": f"{when}T08:00:00+07:00",
                "place": "Nhà văn hóa thôn",
            },
        )
    )["id"]
    ok(
        client.post(
            url(tenant, f"/meetings/{meeting}/open"),
            json={
                "started_at": f"{when}T08:00:00+07:00",
                "chair_id": members[0],
                "secretary_id": members[1],
            },
        )
    )
    ok(
        client.post(
            url(tenant, f"/meetings/{meeting}/attendance"),
            json={"entries": [{"member_id": m, "mark": "present"} for m in members]},
        )
    )
    motion = ok(
        client.post(
            url(tenant, f"/meetings/{meeting}/motions"),
            json={"kind": kind, "title": "Biểu quyết", "subject_id": subject},
        )
    )["motion_id"]
    ok(
        client.post(
            url(tenant, f"/meetings/{meeting}/motions/{motion}/tally"),
            json={"method": "show_of_hands", "votes_for": voters, "against": 0},
        )
    )
    return {"meeting_id": meeting, "motion_id": motion}


def deadlines(client, tenant, database, on, unit=None):
    for projection in (ORG_TREE, DEADLINES):
        assert catch_up(database, tenant.schema, projection).error is None
    query = f"?on={on}" + (f"&unit_id={unit}" if unit else "")
    return ok(client.get(url(tenant, "/deadlines" + query)), 200)


def three_members(client, tenant, cell):
    """Lê Văn A, Phạm Văn B and Hồ Thị C enrolled in the cell; their ids."""
    return [enrol(client, tenant, cell, n) for n in ("Lê Văn A", "Phạm Văn B", "Hồ Thị C")]


def applicant(client, tenant, cell, full_name, birth_date, gender, education, opened_on):
    """An admission case (hồ sơ kết nạp) opened in the cell for the applicant; its id."""
    body = {
        "full_name": full_name,
        "birth_date": birth_date,
        "gender": gender,
        "education": education,
        "cell_id": cell,
        "opened_on": opened_on,
    }
    return ok(client.post(url(tenant, "/admissions"), json=body))["id"]


def introduce(client, tenant, case, member, basis, together_since, on):
    """The member introduces the applicant (giới thiệu người vào Đảng)."""
    body = {"member_id": member, "basis": basis, "together_since": together_since, "on": on}
    ok(client.post(url(tenant, f"/admissions/{case}/introducers"), json=body))


def case_in(client, tenant, units, person):
    """Units founded down to a cell, three members enrolled there and the person's admission
    case opened in it: the units' ids, the members' ids, the case's id."""
    ids = found_chain(client, tenant, *units)
    return ids, three_members(client, tenant, ids[-1]), applicant(client, tenant, ids[-1], *person)


def test_applicant_to_official_member_over_http(client, tenant, database):
    units = (
        ("Đảng bộ tỉnh", "province"),
        ("Đảng ủy xã", "direct"),
        ("Đảng bộ cơ sở", "grassroots_committee"),
        ("Chi bộ thôn 1", "cell"),
    )
    person = ("Nguyễn Thị Dự", "2001-06-15", "nu", "upper_secondary", "2024-01-08")
    (_, commune, _, cell), members, case = case_in(client, tenant, units, person)
    one = f"/admissions/{case}"
    refused = client.post(
        url(tenant, one + "/dossier"), json={"item": "application", "on": "2024-01-10"}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "step_missing"
    assert "nhận thức về Đảng" in refused.json()["message"]

    ok(
        client.post(
            url(tenant, one + "/course"),
            json={"certificate_no": "GCN-7", "completed_on": "2024-01-20"},
        )
    )
    for item in ("application", "cv", "background_check"):
        ok(client.post(url(tenant, one + "/dossier"), json={"item": item, "on": "2024-02-01"}))
    # Of Youth Union age: two members introduce only where there is no Youth Union.
    no_union = {"on": "2024-02-05", "reason": "Thôn không có chi đoàn"}
    ok(client.post(url(tenant, one + "/no-youth-union"), json=no_union))
    for introducer in members[:2]:
        introduce(client, tenant, case, introducer, "work", "2021-01-01", "2024-02-05")

    cited = vote(client, tenant, cell, members, "2024-03-04", "admission", case, 3)
    ok(client.post(url(tenant, one + "/cell-vote"), json=cited))
    view = deadlines(client, tenant, database, "2024-03-05", unit=commune)
    assert [(i["kind"], i["overdue"]) for i in view["items"]] == []  # due in 60 working days
    view = deadlines(client, tenant, database, "2024-06-03", unit=commune)
    assert [(i["kind"], i["overdue"], i["since"]) for i in view["items"]] == [
        ("admission_decision", True, "2024-03-04")
    ]
    assert "cấp ủy" in view["items"][0]["who"].lower()

    ok(
        client.post(
            url(tenant, one + "/committee-vote"),
            json={"on": "2024-03-20", "votes_for": 5, "committee_members": 7},
        )
    )
    ok(
        client.post(
            url(tenant, one + "/decision"),
            json={"number": "45-QĐ/ĐU", "decided_on": "2024-04-10", "received_on": "2024-04-12"},
        )
    )
    member_id = ok(
        client.post(
            url(tenant, one + "/ceremony"), json={"on": "2024-05-06", "mentor_id": members[2]}
        )
    )["member_id"]
    probationary = ok(client.get(url(tenant, f"/members/{member_id}")), 200)
    assert probationary["status"] == "probationary"

    view = deadlines(client, tenant, database, "2025-06-30")
    assert [(i["kind"], i["overdue"], i["since"]) for i in view["items"]] == [
        ("recognition_vote", True, "2025-05-06")
    ]
    cited = vote(
        client, tenant, cell, [*members, member_id], "2025-07-07", "recognition", member_id, 3
    )
    outcome = ok(client.post(url(tenant, one + "/recognition-vote"), json=cited))
    assert outcome["outcome"] == "propose_recognition"
    done = ok(
        client.post(
            url(tenant, one + "/recognition-decision"),
            json={"number": "80-QĐ/ĐU", "decided_on": "2025-07-21", "recognised": True},
        )
    )
    assert done["official_on"] == "2025-05-06"

    official = ok(client.get(url(tenant, f"/members/{member_id}")), 200)
    assert official["status"] == "official"
    assert official["official_on"] == "2025-05-06"
    assert deadlines(client, tenant, database, "2026-01-01")["items"] == []
    assert ok(client.get(url(tenant, one)), 200)["closed"] == ["2025-07-21", "official"]


def test_vote_cited_from_another_motion_kind_is_refused(client, tenant):
    units = (("Đảng bộ tỉnh", "province"), ("Chi bộ cơ sở", "grassroots_cell"))
    person = ("Trần Văn Em", "2001-06-15", "nam", "higher", "2024-01-08")
    (_, cell), members, case = case_in(client, tenant, units, person)
    one = f"/admissions/{case}"
    ok(
        client.post(
            url(tenant, one + "/course"), json={"certificate_no": "G", "completed_on": "2024-01-20"}
        )
    )
    for item in ("application", "cv", "background_check"):
        ok(client.post(url(tenant, one + "/dossier"), json={"item": item, "on": "2024-02-01"}))
    ok(
        client.post(
            url(tenant, one + "/introduction-by-organisation"),
            json={"organisation": "youth_union", "resolution_no": "3-NQ/ĐTN", "on": "2024-02-05"},
        )
    )
    introduce(client, tenant, case, members[0], "work", "2021-01-01", "2024-02-05")
    general = vote(client, tenant, cell, members, "2024-03-04", "general", None, 3)
    refused = client.post(url(tenant, one + "/cell-vote"), json=general)
    assert refused.status_code == 422
    assert refused.json()["code"] == "motion_does_not_match"
    missing = client.post(
        url(tenant, one + "/ceremony"), json={"on": "2024-05-06", "mentor_id": members[0]}
    )
    assert missing.status_code == 422
    assert "quyết định kết nạp" in missing.json()["message"]


def test_after_july_2025_a_village_cell_s_deadline_names_the_commune_and_is_extended_once(
    client, tenant, database
):
    units = (
        ("Đảng bộ tỉnh", "province"),
        ("Đảng ủy xã Tùy Sơn", "direct"),
        ("Chi bộ thôn Vọng Sơn", "grassroots_cell"),
    )
    person = ("Đỗ Thị Hằng", "2002-03-10", "nu", "upper_secondary", "2025-08-01")
    (_, commune, village), members, case = case_in(client, tenant, units, person)
    one = f"/admissions/{case}"
    course = {"certificate_no": "GCN-9", "completed_on": "2025-08-05"}
    ok(client.post(url(tenant, one + "/course"), json=course))
    for item in ("application", "cv", "background_check"):
        ok(client.post(url(tenant, one + "/dossier"), json={"item": item, "on": "2025-08-10"}))
    union = {"organisation": "youth_union", "resolution_no": "2-NQ/ĐTN", "on": "2025-08-12"}
    ok(client.post(url(tenant, one + "/introduction-by-organisation"), json=union))
    introduce(client, tenant, case, members[0], "residence", "2020-01-01", "2025-08-12")
    cited = vote(client, tenant, village, members, "2025-09-05", "admission", case, 3)
    ok(client.post(url(tenant, one + "/cell-vote"), json=cited))

    [item] = deadlines(client, tenant, database, "2026-01-30", unit=commune)["items"]
    assert item["kind"] == "admission_decision"
    assert item["rule_set"] == "QD-294-2025"
    assert "xã, phường" in item["who"]
    assert "huyện" not in item["who"]
    assert "ủy quyền" not in item["who"]  # a grassroots cell: no grassroots committee between
    first_due = item["due_on"]

    extension = {
        "decision_no": "12-QĐ/ĐU",
        "decided_on": "2025-10-01",
        "working_days": 31,
        "reason": "Chờ kết quả thẩm tra lý lịch",
    }
    refused = client.post(url(tenant, one + "/deadline-extensions"), json=extension)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "extension_too_long"
    ok(
        client.post(
            url(tenant, one + "/deadline-extensions"), json={**extension, "working_days": 30}
        )
    )
    [item] = deadlines(client, tenant, database, "2026-03-30", unit=commune)["items"]
    assert item["due_on"] > first_due
    again = client.post(
        url(tenant, one + "/deadline-extensions"), json={**extension, "working_days": 5}
    )
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "deadline_already_extended"
