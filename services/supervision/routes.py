"""HTTP routes for supervision: attendance plans, self-criticism rotation, petitions.

Commands return ``Written``; single records are read from their aggregate; per-level figures
(petitions open/overdue/answered, visits and rounds under a unit) come from the projection.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from domain.attendance_plan import Assignee, AttendancePlan
from domain.member import Member
from domain.petition import Petition
from projections import supervision as figures
from services.command_route import command_route
from services.context import Ctx, RequestContext, container_of
from services.meetings import commands as meetings
from services.meetings.schemas import RecordSelfCriticism
from services.membership.org import load
from services.membership.org import settings_on as org_settings_on
from services.supervision import attendance, petitions, rotation
from services.supervision import common as sv
from services.supervision.schemas import (
    Assign,
    AssigneeIn,
    Attend,
    AttendanceFigures,
    Contact,
    FileReport,
    MakePlan,
    Missed,
    NextTurnView,
    OnDay,
    PetitionFigures,
    PetitionIn,
    PetitionView,
    PlanView,
    RaisePetition,
    Reassign,
    Reclassify,
    Reopen,
    Resolve,
    RotationFigures,
    RotationView,
    petition_view,
    plan_view,
)
from services.written import Written, arguments, written_by

BASE = "/api/v1/t/{tenant:str}/supervision"
PLAN = f"{BASE}/plans/{{plan_id:uuid}}"
ASSIGNMENT = f"{PLAN}/assignments/{{assignment_id:uuid}}"
PETITION = f"{BASE}/petitions/{{petition_id:uuid}}"
ROUTES: list[Any] = []


def route(handler: Any) -> Any:
    ROUTES.append(handler)
    return handler


def assignee(ctx: Ctx, plan_id: UUID, data: AssigneeIn) -> Assignee:
    return attendance.resolve_assignee(
        ctx.app, plan_id, data.user_id, data.assignee_id, data.name, data.role, data.position
    )


def petition_input(data: PetitionIn) -> sv.PetitionInput:
    return sv.PetitionInput(data.content, data.category, data.competent_level)


def with_assignee(ctx: RequestContext, data: Any, path: dict[str, Any]) -> dict[str, Any]:
    """The body's fields, its assignee (if any) resolved for the plan."""
    sent = arguments(data)
    sent["assignee"] = assignee(ctx, path["plan_id"], data.assignee) if data.assignee else None
    return sent


def with_petitions(ctx: RequestContext, data: FileReport, path: dict[str, Any]) -> dict[str, Any]:
    """The report's fields, the petitions it raises as the services take them."""
    return arguments(data) | {"petitions": [petition_input(p) for p in data.petitions]}


# -- plans ----------------------------------------------------------------------------------


route(
    command_route(
        f"{BASE}/plans", attendance.make_plan, MakePlan, "Lập kế hoạch dự sinh hoạt / make a plan"
    )
)


@route
@get(PLAN, sync_to_thread=True, summary="Kế hoạch, định mức / a plan with its quotas")
def get_plan(ctx: Ctx, plan_id: FromPath[UUID]) -> PlanView:
    plan = load(ctx.app, AttendancePlan, plan_id)
    settings = org_settings_on(ctx.app, date(plan.year, 12, 31))
    return plan_view(
        plan, settings.provincial_member_visits_per_year, settings.other_member_visits_per_year
    )


route(
    command_route(
        f"{PLAN}/assignments",
        attendance.assign,
        Assign,
        "Phân công / assign",
        given=with_assignee,
        reports="assignment_id",
    )
)
route(
    command_route(
        f"{ASSIGNMENT}/reassign",
        attendance.reassign,
        Reassign,
        "Phân công lại / reassign",
        given=with_assignee,
        echoes=("assignment_id",),
    )
)
route(
    command_route(
        f"{ASSIGNMENT}/contact",
        attendance.record_contact,
        Contact,
        "Liên hệ trước / contact made",
        name="contact",
        renamed={"contacted_on": "on"},
        echoes=("assignment_id",),
    )
)
route(
    command_route(
        f"{ASSIGNMENT}/missed",
        attendance.record_missed,
        Missed,
        "Không dự được / missed",
        name="missed",
        echoes=("assignment_id",),
    )
)


route(
    command_route(
        f"{PLAN}/attendance",
        attendance.record_attendance,
        Attend,
        "Đã dự sinh hoạt / attended a meeting",
        name="attend",
        given=with_assignee,
        reports="assignment_id",
    )
)
route(
    command_route(
        f"{ASSIGNMENT}/report",
        attendance.file_report,
        FileReport,
        "Báo cáo dự sinh hoạt / file a report",
        name="report",
        given=with_petitions,
        renamed={"quality_impression": "quality"},
        reports="petition_ids",
        echoes=("assignment_id",),
    )
)


# -- petitions ------------------------------------------------------------------------------


@route
@post(f"{BASE}/petitions", sync_to_thread=True, summary="Kiến nghị tại kỳ họp / raise a petition")
def raise_petition(ctx: Ctx, data: JSONBody[RaisePetition]) -> Written:
    return written_by(
        petitions.raise_at_meeting, ctx, meeting_id=data.meeting_id, petition=petition_input(data)
    )


@route
@get(PETITION, sync_to_thread=True, summary="Xem kiến nghị / a petition")
def get_petition(
    ctx: Ctx, petition_id: FromPath[UUID], today: FromQuery[date | None] = None
) -> PetitionView:
    return petition_view(load(ctx.app, Petition, petition_id), today or date.today())


