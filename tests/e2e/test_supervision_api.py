"""Supervision over HTTP: plans and quotas, attendance and reports, petitions, rotation.

The helpers here (an authenticated client, a tree, meetings) are reused by the seed 003
scenario.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.user import Role
from projections import engine
from projections.org_tree import ORG_TREE
from projections.supervision import SUPERVISION
from tests.e2e.auth_helpers import bearer, token

pytestmark = pytest.mark.e2e


class Api:
    """A tenant-admin client that asserts the status it expects and returns the JSON."""

    def __init__(self, client: Any, base: str, headers: dict[str, Any]) -> None:
        self.client, self.base, self.headers = client, base, headers

    def post(self, path: str, body: dict[str, Any] | None = None, status: int = 201) -> Any:
        response = self.client.post(self.base + path, json=body or {}, headers=self.headers)
        assert response.status_code == status, response.text
        return response.json()

    def get(self, path: str, status: int = 200, **params: Any) -> Any:
        response = self.client.get(self.base + path, params=params, headers=self.headers)
        assert response.status_code == status, response.text
        return response.json()

    # -- builders ------------------------------------------------------------------------

    def unit(self, name: str, level: str, parent: str | None = None) -> str:
        body = {"name": name, "level": level, "founded_on": "2015-01-01"}
        if parent:
            body["parent_id"] = parent
        return str(self.post("/units", body)["id"])

    def member(self, cell: str, name: str, joined: str = "2015-01-01") -> str:
        return str(
            self.post(
                "/members",
                {
                    "full_name": name,
                    "birth_date": "1970-05-01",
                    "gender": "nam",
                    "cell_id": cell,
                    "status": "official",
                    "admitted_on": "2000-03-02",
                    "official_on": "2001-03-02",
                    "joined_cell_on": joined,
                },
            )["id"]
        )

    def open_meeting(self, cell: str, day: str, chair: str, secretary: str) -> str:
        meeting = self.post(
            "/meetings",
            {
                "cell_id": cell,
                "kind": "regular",
                "year": int(day[:4]),
                "month": int(day[5:7]),
                "scheduled_at": f"{day}T08:00:00+07:00",
                "place": "Nhà văn hóa thôn",
            },
        )["id"]
        self.post(
            f"/meetings/{meeting}/open",
            {"started_at": f"{day}T08:00:00+07:00", "chair_id": chair, "secretary_id": secretary},
        )
        return str(meeting)

    def petition(self, meeting: str, content: str, category: str, level: str) -> str:
        """A petition (kiến nghị) raised at the meeting, for the competent ``level``; its id."""
        body = {
            "meeting_id": meeting,
            "content": content,
            "category": category,
            "competent_level": level,
        }
        return str(self.post("/supervision/petitions", body)["id"])

    def petition_figures(self, unit: str, start: str, end: str, today: str) -> Any:
        """The unit's petition figures over the period, as of ``today``."""
        path = f"/supervision/units/{unit}/petitions"
        return self.get(path, start=start, end=end, today=today)

    def close_meeting(self, meeting: str, day: str, marks: dict[str, str]) -> None:
        entries = [
            {"member_id": m, "mark": mark, **({"reason": "ốm"} if mark == "excused" else {})}
            for m, mark in marks.items()
        ]
        self.post(f"/meetings/{meeting}/attendance", {"entries": entries})
        self.post(f"/meetings/{meeting}/minutes", {"text": "Biên bản sinh hoạt chi bộ"})
        self.post(f"/meetings/{meeting}/close", {"ended_at": f"{day}T10:00:00+07:00"})


def catch_up(container: Any, schema: str) -> None:
    projections: list[Any] = [ORG_TREE, SUPERVISION]
    with container.database.connect() as conn:
        engine.install(conn, schema, projections)
    for projection in projections:
        result = engine.catch_up(container.database, schema, projection)
        assert result.error is None, result.error


def make_api(client: Any, container: Any, tenant: Any, monkeypatch: pytest.MonkeyPatch) -> Api:
    headers = bearer(token(container, tenant.slug, Role.TENANT_ADMIN))
    return Api(client, f"/api/v1/t/{tenant.slug}", headers)


