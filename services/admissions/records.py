"""Records of an admission case outside its twelve steps: that no Youth Union exists where the
applicant works or lives (so two members may introduce a young applicant, Charter art. 4.2),
and the competent committee's decision extending the running deadline once (gia hạn)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.admission import AdmissionCase
from domain.base import Actor
from infra.application import TenantApplication
from services.admissions.commands import calendar_for, step
from services.command_route import command_route
from services.wire import Command, Text

ONE = "/api/v1/t/{tenant:str}/admissions/{case_id:uuid}"


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


ROUTES: list[Any] = [
    command_route(
        ONE + "/no-youth-union",
        state_no_youth_union,
        NoYouthUnion,
        "Nơi không có tổ chức Đoàn (step 4)",
        name="post_no_youth_union",
    ),
    command_route(
        ONE + "/deadline-extensions",
        extend_deadline,
        ExtendDeadline,
        "Quyết định gia hạn thời hạn",
        name="post_deadline_extension",
    ),
]
