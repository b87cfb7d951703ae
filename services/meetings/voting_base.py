"""The legal base of a meeting's votes (Charter art. 9.5): the committee's approval of a named
member's absence, and the names behind every exclusion shown with the meeting.

An "excused" attendance mark alone keeps a member in the majority base; only the convening
committee's approval (cấp ủy triệu tập đồng ý cho vắng mặt), recorded here before or at the
meeting with who approved, takes them out of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import post
from litestar.params import FromPath, JSONBody

from domain.base import Actor
from domain.meeting import Meeting
from domain.member import Member
from domain.voting import MotionKind
from infra.application import TenantApplication
from services.context import Ctx
from services.meetings.commands import change
from services.meetings.view_schemas import MeetingView, meeting_view
from services.membership.org import find
from services.wire import Command
from services.written import Written, run

ONE = "/api/v1/t/{tenant:str}/meetings/{meeting_id:uuid}"


class ApproveAbsence(Command, kw_only=True):
    member_id: UUID
    approved_by: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    """Who approved, name and office (e.g. "Đ/c Lê Văn B, Bí thư chi bộ")."""
    approved_on: date
    note: str = ""


def approve_absence(
    app: TenantApplication,
    by: Actor,
    *,
    meeting_id: UUID,
    member_id: UUID,
    approved_by: str,
    approved_on: date,
    note: str = "",
    expected: int | None = None,
) -> tuple[Meeting, None, int]:
    """Record the committee's approval of a named member's absence (before or at the meeting)."""
    return change(
        app,
        meeting_id,
        expected,
        lambda m: m.approve_absence(member_id, approved_by, approved_on, note, by),
    )


def member_names(app: TenantApplication, member_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Full names of members, so people read names, never ids; unknown ids are left out."""
    found = {member_id: find(app, Member, member_id) for member_id in set(member_ids)}
    return {
        member_id: member.full_name for member_id, member in found.items() if member is not None
    }


def named_view(app: TenantApplication, m: Meeting) -> MeetingView:
    """The meeting's whole state, with the members left out of the base and approved absentees
    named."""
    ids = list(m.absence_approvals)
    if m.held_on is not None:
        for kind in (MotionKind.GENERAL, MotionKind.ADMISSION):  # majority, two thirds
            ids += [x.member_id for x in m.base_exclusions(kind)]
    return meeting_view(m, member_names(app, ids))


@post(ONE + "/absence-approvals", sync_to_thread=True, summary="Cấp ủy đồng ý cho vắng mặt")
def post_absence_approval(
    ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[ApproveAbsence]
) -> Written:
    meeting, _, position = run(
        approve_absence,
        ctx,
        meeting_id=meeting_id,
        member_id=data.member_id,
        approved_by=data.approved_by,
        approved_on=data.approved_on,
        note=data.note,
        expected=data.expected_version,
    )
    return Written(id=meeting.id, version=meeting.version, position=position)


ROUTES: list[Any] = [post_absence_approval]