@pytest.fixture
def api(client: Any, container: Any, tenant: Any, monkeypatch: pytest.MonkeyPatch) -> Api:
    return make_api(client, container, tenant, monkeypatch)


@pytest.fixture
def tree(api: Api) -> dict[str, str]:
    province = api.unit("Đảng bộ tỉnh Vĩnh Phúc", "province")
    district = api.unit("Huyện ủy Lập Thạch", "direct", province)
    commune = api.unit("Đảng bộ xã Hợp Lý", "grassroots_committee", district)
    cell = api.unit("Chi bộ thôn Tùy Sơn", "cell", commune)
    other = api.unit("Huyện ủy Tam Dương", "direct", province)
    other_commune = api.unit("Đảng bộ xã Kim Long", "grassroots_committee", other)
    far_cell = api.unit("Chi bộ thôn Đồng", "cell", other_commune)
    an, binh, cuong = (
        api.member(cell, n) for n in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
    )
    far = [api.member(far_cell, n) for n in ("Phạm Văn Dũng", "Hoàng Thị Hoa")]
    return {
        "province": province,
        "district": district,
        "commune": commune,
        "cell": cell,
        "other": other,
        "far_cell": far_cell,
        "an": an,
        "binh": binh,
        "cuong": cuong,
        "far1": far[0],
        "far2": far[1],
    }


CHUC = {
    "assignee_id": "u-chuc",
    "name": "Phan Tiến Chúc",
    "role": "committee_member",
    "position": "Huyện ủy viên",
}


def make_plan(api: Api, committee: str, year: int = 2019) -> str:
    return str(
        api.post(
            "/supervision/plans",
            {"committee_id": committee, "year": year, "title": f"Kế hoạch dự sinh hoạt {year}"},
        )["id"]
    )


def test_plan_assignment_contact_attendance_report(api: Api, tree: dict[str, str]) -> None:
    plan = make_plan(api, tree["district"])
    aid = api.post(
        f"/supervision/plans/{plan}/assignments",
        {"assignee": CHUC, "cell_id": tree["cell"], "month": "2019-03-01"},
    )["assignment_id"]
    api.post(f"/supervision/plans/{plan}/assignments/{aid}/contact", {"contacted_on": "2019-02-26"})
    # A report before attending is refused with a message saying what to do.
    refused = api.post(
        f"/supervision/plans/{plan}/assignments/{aid}/report",
        {"filed_on": "2019-03-04", "observations": "x", "quality_impression": "tot"},
        status=422,
    )
    assert refused["code"] == "report_requires_attendance"
    meeting = api.open_meeting(tree["cell"], "2019-03-03", tree["an"], tree["binh"])
    settled = api.post(
        f"/supervision/plans/{plan}/attendance", {"meeting_id": meeting, "assignment_id": aid}
    )
    assert settled["assignment_id"] == aid
    guests = api.get(f"/meetings/{meeting}")["guests"]
    assert [(g["name"], g["assignee_id"]) for g in guests] == [("Phan Tiến Chúc", aid)]
    report = api.post(
        f"/supervision/plans/{plan}/assignments/{aid}/report",
        {
            "filed_on": "2019-03-04",
            "observations": "Sinh hoạt nghiêm túc, nhiều ý kiến",
            "quality_impression": "kha",
            "petitions": [
                {
                    "content": "Hoàn thiện cống thoát nước đường dọc Chùa",
                    "category": "hạ tầng",
                    "competent_level": "commune_district",
                }
            ],
        },
    )
    (petition,) = report["petition_ids"]
    view = api.get(f"/supervision/plans/{plan}")
    (row,) = view["assignments"]
    assert (row["state"], row["contacted_in_time"], row["quality_impression"]) == (
        "reported",
        True,
        "kha",
    )
    assert (view["rounds"], view["petitions_collected"], view["reports_filed"]) == (1, 1, 1)
    (quota,) = view["quotas"]
    assert (quota["quota"], quota["planned"], quota["short_in_plan"]) == (6, 1, 5)
    p = api.get(f"/supervision/petitions/{petition}", today="2019-03-04")
    assert (p["source"], p["state"], p["raised_on"]) == (
        "attendance_report",
        "raised",
        "2019-03-03",
    )


