"""Who may post and read a meeting's papers (tài liệu sinh hoạt), by route.

The secretary (and the administrator) posts; the readers of the subtree, the superior
committee member assigned to attend the meeting (even from outside the subtree) and the members
of the meeting's own cell read. A member
account reads only the papers of meetings of the cell their member record belongs to.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from psycopg import errors, sql

from domain.meeting import Meeting
from domain.member import Member
from domain.user import Role
from infra.application import TenantApplication
from services.context import Principal
from services.security.policy import (
    MEMBER,
    READERS,
    WRITERS,
    PolicyTable,
    T,
    Touch,
    allow,
    as_uuid,
    load,
    outside_scope,
    unit_of_aggregate,
)

MEETING = (unit_of_aggregate("meeting_id", Meeting),)
PAPERS = f"{T}/meetings/{{meeting_id}}/papers"


def assigned_to_attend(app: TenantApplication, principal: Principal, meeting: Meeting) -> bool:
    """Whether the superior committee member is assigned to attend this meeting: an
    assignment of theirs for the meeting's cell and month (or attended at this meeting),
    not missed. Such an assignee reads the papers even outside their own subtree (a cross
    assignment: "phân công cấp ủy viên dự sinh hoạt chéo", seed 000)."""
    if principal.role != Role.SUPERIOR_MEMBER.value:
        return False
    year, month = meeting.period
    query = sql.SQL(
        "SELECT 1 FROM {}.sup_assignments WHERE assignee_id = %s AND cell_id = %s"
        " AND state <> 'missed' AND (month = %s OR meeting_id = %s) LIMIT 1"
    ).format(sql.Identifier(app.schema))
    with app.datastore.transaction(commit=False) as cursor:
        try:
            cursor.execute(
                query, (principal.user_id, meeting.cell_id, date(year, month, 1), meeting.id)
            )
        except errors.UndefinedTable:  # a bare schema without the supervision read model
            return False
        return cursor.fetchone() is not None


def meeting_for_reader(
    app: TenantApplication, touch: Touch, principal: Principal
) -> list[UUID | None]:
    """The meeting's cell; a member account must also be a member of that cell; a superior
    assigned to attend the meeting reads it wherever their scope is (no unit to check)."""
    meeting = load(app, as_uuid(touch.path.get("meeting_id"), "meeting_id"), Meeting)
    if assigned_to_attend(app, principal, meeting):
        return []
    if principal.role == Role.MEMBER.value:
        if principal.member_id is None:
            raise outside_scope()
        member = load(app, principal.member_id, Member)
        if member.cell_id != meeting.cell_id:
            raise outside_scope()
    return [meeting.cell_id]


READ = (meeting_for_reader,)

POLICIES: PolicyTable = {
    ("POST", PAPERS): allow(*WRITERS, units=MEETING),
    ("POST", f"{PAPERS}/{{paper_id}}/versions"): allow(*WRITERS, units=MEETING),
    ("GET", PAPERS): allow(*READERS, MEMBER, units=READ),
    ("GET", f"{PAPERS}/{{paper_id}}/file"): allow(*READERS, MEMBER, units=READ),
}
