"""Seed 003 (Lập Thạch, 2019) reproduced from events and reported through the API.

"Các tổ công tác của Huyện ủy đã có 11 kỳ làm việc … dự sinh hoạt tại các chi bộ khu dân cư;
qua đó, đã tiếp thu 317 lượt ý kiến, kiến nghị …, trong đó, ý kiến thuộc thẩm quyền giải quyết
cấp huyện và cấp trên có 282 lượt ý kiến; thuộc thẩm quyền giải quyết cấp cơ sở 35 lượt ý kiến."

The district's working groups attend cells on the first days of each quarter's first month
("vào ngày mùng 1 tháng đầu quý"): 11 rounds from January 2017 to July 2019, two cells a round.
Every figure below is computed by the system from the recorded events, not entered.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_supervision_api import Api, catch_up, make_api

pytestmark = pytest.mark.e2e


@pytest.fixture
def api(client: Any, container: Any, tenant: Any, monkeypatch: pytest.MonkeyPatch) -> Api:
    return make_api(client, container, tenant, monkeypatch)


ROUNDS = [(year, month) for year in (2017, 2018, 2019) for month in (1, 4, 7, 10)][:11]
ABOVE, GRASSROOTS = 282, 35


def petitions() -> list[dict[str, str]]:
    """317 petitions: 35 for the grassroots level, 282 for the district level or above."""
    levels = ["grassroots"] * GRASSROOTS + ["commune_district"] * 262 + ["province"] * 20
    return [
        {
            "content": f"Ý kiến, kiến nghị số {i + 1}",
            "category": "dân sinh",
            "competent_level": level,
        }
        for i, level in enumerate(levels)
    ]


def test_seed_003_figures(api: Api, container: Any, tenant: Any) -> None:
    province = api.unit("Đảng bộ tỉnh Vĩnh Phúc", "province")
    district = api.unit("Huyện ủy Lập Thạch", "direct", province)
    cells = []
    for commune, village in (("Triệu Đề", "Vọng Sơn"), ("Hợp Lý", "Tùy Sơn")):
        grassroots = api.unit(f"Đảng bộ xã {commune}", "grassroots_committee", district)
        cell = api.unit(f"Chi bộ thôn {village}", "cell", grassroots)
        chair, secretary = (api.member(cell, f"{n} {village}") for n in ("Phan Tiến", "Trần Văn"))
        cells.append((cell, chair, secretary))
    groups = [
        {
            "assignee_id": f"to-cong-tac-{i}",
            "name": f"Tổ công tác số {i}",
            "role": "committee_member",
            "position": "Huyện ủy viên",
        }
        for i in (1, 2)
    ]
    plans = {
        year: api.post(
            "/supervision/plans",
            {
                "committee_id": district,
                "year": year,
                "title": f"Phân công dự sinh hoạt chi bộ {year}",
            },
        )["id"]
        for year in (2017, 2018, 2019)
    }
    collected = petitions()
    visits = [(year, month, i) for year, month in ROUNDS for i in range(len(cells))]
    for n, (year, month, i) in enumerate(visits):
        cell, chair, secretary = cells[i]
        plan = plans[year]
        aid = api.post(
            f"/supervision/plans/{plan}/assignments",
            {
                "assignee": groups[i],
                "cell_id": cell,
                "month": f"{year}-{month:02d}-01",
            },
        )["assignment_id"]
        meeting = api.open_meeting(cell, f"{year}-{month:02d}-03", chair, secretary)
        api.post(
            f"/supervision/plans/{plan}/attendance", {"meeting_id": meeting, "assignment_id": aid}
        )
        api.post(
            f"/supervision/plans/{plan}/assignments/{aid}/report",
            {
                "filed_on": f"{year}-{month:02d}-05",
                "observations": "Tổng hợp ý kiến tại chi bộ",
                "quality_impression": "kha",
                "petitions": collected[n :: len(visits)],
            },
        )

    # Per plan, from the aggregates: rounds and petitions collected.
    views = [api.get(f"/supervision/plans/{plan}") for plan in plans.values()]
    assert sum(v["rounds"] for v in views) == 11
    assert sum(v["petitions_collected"] for v in views) == 317
    assert [v["reports_filed"] for v in views] == [8, 8, 6]
    # Four visits in 2017 against a yearly quota of six: each group is two short.
    assert {q["short_in_plan"] for q in views[0]["quotas"]} == {2}

    # One petition is followed to the written answer.
    petition_id = views[2]["assignments"][0]["petition_ids"][0]
    for step, body in (
        ("forward", {"on": "2019-01-07"}),
        ("accept", {"on": "2019-01-08"}),
        (
            "resolve",
            {
                "on": "2019-01-20",
                "response": "UBND huyện đã chi trả bồi thường GPMB",
                "document_ref": "12-BC/HU",
            },
        ),
        ("answer", {"on": "2019-01-21"}),
    ):
        api.post(f"/supervision/petitions/{petition_id}/{step}", body)

    # Per level, from the read model: the seed's figures.
    catch_up(container, tenant.schema)
    figures = api.petition_figures(district, "2017-01-01", "2019-12-31", "2019-08-14")
    assert (figures["raised"], figures["district_or_above"], figures["grassroots"]) == (
        317,
        282,
        35,
    )
    assert (figures["answered"], figures["open"]) == (1, 316)
    # The same in the district's per-level view, year by year (issue 12 §5).
    years = [
        api.get("/views/level", unit_id=district, period=str(y), as_of="2019-12-31")["node"][
            "figures"
        ]
        for y in (2017, 2018, 2019)
    ]
    assert sum(f["petitions_raised_district_or_above"] for f in years) == 282
    assert sum(f["petitions_raised_grassroots"] for f in years) == 35
    assert [f["superior_rounds"] for f in years] == [4, 4, 3]
    attendance = api.get(
        f"/supervision/units/{district}/attendance", start="2017-01-01", end="2019-12-31"
    )
    assert (attendance["rounds"], attendance["attended"], attendance["reported"]) == (11, 22, 22)
    assert (attendance["planned"], attendance["unplanned"], attendance["cells_visited"]) == (
        22,
        0,
        2,
    )
    in_2019 = api.get(
        f"/supervision/units/{province}/attendance", start="2019-01-01", end="2019-12-31"
    )
    assert in_2019["rounds"] == 3