def test_cell_outside_the_committee_is_422(api: Api, tree: dict[str, str]) -> None:
    plan = make_plan(api, tree["district"])
    body = {"assignee": CHUC, "cell_id": tree["far_cell"], "month": "2019-03-01"}
    error = api.post(f"/supervision/plans/{plan}/assignments", body, status=422)
    assert error["code"] == "cell_not_under_committee"
    assert error["message"]
    assert error["message_en"]


def test_unplanned_attendance_and_duplicate(api: Api, tree: dict[str, str]) -> None:
    plan = make_plan(api, tree["district"])
    meeting = api.open_meeting(tree["far_cell"], "2019-04-03", tree["far1"], tree["far2"])
    body = {"meeting_id": meeting, "assignee": CHUC}
    done = api.post(f"/supervision/plans/{plan}/attendance", body)
    (row,) = api.get(f"/supervision/plans/{plan}")["assignments"]
    assert (row["id"], row["unplanned"], row["state"]) == (done["assignment_id"], True, "attended")
    again = api.post(f"/supervision/plans/{plan}/attendance", body, status=409)
    assert again["code"] == "already_attended_this_meeting"


def test_attending_an_unopened_meeting_is_409(api: Api, tree: dict[str, str]) -> None:
    plan = make_plan(api, tree["district"])
    meeting = api.post(
        "/meetings",
        {
            "cell_id": tree["cell"],
            "kind": "regular",
            "year": 2019,
            "month": 5,
            "scheduled_at": "2019-05-03T08:00:00+07:00",
            "place": "Nhà văn hóa",
        },
    )["id"]
    error = api.post(
        f"/supervision/plans/{plan}/attendance",
        {"meeting_id": meeting, "assignee": CHUC},
        status=409,
    )
    assert error["code"] == "meeting_not_held"


def test_bad_month_and_unknown_plan(api: Api, tree: dict[str, str]) -> None:
    plan = make_plan(api, tree["district"])
    body = {"assignee": CHUC, "cell_id": tree["cell"], "month": "2020-01-01"}
    assert api.post(f"/supervision/plans/{plan}/assignments", body, status=400)["code"] == (
        "month_outside_plan_period"
    )
    assert api.get(f"/supervision/plans/{tree['cell']}", status=404)["code"] == "not_found"
    bad = api.post(f"/supervision/plans/{plan}/assignments", {"cell_id": tree["cell"]}, status=400)
    assert bad["code"] == "invalid_request"


def test_petition_path_to_the_answer_and_reopen(api: Api, tree: dict[str, str]) -> None:
    meeting = api.open_meeting(tree["cell"], "2019-03-04", tree["an"], tree["binh"])
    pid = api.petition(meeting, "Bồi thường GPMB Tỉnh lộ 307", "đất đai", "commune_district")
    p = api.get(f"/supervision/petitions/{pid}", today="2019-03-04")
    assert p["due_on"] == "2019-03-25"  # 15 working days after Monday 4 March 2019
    api.post(f"/supervision/petitions/{pid}/forward", {"on": "2019-03-05"})
    assert api.get(f"/supervision/petitions/{pid}")["forwarded_to"] == tree["district"]
    early = api.post(f"/supervision/petitions/{pid}/answer", {"on": "2019-03-06"}, status=409)
    assert early["code"] == "petition_step_out_of_order"
    api.post(f"/supervision/petitions/{pid}/accept", {"on": "2019-03-06"})
    api.post(
        f"/supervision/petitions/{pid}/resolve",
        {"on": "2019-03-20", "response": "Đã chi trả", "document_ref": "45-CV/HU"},
    )
    api.post(f"/supervision/petitions/{pid}/answer", {"on": "2019-03-21"})
    other = api.post(
        f"/supervision/petitions/{pid}/reopen",
        {"on": "2019-03-22", "cell_id": tree["far_cell"], "reason": "x"},
        status=422,
    )
    assert other["code"] == "only_originating_cell_may_reopen"
    api.post(
        f"/supervision/petitions/{pid}/reopen",
        {"on": "2019-03-22", "cell_id": tree["cell"], "reason": "Còn 3 hộ chưa nhận tiền"},
    )
    p = api.get(f"/supervision/petitions/{pid}", today="2019-05-01")
    assert (p["state"], p["reopen_count"], p["overdue"]) == ("reopened", 1, True)