route(
    command_route(
        f"{PETITION}/forward", petitions.forward, OnDay, "Chuyển cấp có thẩm quyền / forward"
    )
)
route(
    command_route(
        f"{PETITION}/reclassify",
        petitions.reclassify,
        Reclassify,
        "Phân loại lại / reclassify",
        renamed={"competent_level": "level"},
    )
)
route(command_route(f"{PETITION}/accept", petitions.accept, OnDay, "Nhận giải quyết / accept"))
route(
    command_route(
        f"{PETITION}/resolve", petitions.resolve, Resolve, "Giải quyết, trả lời bằng văn bản"
    )
)
route(
    command_route(
        f"{PETITION}/answer",
        petitions.answer_back,
        OnDay,
        "Trả lời chi bộ / answer back to the cell",
        name="answer",
    )
)
route(command_route(f"{PETITION}/reopen", petitions.reopen, Reopen, "Đề nghị xem xét lại / reopen"))


# -- rotation -------------------------------------------------------------------------------


route(
    command_route(
        f"{BASE}/meetings/{{meeting_id:uuid}}/self-criticism",
        meetings.record_self_criticism,
        RecordSelfCriticism,
        "Tự phê bình xoay vòng (tên khác của POST /meetings/{id}/self-criticisms) / "
        "a member takes their turn (alias of POST /meetings/{id}/self-criticisms)",
        name="take_turn",
        doc="An alias kept for the meeting page's form: the very command of the meeting flow\n"
        "(issue 12 §5, one endpoint that counts), so both answer alike, refusals included.",
    )
)
route(
    command_route(
        f"{BASE}/meetings/{{meeting_id:uuid}}/settle-turns",
        rotation.settle_turns,
        None,
        "Chốt lượt, chuyển người vắng sang kỳ sau / settle the meeting's turns",
    )
)


@route
@get(
    f"{BASE}/cells/{{cell_id:uuid}}/rotation",
    sync_to_thread=True,
    summary="Lượt tiếp theo và lý do; độ bao phủ / next turns, why, coverage",
)
def rotation_view(
    ctx: Ctx,
    cell_id: FromPath[UUID],
    on: FromQuery[date | None] = None,
    meeting_id: FromQuery[UUID | None] = None,
) -> RotationView:
    """With ``meeting_id`` of a meeting under way, its absentees are replaced by the next in
    line, and each replacement says whom it stands for (issue 12 §5)."""
    absent, held_on = rotation.absent_from(ctx.app, cell_id, meeting_id)
    day = on or held_on or date.today()
    # Read only: the roster is followed in memory; nothing is saved by a query.
    schedule = rotation.schedule_for(ctx.app, cell_id, day, ctx.actor)
    turns = org_settings_on(ctx.app, day).rotation_turns_per_meeting
    exempted = rotation.exempted_on(ctx.app, cell_id, day, ctx.actor)
    coverage = schedule.coverage()
    next_views = []
    for turn in schedule.next_turns(turns, exempted, absent):
        vi, en = turn.why()
        replaced = turn.replaces and load(ctx.app, Member, turn.replaces).full_name
        if replaced:
            vi = f"Thay đ/c {replaced} vắng mặt tại buổi sinh hoạt này; {vi[0].lower()}{vi[1:]}"
            en = f"stands in for {replaced}, absent from this meeting; {en}"
        next_views.append(
            NextTurnView(
                member_id=turn.member_id,
                full_name=load(ctx.app, Member, turn.member_id).full_name,
                position=turn.position,
                why=vi,
                why_en=en,
                carried_from=turn.carried_from,
                carried_reason=turn.carried_reason,
                replaces=turn.replaces,
                replaces_name=replaced or None,
            )
        )
    return RotationView(
        cell_id=cell_id,
        cycle_start=schedule.cycle_start,
        cycle_end=schedule.cycle_end,
        turns_per_meeting=turns,
        next=next_views,
        queue=schedule.queue(),
        eligible=coverage.eligible,
        taken=coverage.taken,
        coverage=round(coverage.rate, 4),
        not_taken=list(coverage.not_taken),
    )


# -- per-level figures (read model) ---------------------------------------------------------


@route
@get(f"{BASE}/units/{{unit_id:uuid}}/petitions", summary="Kiến nghị theo cấp / petition figures")
async def petition_figures(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    unit_id: FromPath[UUID],
    start: FromQuery[date],
    end: FromQuery[date],
    today: FromQuery[date | None] = None,
) -> PetitionFigures:
    readside = container_of(request.app.state).readside
    row = await figures.petition_figures(
        readside, ctx.app.schema, unit_id, start, end, today or date.today()
    )
    return PetitionFigures(unit_id=unit_id, **row)


@route
@get(f"{BASE}/units/{{unit_id:uuid}}/attendance", summary="Dự sinh hoạt theo cấp / visit figures")
async def attendance_figures(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    unit_id: FromPath[UUID],
    start: FromQuery[date],
    end: FromQuery[date],
) -> AttendanceFigures:
    readside = container_of(request.app.state).readside
    row = await figures.attendance_figures(readside, ctx.app.schema, unit_id, start, end)
    return AttendanceFigures(unit_id=unit_id, **row)


@route
@get(f"{BASE}/units/{{unit_id:uuid}}/rotation", summary="Độ bao phủ tự phê bình theo cấp")
async def rotation_figures(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    unit_id: FromPath[UUID],
    year: Annotated[int, Parameter(query="year", ge=1900, le=2200)],
) -> RotationFigures:
    readside = container_of(request.app.state).readside
    start = date(year, 1, 1)
    row = await figures.rotation_figures(readside, ctx.app.schema, unit_id, start)
    rate = row["taken"] / row["eligible"] if row["eligible"] else 1.0
    return RotationFigures(unit_id=unit_id, cycle_start=start, coverage=round(rate, 4), **row)
