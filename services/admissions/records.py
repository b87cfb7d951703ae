"""Records of an admission case outside its twelve steps: that no Youth Union exists where the
applicant works or lives (so two members may introduce a young applicant, Charter art. 4.2),
and the competent committee's decision extending the running deadline once (gia hạn)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import post
from litestar.params import FromPath, JSONBody

from domain.admission import AdmissionCase
from domain.base import Actor
from infra.application import TenantApplication
from services.admissions.commands import calendar_for, step
from services.admissions.schemas import Command
from services.context import Ctx
from services.written import Written, written_by

ONE = "/api/v1/t/{tenant:str}/admissions/{case_id:uuid}"
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class NoYouthUnion(Command, kw_only=True):
    on: date
    reason: Text


class ExtendDeadline(Command, kw_only=True):
    decision_no: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    decided_on: date
    working_days: Annotated[int, msgspec.Meta(ge=1, le=366)]
    reason: Text


def state_no_youth_union(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    on: date,
    reason: str,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    return step(app, case_id, expected, lambda c: c.state_no_youth_union(on, reason, by))


def extend_deadline(
    app: TenantApplication,
    by: Actor,
    *,
    case_id: UUID,
    decision_no: str,
    decided_on: date,
    working_days: int,
    reason: str,
    expected: int | None = None,
) -> tuple[AdmissionCase, int]:
    """Counted in the province's working days, like every deadline of the case."""
    calendar = calendar_for(app)
    return step(
        app,
        case_id,
        expected,
        lambda c: c.extend_deadline(decision_no, decided_on, working_days, reason, calendar, by),
    )


@post(ONE + "/no-youth-union", sync_to_thread=True, summary="Nơi không có tổ chức Đoàn (step 4)")
def post_no_youth_union(ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[NoYouthUnion]) -> Written:
    return written_by(
        state_no_youth_union,
        ctx,
        case_id=case_id,
        on=data.on,
        reason=data.reason,
        expected=data.expected_version,
    )


@post(ONE + "/deadline-extensions", sync_to_thread=True, summary="Quyết định gia hạn thời hạn")
def post_deadline_extension(
    ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[ExtendDeadline]
) -> Written:
    return written_by(
        extend_deadline,
        ctx,
        case_id=case_id,
        decision_no=data.decision_no,
        decided_on=data.decided_on,
        working_days=data.working_days,
        reason=data.reason,
        expected=data.expected_version,
    )


ROUTES: list[Any] = [post_no_youth_union, post_deadline_extension]