def test_grassroots_petition_is_forwarded_to_the_grassroots_committee(
    api: Api, tree: dict[str, str]
) -> None:
    meeting = api.open_meeting(tree["cell"], "2019-03-04", tree["an"], tree["binh"])
    pid = api.petition(meeting, "Sửa loa truyền thanh", "hạ tầng", "grassroots")
    api.post(f"/supervision/petitions/{pid}/forward", {"on": "2019-03-04"})
    assert api.get(f"/supervision/petitions/{pid}")["forwarded_to"] == tree["commune"]


def test_rotation_through_meetings(api: Api, tree: dict[str, str]) -> None:
    cell, an, binh, cuong = tree["cell"], tree["an"], tree["binh"], tree["cuong"]
    view = api.get(f"/supervision/cells/{cell}/rotation", on="2019-01-02")
    # Vietnamese order by given name: An, Bình, Cường.
    assert [t["member_id"] for t in view["next"]] == [an]
    assert view["queue"] == [an, binh, cuong]
    m1 = api.open_meeting(cell, "2019-01-03", binh, cuong)
    api.post(f"/supervision/meetings/{m1}/self-criticism", {"member_id": binh})
    early = api.post(f"/supervision/meetings/{m1}/settle-turns", status=409)
    assert early["code"] == "meeting_not_closed"
    api.close_meeting(m1, "2019-01-03", {an: "excused", binh: "present", cuong: "present"})
    api.post(f"/supervision/meetings/{m1}/settle-turns")
    view = api.get(f"/supervision/cells/{cell}/rotation", on="2019-01-10")
    (due,) = view["next"]
    assert (due["member_id"], due["carried_reason"], due["carried_from"]) == (
        an,
        "absent",
        "2019-01-03",
    )
    assert "vắng mặt" in due["why"]
    assert api.get(f"/meetings/{m1}")["self_criticisms"] == [binh]
    twice = api.open_meeting(cell, "2019-02-04", an, cuong)
    present = {"entries": [{"member_id": binh, "mark": "present"}]}
    api.post(f"/meetings/{twice}/attendance", present)
    again = api.post(
        f"/supervision/meetings/{twice}/self-criticism", {"member_id": binh}, status=422
    )
    assert again["code"] == "second_turn_before_everyone"
    api.post(f"/supervision/meetings/{twice}/self-criticism", {"member_id": an})
    view = api.get(f"/supervision/cells/{cell}/rotation", on="2019-02-10")
    assert (view["eligible"], view["taken"], view["not_taken"]) == (3, 2, [cuong])


def test_a_self_criticism_in_the_meeting_flow_counts_for_the_rotation(
    api: Api, tree: dict[str, str]
) -> None:
    """Issue 12 §5: the meeting's own command takes the turn, no settling needed; the turns
    per meeting are a range, so a further turn at the same meeting counts too."""
    cell, an, binh, cuong = tree["cell"], tree["an"], tree["binh"], tree["cuong"]
    meeting = api.open_meeting(cell, "2019-01-03", binh, cuong)
    api.post(f"/meetings/{meeting}/self-criticisms", {"member_id": binh})
    api.post(f"/meetings/{meeting}/self-criticisms", {"member_id": cuong})
    view = api.get(f"/supervision/cells/{cell}/rotation", on="2019-01-04")
    assert view["queue"] == [an]
    assert view["taken"] == 2
    assert api.get(f"/meetings/{meeting}")["self_criticisms"] == [binh, cuong]


