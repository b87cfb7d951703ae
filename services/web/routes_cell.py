"""The cell secretary's pages: her home, the cell's members, its admission cases, a new meeting.

The home answers "what do I do next": the next meeting, deadlines, whose self-criticism turn it
is, and records missing from past meetings. Lists of meetings and admission steps come from
the read side; everything else from the write model.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from uuid import UUID

import anyio
from litestar import Request, Response, get, post
from litestar.params import FromPath

from domain.meeting import Meeting
from domain.org_unit import OrgUnit
from infra.db_roles import fetch_as_tenant
from services.context import container_of
from services.membership.org import load_many
from services.web import data
from services.web.api import ApiError, call
from services.web.dates import BAD_DAY, BAD_MONTH, BAD_TIME, parse_clock, parse_day, parse_month
from services.web.nav import page_allowed
from services.web.pages import UNIT, cell_of, form_of, write
from services.web.render import VIETNAM, Crumb, FormState, principal_of, render, today
from services.web.routes_session import HOMES

PAGE_UNIT = "/t/{tenant}/units/{unit_id}"
"""The same pages as keyed in the policy table."""
STEP_LABELS = {
    "application": "Chi bộ xét, biểu quyết kết nạp",
    "admission_decision": "Cấp ủy có thẩm quyền ra quyết định kết nạp",
    "ceremony": "Tổ chức lễ kết nạp",
    "recognition_vote": "Chi bộ xét công nhận đảng viên chính thức",
    "recognition_decision": "Cấp ủy ra quyết định công nhận chính thức",
}
MEETINGS_SQL = (
    "SELECT id, kind, year, month, scheduled_at, started_at, closed, rating, is_late"
    " FROM {s}.meetings WHERE cell_id = $1 ORDER BY year DESC, month DESC, scheduled_at DESC"
    " LIMIT 12"
)
STEPS_SQL = (
    "SELECT source_id, kind, subject_name, opened_on, since, due_on, done_on"
    " FROM {s}.deadline_steps WHERE cell_id = $1 ORDER BY opened_on, source_id, since"
)


def vietnamese(text: str) -> str:
    """The Vietnamese half of a bilingual label ("Vi / En")."""
    return text.split(" / ")[0]


async def read_side(request: Request[Any, Any, Any], query: str, *args: Any) -> list[Any]:
    container = container_of(request.app.state)
    schema = container.applications.get(request.path_params["tenant"]).schema
    return await fetch_as_tenant(container.readside, schema, query.format(s=schema), *args)


HOSTS_SQL = (
    "SELECT DISTINCT ON (r.member_id) r.member_id, u.name FROM {s}.roster_changes r"
    " JOIN {s}.org_units u ON u.id = r.cell_id"
    " WHERE r.member_id = ANY($1::uuid[]) AND r.change LIKE 'temporary_joined_%'"
    " ORDER BY r.member_id, r.position DESC"
)


async def host_names(request: Request[Any, Any, Any], member_ids: list[UUID]) -> dict[UUID, str]:
    """The cell each member last went to for a temporary transfer (sinh hoạt tạm thời), from the
    read side (a transfer just recorded may not be there yet: the page then names no host)."""
    if not member_ids:
        return {}
    rows = await read_side(request, HOSTS_SQL, member_ids)
    return {row["member_id"]: row["name"] for row in rows}


def missing_records(meeting: Meeting) -> list[str]:
    """What a held meeting still lacks, in words."""
    if meeting.started_at is None:
        return []
    missing = []
    if not meeting.attendance:
        missing.append("chưa điểm danh")
    if meeting.minutes is None:
        missing.append("chưa có biên bản")
    elif not meeting.minutes_approved:
        missing.append("biên bản chưa được biểu quyết thông qua")
    if meeting.quality_rating is None:
        missing.append("chưa đánh giá chất lượng")
    if meeting.dues_total_vnd is None:
        missing.append("chưa ghi thu đảng phí")
    if not meeting.is_closed:
        missing.append("chưa bế mạc")
    return missing


async def secretary_home(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = principal_of(request)
    assert principal is not None
    tenant = principal.tenant
    app = container_of(request.app.state).applications.get(tenant)
    cell: OrgUnit | None = await anyio.to_thread.run_sync(
        data.home_cell, app, principal.scope_unit_id
    )
    if cell is None:
        return await render(request, "home.html", crumbs=[])
    rows = await read_side(request, MEETINGS_SQL, cell.id)

    def load_meetings() -> list[tuple[Any, Meeting | None, list[str]]]:
        loaded = load_many(app, Meeting, [row["id"] for row in rows])
        found = []
        for row in rows:
            meeting = loaded[row["id"]]
            found.append((row, meeting, missing_records(meeting) if meeting else []))
        return found

    meetings = await anyio.to_thread.run_sync(load_meetings)
    upcoming = [m for _, m, _ in meetings if m is not None and not m.is_closed]
    now = today()
    this_month = any(r["year"] == now.year and r["month"] == now.month for r, _, _ in meetings)
    deadlines: list[dict[str, Any]] = []
    rotation: dict[str, Any] = {}
    try:
        found = await call(request, "GET", f"/api/v1/t/{tenant}/deadlines?unit_id={cell.id}")
        deadlines = found.get("items", [])
        rotation = await call(
            request, "GET", f"/api/v1/t/{tenant}/supervision/cells/{cell.id}/rotation"
        )
    except ApiError:
        pass  # the read side may not be built yet; the home still shows the rest
    roster = await anyio.to_thread.run_sync(data.cell_members, app, cell.id, now)
    trail = await anyio.to_thread.run_sync(data.crumbs, app, tenant, cell.id)
    return await render(
        request,
        "secretary_home.html",
        crumbs=trail,
        cell=cell,
        upcoming=upcoming[-1] if upcoming else None,
        meetings=meetings,
        this_month=this_month,
        now=now,
        deadlines=deadlines,
        rotation=rotation,
        official=sum(1 for m in roster if m.status == "official"),
        probationary=sum(1 for m in roster if m.status == "probationary"),
        vietnamese=vietnamese,
        print_heading=cell.name,
    )


HOMES["secretary"] = secretary_home


@get(UNIT + "/members", summary="Đảng viên của chi bộ / the cell's members")
async def members_page(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    app, cell, trail = await cell_of(request, tenant, unit_id)
    rows = await anyio.to_thread.run_sync(data.cell_members, app, unit_id, today(), True)
    return await render(
        request,
        "cell_members.html",
        crumbs=[*trail[:-1], Crumb(cell.name), Crumb("Đảng viên")],
        cell=cell,
        rows=[r for r in rows if r.temporary_since is None],
        guests=[r for r in rows if r.temporary_since is not None],
        hosts=await host_names(request, [r.id for r in rows if r.away_since]),
        on=today(),
        # the enrol form and each member's page: only for those the policy lets write
        may_enrol=await page_allowed(request, f"{PAGE_UNIT}/members/new", unit_id=str(unit_id)),
        may_receive=await page_allowed(request, f"{PAGE_UNIT}/transfers/in", unit_id=str(unit_id)),
        print_heading=f"{cell.name} — danh sách đảng viên",
    )


@get(UNIT + "/admissions", summary="Hồ sơ kết nạp của chi bộ / the cell's admission cases")
async def admissions_page(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    _, cell, trail = await cell_of(request, tenant, unit_id)
    steps = await read_side(request, STEPS_SQL, unit_id)
    cases: dict[Any, dict[str, Any]] = {}
    for row in steps:
        case = cases.setdefault(row["source_id"], {"name": row["subject_name"], "steps": []})
        case["steps"].append(row)
    return await render(
        request,
        "cell_admissions.html",
        crumbs=[*trail, Crumb("Hồ sơ kết nạp")],
        cell=cell,
        cases=list(cases.values()),
        labels=STEP_LABELS,
        on=today(),
        print_heading=f"{cell.name} — hồ sơ kết nạp",
    )


async def new_meeting_page(
    request: Request[Any, Any, Any], unit_id: UUID, state: FormState | None, status: int
) -> Response[Any]:
    tenant = request.path_params["tenant"]
    app = container_of(request.app.state).applications.get(tenant)
    trail = await anyio.to_thread.run_sync(data.crumbs, app, tenant, unit_id)
    now = today()
    return await render(
        request,
        "meeting_new.html",
        status=status,
        crumbs=[*trail, Crumb("Lên lịch sinh hoạt")],
        unit_id=unit_id,
        state=state,
        default_day=now.isoformat(),
        default_month=f"{now.year}-{now.month:02d}",
    )


@get(UNIT + "/meetings/new", summary="Lên lịch sinh hoạt / schedule a meeting (form)")
async def new_meeting(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    return await new_meeting_page(request, unit_id, None, 200)


@post(UNIT + "/meetings", summary="Lên lịch sinh hoạt / schedule a meeting")
async def schedule_meeting(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    state = FormState("schedule", values)
    period = parse_month(str(values.get("period", "")))
    day = parse_day(str(values.get("day", "")))
    time_text = str(values.get("time", "")).strip()
    clock = parse_clock(time_text) if time_text else time(0, 0)  # a blank time: midnight
    for field, message, read in (
        ("schedule-period", BAD_MONTH, period),
        ("schedule-day", BAD_DAY, day),
        ("schedule-time", BAD_TIME, clock),
    ):
        if read is None:
            state.errors.append((field, message))
    if period is None or day is None or clock is None:
        return await new_meeting_page(request, unit_id, state, 422)
    agenda = [line.strip() for line in str(values.get("agenda", "")).splitlines() if line.strip()]
    body = {
        "cell_id": str(unit_id),
        "kind": values.get("kind", "regular"),
        "year": period[0],
        "month": period[1],
        "scheduled_at": datetime.combine(day, clock, VIETNAM).isoformat(),
        "place": str(values.get("place", "")).strip(),
        "agenda": agenda,
        "topic": str(values.get("topic", "")).strip(),
    }

    async def again(failed: FormState, code: int) -> Response[Any]:
        return await new_meeting_page(request, unit_id, failed, code)

    return await write(
        request,
        "schedule",
        values,
        f"/api/v1/t/{tenant}/meetings",
        body,
        lambda written: f"/t/{tenant}/meetings/{written['id']}",
        again,
        {"place": "place", "scheduled_at": "day", "agenda": "agenda", "kind": "kind"},
        "place",
    )


ROUTES: list[Any] = [members_page, admissions_page, new_meeting, schedule_meeting]
