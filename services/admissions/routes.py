"""HTTP routes for admission cases (hồ sơ kết nạp) and the deadlines view (thời hạn).

Each step is one POST on the case; the response names the case's new version and log position.
Votes cite the meeting and motion that took them. Deadlines come from the read model.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from domain.admission import AdmissionCase
from infra.readside import qualified
from projections.deadlines import WHAT, items_query, who_for
from services.admissions import commands as svc
from services.admissions import records
from services.admissions.schemas import (
    AssignIntroducer,
    CaseView,
    Ceremony,
    CertifyCourse,
    CiteMotion,
    CloseCase,
    CommitteeVote,
    DeadlineItem,
    DeadlineList,
    Decision,
    FileDossierItem,
    IntroduceByOrganisation,
    OpenCase,
    RecognitionDecision,
)
from services.command_route import command_route
from services.context import Ctx, container_of
from services.wire import view_of
from services.written import Written, run, written, written_by

T = "/api/v1/t/{tenant:str}"
BASE = T + "/admissions"
ONE = BASE + "/{case_id:uuid}"
ROUTES: list[Any] = []


def route(handler: Any) -> Any:
    ROUTES.append(handler)
    return handler


def stage(case: AdmissionCase) -> int:
    steps = [
        (case.recognition is not None, 11),
        (bool(case.recognition_votes), 10),
        (case.ceremony_on is not None, 8),
        (case.decision is not None, 7),
        (case.committee_vote_on is not None, 6),
        (case.cell_vote_on is not None, 5),
        (case.is_introduced, 4),
        (len(case.dossier) == 3, 3),
        (case.course is not None, 2),
    ]
    return next((n for done, n in steps if done), 1)


def case_view(case: AdmissionCase) -> CaseView:
    return view_of(
        CaseView,
        case,
        stage=stage(case),
        introducers=sorted(case.introducers),
        decision_number=case.decision[0] if case.decision else None,
        recognition_votes=list(case.recognition_votes),
    )


route(
    command_route(
        BASE, svc.open_case, OpenCase, "Lập hồ sơ kết nạp / open an admission case (step 1)"
    )
)


@route
@get(ONE, sync_to_thread=True, summary="Xem hồ sơ kết nạp / an admission case")
def get_case(ctx: Ctx, case_id: FromPath[UUID]) -> CaseView:
    return case_view(svc.load_case(ctx.app, case_id))


route(
    command_route(
        ONE + "/course",
        svc.certify_course,
        CertifyCourse,
        "Giấy chứng nhận lớp nhận thức về Đảng (step 2)",
    )
)
route(
    command_route(
        ONE + "/dossier",
        svc.file_dossier_item,
        FileDossierItem,
        "Đơn, lý lịch, thẩm tra lý lịch (step 3)",
        name="file_dossier",
    )
)
route(
    command_route(
        ONE + "/introducers", svc.assign_introducer, AssignIntroducer, "Người giới thiệu (step 4)"
    )
)
route(
    command_route(
        ONE + "/introduction-by-organisation",
        svc.introduce_by_organisation,
        IntroduceByOrganisation,
        "Nghị quyết giới thiệu của Đoàn / Công đoàn (step 4)",
    )
)
route(
    command_route(
        ONE + "/cell-vote",
        svc.record_cell_vote,
        CiteMotion,
        "Chi bộ biểu quyết kết nạp (step 5)",
        name="cell_vote",
    )
)
route(
    command_route(
        ONE + "/committee-vote",
        svc.record_committee_vote,
        CommitteeVote,
        "Đảng ủy cơ sở biểu quyết (step 6)",
        name="committee_vote",
    )
)


@route
@post(ONE + "/decision", sync_to_thread=True, summary="Quyết định kết nạp (step 7)")
def decision(ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[Decision]) -> Written:
    return written_by(
        svc.record_decision,
        ctx,
        case_id=case_id,
        number=data.number,
        decided_on=data.decided_on,
        received_on=data.received_on or data.decided_on,
        expected=data.expected_version,
    )


@route
@post(ONE + "/ceremony", sync_to_thread=True, summary="Lễ kết nạp (step 8)")
def ceremony(ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[Ceremony]) -> Written:
    done = run(svc.hold_ceremony, ctx, data, case_id=case_id)
    return written(done, member_id=done[0].member_id)


@route
@post(ONE + "/recognition-vote", sync_to_thread=True, summary="Chi bộ xét công nhận (step 10)")
def recognition_vote(ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[CiteMotion]) -> Written:
    done = run(svc.record_recognition_vote, ctx, data, case_id=case_id)
    return written(done, outcome=done[0].recognition_votes[-1][1])


@route
@post(
    ONE + "/recognition-decision", sync_to_thread=True, summary="Quyết định công nhận (step 11–12)"
)
def recognition_decision(
    ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[RecognitionDecision]
) -> Written:
    done = run(svc.record_recognition_decision, ctx, data, case_id=case_id)
    return written(done, official_on=done[0].probation_ends_on if data.recognised else None)


route(command_route(ONE + "/close", svc.close_case, CloseCase, "Dừng hồ sơ / close the case"))


@route
@get(T + "/deadlines", summary="Việc đến hạn và quá hạn / due and overdue items")
async def deadlines(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    unit_id: FromQuery[UUID | None] = None,
    on: FromQuery[date | None] = None,
    soon: FromQuery[int] = 10,
    removal_months: FromQuery[int] = 3,
) -> DeadlineList:
    """Per tenant, or under ``unit_id``; due soon = within ``soon`` working days of ``on``."""
    today = on or date.today()
    calendar = svc.calendar_for(ctx.app)
    until = calendar.add_working_days(today, max(0, min(soon, 120)))
    readside = container_of(request.app.state).readside
    rows = await readside.for_schema(ctx.app.schema).fetch(
        items_query(qualified, ctx.app.schema, subtree=unit_id is not None),
        unit_id,
        until,
        max(1, removal_months),
    )
    items = [
        DeadlineItem(
            kind=r[0],
            what=WHAT[r[0]],
            who=who_for(r[0], r[7], r[8]),
            overdue=r[0] == "removal_flag" or r[6] < today,
            source_id=r[1],
            subject_id=r[2],
            subject_name=r[3],
            cell_id=r[4],
            since=r[5],
            due_on=r[6],
            rule_set=r[7],
        )
        for r in rows
    ]
    overdue = sum(1 for i in items if i.overdue)
    return DeadlineList(
        on=today,
        unit_id=unit_id,
        due_soon_until=until,
        overdue=overdue,
        due_soon=len(items) - overdue,
        items=items,
    )


ROUTES += records.ROUTES  # records outside the twelve steps (services/admissions/records.py)