def test_nobody_performs_twice_in_the_meeting_flow_before_everyone_has_once(
    api: Api, tree: dict[str, str]
) -> None:
    """Issue 12 §5: Bình performed in January; in February, with An and Cường still to
    perform, Bình is refused (422). An absent due member is still replaced by the next in line,
    a correction after closing with its reason still records what was said, and once everyone
    has performed Bình may perform again."""
    cell, an, binh, cuong = tree["cell"], tree["an"], tree["binh"], tree["cuong"]
    everyone = {an: "present", binh: "present", cuong: "present"}
    january = api.open_meeting(cell, "2019-01-03", binh, cuong)
    api.post(f"/meetings/{january}/self-criticisms", {"member_id": binh})
    api.close_meeting(january, "2019-01-03", everyone)
    february = api.open_meeting(cell, "2019-02-04", binh, cuong)
    twice = api.post(f"/meetings/{february}/self-criticisms", {"member_id": binh}, status=422)
    assert twice["code"] == "second_turn_before_everyone"
    api.close_meeting(february, "2019-02-04", {**everyone, an: "excused"})
    api.post(f"/meetings/{february}/self-criticisms", {"member_id": cuong, "reason": "Sót"})
    api.post(f"/meetings/{february}/self-criticisms", {"member_id": binh, "reason": "Sót"})
    march = api.open_meeting(cell, "2019-03-04", binh, cuong)
    api.post(f"/meetings/{march}/attendance", {"entries": [{"member_id": an, "mark": "present"}]})
    api.post(f"/meetings/{march}/self-criticisms", {"member_id": an})
    api.post(f"/meetings/{march}/self-criticisms", {"member_id": binh})
    assert api.get(f"/meetings/{march}")["self_criticisms"] == [an, binh]


def self_criticism_trace(api: Api, cell: str, path: str) -> list[Any]:
    """The answers, with ids named, of one scenario through one self-criticism route: a
    turn, a second turn refused before everyone, a correction after closing, a correction
    without its reason, and a second turn once everyone has performed."""
    an, binh, cuong = (
        api.member(cell, n) for n in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
    )
    names = {an: "an", binh: "binh", cuong: "cuong"}
    everyone = {an: "present", binh: "present", cuong: "present"}
    trace: list[Any] = []

    def turn(meeting: str, member: str, status: int = 201, reason: str | None = None) -> None:
        body = {"member_id": member, **({"reason": reason} if reason is not None else {})}
        answer = api.post(path.format(meeting=meeting), body, status=status)
        if status == 201:
            answer = {**answer, "id": answer["id"] == meeting, "position": None}
        else:
            answer.pop("trace_id", None)
        text = json.dumps(answer, ensure_ascii=False, sort_keys=True)
        for member_id, name in names.items():
            text = text.replace(member_id, name)
        trace.append(json.loads(text))

    january = api.open_meeting(cell, "2019-01-03", binh, cuong)
    turn(january, binh)
    api.close_meeting(january, "2019-01-03", everyone)
    february = api.open_meeting(cell, "2019-02-04", binh, cuong)
    turn(february, binh, 422)
    api.post(
        f"/meetings/{february}/attendance", {"entries": [{"member_id": an, "mark": "present"}]}
    )
    turn(february, an)
    api.close_meeting(february, "2019-02-04", everyone)
    turn(february, cuong, 400)
    turn(february, cuong, reason="Sót trong biên bản")
    march = api.open_meeting(cell, "2019-03-04", binh, cuong)
    turn(march, binh)
    trace.append(api.get(f"/meetings/{march}")["self_criticisms"] == [binh])
    return trace


def test_both_self_criticism_routes_are_one_command(api: Api, tree: dict[str, str]) -> None:
    """Issue 12 §5: the supervision route is an alias of the meeting flow's: the same
    answers, refusals included, and the same turns counted for the rotation."""
    cell, other_cell = (
        api.unit(name, "cell", tree["commune"]) for name in ("Chi bộ thôn Hạ", "Chi bộ thôn Thượng")
    )
    flow = self_criticism_trace(api, cell, "/meetings/{meeting}/self-criticisms")
    alias = "/supervision/meetings/{meeting}/self-criticism"
    assert self_criticism_trace(api, other_cell, alias) == flow
    assert [a.get("code") for a in flow[:-1]] == [
        None,
        "second_turn_before_everyone",
        None,
        "invalid_value",
        None,
        None,
    ]
    assert flow[-1] is True
    view = api.get(f"/supervision/cells/{other_cell}/rotation", on="2019-03-05")
    assert (view["eligible"], view["taken"]) == (3, 3)


