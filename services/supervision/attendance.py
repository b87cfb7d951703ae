"""Application services for superior-level attendance plans (phân công dự sinh hoạt chi bộ).

Attendance saves the plan and the meeting (the assignee becomes its guest) in one transaction;
a report saves the plan and every petition it collected together.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from domain.attendance_plan import Assignee, AssigneeRole, AttendancePlan
from domain.base import Actor, InvalidValue, RuleViolated
from domain.org_unit import OrgUnit
from domain.petition import Petition, PetitionSource
from domain.quality import Rating
from domain.user import Role, UserAccount
from infra.application import TenantApplication
from services.membership.org import ancestors, changed, load, load_cell, settings_on
from services.supervision.common import PetitionInput, calendar_for, held_meeting


class AssigneeNotCommitteeMember(RuleViolated):
    """The account named as the assignee cannot act on the plan: not a superior committee
    member (cấp ủy viên cấp trên), or scoped outside the plan's committee."""

    code = "assignee_not_committee_member"


class AssigneeRequired(InvalidValue):
    code = "assignee_required"


def account_assignee(
    app: TenantApplication, plan_id: UUID, user_id: UUID, role: AssigneeRole, position: str
) -> Assignee:
    """The assignee as the user account of a superior committee member (not free text), so
    the assignment shows in that account's "my assignments" and the account may report on it.

    The account's scope must reach the plan's committee: the routes that record a contact, a
    miss or a report check exactly that scope.
    """
    account = load(app, UserAccount, user_id)
    plan = load(app, AttendancePlan, plan_id)
    reaches = account.scope_unit_id is None or within(app, plan.committee_id, account.scope_unit_id)
    if account.role is not Role.SUPERIOR_MEMBER or account.disabled or not reaches:
        raise AssigneeNotCommitteeMember(
            f"Tài khoản «{account.display_name}» không phải cấp ủy viên cấp trên có phạm vi"
            " gồm cấp ủy lập kế hoạch",
            f"account '{account.username}' is not a superior committee member whose scope"
            " includes the plan's committee",
            field="assignee.user_id",
        )
    return Assignee(str(account.id), account.display_name, role, position)


def resolve_assignee(
    app: TenantApplication,
    plan_id: UUID,
    user_id: UUID | None,
    assignee_id: str | None,
    name: str | None,
    role: AssigneeRole,
    position: str,
) -> Assignee:
    """A user account (``user_id``), or, for a person without an account (a staff member of
    a commission), an id and a name given as text; such an assignment has no "my
    assignments" page."""
    if user_id is not None:
        return account_assignee(app, plan_id, user_id, role, position)
    if not assignee_id or not name:
        raise AssigneeRequired(
            "Chọn tài khoản cấp ủy viên được phân công (user_id)",
            "give the assignee's user account (user_id), or an assignee_id and a name",
            field="assignee.user_id",
        )
    return Assignee(assignee_id, name, role, position)


def within(app: TenantApplication, unit_id: UUID, scope_unit_id: UUID) -> bool:
    """Whether ``unit_id`` is ``scope_unit_id`` or below it (the write model's parents)."""
    current: UUID | None = unit_id
    for _ in range(16):
        if current is None:
            return False
        if current == scope_unit_id:
            return True
        current = load(app, OrgUnit, current).parent_id
    return False


def make_plan(
    app: TenantApplication,
    by: Actor,
    *,
    committee_id: UUID,
    year: int,
    quarter: int | None,
    title: str,
) -> tuple[AttendancePlan, int]:
    load(app, OrgUnit, committee_id).check_active()
    plan = AttendancePlan.make(uuid4(), committee_id, year, quarter, title, by)
    return plan, app.save_all(plan)


def assign(
    app: TenantApplication,
    by: Actor,
    *,
    plan_id: UUID,
    assignee: Assignee,
    cell_id: UUID,
    month: date,
    expected: int | None = None,
) -> tuple[AttendancePlan, UUID, int]:
    plan = load(app, AttendancePlan, plan_id, expected)
    cell = load_cell(app, cell_id)
    cell.check_active()
    assignment_id = uuid4()
    plan.assign(assignment_id, assignee, cell_id, ancestors(app, cell), month, by)
    return plan, assignment_id, app.save_all(plan)


def reassign(
    app: TenantApplication,
    by: Actor,
    *,
    plan_id: UUID,
    assignment_id: UUID,
    assignee: Assignee,
    month: date,
    reason: str,
    expected: int | None = None,
) -> tuple[AttendancePlan, int]:
    return changed(
        app,
        AttendancePlan,
        plan_id,
        expected,
        lambda plan: plan.reassign(assignment_id, assignee, month, reason, by),
    )


def record_contact(
    app: TenantApplication, by: Actor, *, plan_id: UUID, assignment_id: UUID, on: date, note: str
) -> tuple[AttendancePlan, int]:
    plan = load(app, AttendancePlan, plan_id)
    plan.record_contact(assignment_id, on, note, by)
    return plan, app.save_all(plan)


def record_missed(
    app: TenantApplication, by: Actor, *, plan_id: UUID, assignment_id: UUID, reason: str
) -> tuple[AttendancePlan, int]:
    return changed(
        app,
        AttendancePlan,
        plan_id,
        None,
        lambda plan: plan.record_missed(assignment_id, reason, by),
    )


def record_attendance(
    app: TenantApplication,
    by: Actor,
    *,
    plan_id: UUID,
    meeting_id: UUID,
    assignee: Assignee | None,
    assignment_id: UUID | None,
) -> tuple[AttendancePlan, UUID, int]:
    """The assignee attended: settle the assignment (or record it unplanned), add the guest."""
    plan = load(app, AttendancePlan, plan_id)
    meeting, held_on = held_meeting(app, meeting_id)
    if assignee is None:
        if assignment_id is None:
            raise RuleViolated(
                "Cần mã phân công hoặc thông tin người dự",
                "give assignment_id or the assignee who attended",
                field="assignee",
            )
        assignee = plan.assignment(assignment_id).assignee
    settled = plan.record_attendance(
        assignee, meeting.id, meeting.cell_id, held_on, uuid4(), by, assignment_id
    )
    if not any(g.assignee_id == settled for g in meeting.guests.values()):
        meeting.add_guest(assignee.name, assignee.position, True, settled, by)
    return plan, settled, app.save_all(plan, meeting)


def file_report(
    app: TenantApplication,
    by: Actor,
    *,
    plan_id: UUID,
    assignment_id: UUID,
    filed_on: date,
    observations: str,
    quality: Rating,
    petitions: list[PetitionInput],
) -> tuple[AttendancePlan, list[UUID], int]:
    """Báo cáo dự sinh hoạt; each petition collected becomes one tracked petition."""
    plan = load(app, AttendancePlan, plan_id)
    a = plan.assignment(assignment_id)
    raised_on = a.attended_on or filed_on
    settings = settings_on(app, raised_on)
    calendar = calendar_for(settings)
    collected = [
        Petition.raise_(
            uuid4(),
            a.cell_id,
            PetitionSource.ATTENDANCE_REPORT,
            p.content,
            p.category,
            p.competent_level,
            raised_on,
            settings.petition_response_working_days,
            calendar,
            by,
            meeting_id=a.meeting_id,
            plan_id=plan.id,
            assignment_id=assignment_id,
        )
        for p in petitions
    ]
    ids = tuple(p.id for p in collected)
    plan.file_report(assignment_id, filed_on, observations, quality, ids, by)
    return plan, list(ids), app.save_all(plan, *collected)
