"""Wire types for supervision (attendance plans, rotation, petitions) and their adapters.

The views built from aggregates live here too, so wire and domain meet in one place.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.attendance_plan import AssigneeRole, AssignmentState, AttendancePlan
from domain.petition import CompetentLevel, Petition, PetitionSource, PetitionState
from domain.quality import Rating
from domain.rotation import CarryReason
from services.wire import view_of

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=8000)]


class MakePlan(msgspec.Struct, forbid_unknown_fields=True):
    committee_id: UUID
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    title: Name
    quarter: Annotated[int, msgspec.Meta(ge=1, le=4)] | None = None


class AssigneeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Who is assigned: a superior committee member's user account (``user_id``), so the
    assignment appears in their "my assignments"; or, for someone without an account, an
    ``assignee_id`` and a ``name`` as text."""

    user_id: UUID | None = None
    assignee_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    name: Name | None = None
    role: AssigneeRole
    position: str = ""


class Assign(msgspec.Struct, forbid_unknown_fields=True):
    assignee: AssigneeIn
    cell_id: UUID
    month: date
    expected_version: int | None = None


class Reassign(msgspec.Struct, forbid_unknown_fields=True):
    assignee: AssigneeIn
    month: date
    reason: Text
    expected_version: int | None = None


class Contact(msgspec.Struct, forbid_unknown_fields=True):
    contacted_on: date
    note: str = ""


class Missed(msgspec.Struct, forbid_unknown_fields=True):
    reason: Text


class Attend(msgspec.Struct, forbid_unknown_fields=True):
    """Either the planned assignment, or the assignee (then matched or recorded unplanned)."""

    meeting_id: UUID
    assignment_id: UUID | None = None
    assignee: AssigneeIn | None = None


class PetitionIn(msgspec.Struct, forbid_unknown_fields=True):
    content: Text
    category: Name
    competent_level: CompetentLevel


class FileReport(msgspec.Struct, forbid_unknown_fields=True):
    filed_on: date
    observations: Text
    quality_impression: Rating
    petitions: list[PetitionIn] = []


class RaisePetition(PetitionIn, forbid_unknown_fields=True):
    meeting_id: UUID


class OnDay(msgspec.Struct, forbid_unknown_fields=True):
    on: date
    expected_version: int | None = None


class Reclassify(msgspec.Struct, forbid_unknown_fields=True):
    competent_level: CompetentLevel
    reason: Text


class Resolve(msgspec.Struct, forbid_unknown_fields=True):
    on: date
    response: Text
    document_ref: Name


class Reopen(msgspec.Struct, forbid_unknown_fields=True):
    on: date
    cell_id: UUID
    reason: Text


class AssignmentView(msgspec.Struct):
    id: UUID
    assignee_id: str
    assignee_name: str
    role: AssigneeRole
    cell_id: UUID
    month: date | None
    unplanned: bool
    state: AssignmentState
    contacted_on: date | None
    contacted_in_time: bool | None
    meeting_id: UUID | None
    attended_on: date | None
    missed_reason: str | None
    quality_impression: Rating | None
    petition_ids: list[UUID]


class QuotaView(msgspec.Struct):
    assignee_id: str
    name: str
    role: AssigneeRole
    quota: int
    planned: int
    attended: int
    short_in_plan: int
    short_in_attendance: int


class PlanView(msgspec.Struct):
    id: UUID
    committee_id: UUID
    year: int
    quarter: int | None
    title: str
    version: int
    assignments: list[AssignmentView]
    quotas: list[QuotaView]
    rounds: int
    """Distinct months in which someone of the plan attended a cell (kỳ dự sinh hoạt)."""
    petitions_collected: int
    reports_filed: int


class PetitionView(msgspec.Struct):
    id: UUID
    cell_id: UUID
    source: PetitionSource
    meeting_id: UUID | None
    assignment_id: UUID | None
    content: str
    category: str
    competent_level: CompetentLevel
    state: PetitionState
    raised_on: date
    due_on: date
    overdue: bool
    forwarded_to: UUID | None
    response: str | None
    answered_on: date | None
    reopen_count: int
    version: int


class NextTurnView(msgspec.Struct):
    member_id: UUID
    full_name: str
    position: int
    why: str
    why_en: str
    carried_from: date | None
    carried_reason: CarryReason | None
    replaces: UUID | None = None
    """At the meeting asked for (``meeting_id``), under way: the absent member due whose turn
    this one takes."""
    replaces_name: str | None = None


class RotationView(msgspec.Struct):
    cell_id: UUID
    cycle_start: date
    cycle_end: date
    turns_per_meeting: int
    next: list[NextTurnView]
    queue: list[UUID]
    eligible: int
    taken: int
    coverage: float
    not_taken: list[UUID]


class PetitionFigures(msgspec.Struct):
    """Petitions of the cells under one unit raised in a period (kiến nghị theo cấp)."""

    unit_id: UUID
    raised: int
    district_or_above: int
    grassroots: int
    cell: int
    open: int
    overdue: int
    answered: int
    reopened: int


class AttendanceFigures(msgspec.Struct):
    unit_id: UUID
    planned: int
    attended: int
    unplanned: int
    missed: int
    reported: int
    rounds: int
    cells_visited: int


class RotationFigures(msgspec.Struct):
    unit_id: UUID
    cycle_start: date
    cells: int
    eligible: int
    taken: int
    carried_over: int
    coverage: float


# -- adapters: aggregates to views --------------------------------------------------------


def plan_view(plan: AttendancePlan, provincial_quota: int, other_quota: int) -> PlanView:
    rows = sorted(plan.assignments.values(), key=lambda a: (a.month or date.max, a.assignee.name))
    attended = [a.attended_on for a in rows if a.attended_on is not None]
    return view_of(
        PlanView,
        plan,
        assignments=[
            view_of(
                AssignmentView,
                a,
                assignee_id=a.assignee.assignee_id,
                assignee_name=a.assignee.name,
                role=a.assignee.role,
                petition_ids=list(a.petition_ids),
            )
            for a in rows
        ],
        quotas=[
            view_of(
                QuotaView,
                q,
                assignee_id=q.assignee.assignee_id,
                name=q.assignee.name,
                role=q.assignee.role,
            )
            for q in plan.quota_lines(provincial_quota, other_quota)
        ],
        rounds=len({(d.year, d.month) for d in attended}),
        petitions_collected=sum(len(a.petition_ids) for a in rows),
        reports_filed=sum(1 for a in rows if a.quality_impression is not None),
    )


def petition_view(p: Petition, today: date) -> PetitionView:
    return view_of(PetitionView, p, overdue=p.is_overdue(today))