def test_the_rotation_of_a_running_meeting_names_who_replaces_an_absent_member(
    api: Api, tree: dict[str, str]
) -> None:
    """Issue 12 §5: An is due but marked absent; Bình takes the turn in An's stead, and the
    view says so. Before the meeting, or without it, An is simply due."""
    cell, an, binh, cuong = tree["cell"], tree["an"], tree["binh"], tree["cuong"]
    meeting = api.open_meeting(cell, "2019-01-03", binh, cuong)
    path = f"/supervision/cells/{cell}/rotation"
    before = api.get(path, meeting_id=meeting)
    assert [(t["member_id"], t["replaces"]) for t in before["next"]] == [(an, None)]
    entries = [{"member_id": an, "mark": "excused", "reason": "ốm"},
               {"member_id": binh, "mark": "present"}]  # fmt: skip
    api.post(f"/meetings/{meeting}/attendance", {"entries": entries})
    (due,) = api.get(path, meeting_id=meeting)["next"]
    assert (due["member_id"], due["replaces"]) == (binh, an)
    assert due["replaces_name"] == "Nguyễn Văn An"
    assert due["why"].startswith("Thay đ/c Nguyễn Văn An vắng mặt tại buổi sinh hoạt này; ")
    # Without the meeting the list is the cycle's: An still first, keeping her place.
    assert [t["member_id"] for t in api.get(path, on="2019-01-03")["next"]] == [an]
    far = tree["far_cell"]
    refused = api.get(f"/supervision/cells/{far}/rotation", status=422, meeting_id=meeting)
    assert refused["code"] == "meeting_of_another_cell"


def test_new_member_joins_the_queue(api: Api, tree: dict[str, str]) -> None:
    dung = api.member(tree["cell"], "Đỗ Văn Dũng", joined="2019-06-01")
    view = api.get(f"/supervision/cells/{tree['cell']}/rotation", on="2019-06-02")
    assert view["queue"][-1] == dung
    assert view["eligible"] == 4


def test_per_level_figures_from_the_read_model(
    api: Api, tree: dict[str, str], container: Any, tenant: Any
) -> None:
    plan = make_plan(api, tree["district"])
    meeting = api.open_meeting(tree["cell"], "2019-03-03", tree["an"], tree["binh"])
    done = api.post(
        f"/supervision/plans/{plan}/attendance", {"meeting_id": meeting, "assignee": CHUC}
    )
    api.post(
        f"/supervision/plans/{plan}/assignments/{done['assignment_id']}/report",
        {
            "filed_on": "2019-03-04",
            "observations": "Tốt",
            "quality_impression": "tot",
            "petitions": [
                {"content": f"Kiến nghị {i}", "category": "khác", "competent_level": lvl}
                for i, lvl in enumerate(["province", "grassroots"])
            ],
        },
    )
    catch_up(container, tenant.schema)
    figures = api.petition_figures(tree["province"], "2019-01-01", "2019-12-31", "2019-06-01")
    assert (figures["raised"], figures["district_or_above"], figures["grassroots"]) == (2, 1, 1)
    assert (figures["open"], figures["overdue"]) == (2, 2)
    elsewhere = api.get(
        f"/supervision/units/{tree['other']}/petitions", start="2019-01-01", end="2019-12-31"
    )
    assert elsewhere["raised"] == 0
    visits = api.get(
        f"/supervision/units/{tree['district']}/attendance", start="2019-01-01", end="2019-12-31"
    )
    assert (visits["attended"], visits["unplanned"], visits["reported"], visits["rounds"]) == (
        1,
        1,
        1,
        1,
    )
