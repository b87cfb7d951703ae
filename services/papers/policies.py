"""Who may post and read a meeting's papers (tài liệu sinh hoạt), by route.

The secretary (and the administrator) posts; the readers of the subtree (among them the
assigned superior committee member) and the members of the meeting's own cell read. A member
account reads only the papers of meetings of the cell their member record belongs to.
"""

from __future__ import annotations

from uuid import UUID

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


def meeting_for_reader(
    app: TenantApplication, touch: Touch, principal: Principal
) -> list[UUID | None]:
    """The meeting's cell; a member account must also be a member of that cell."""
    meeting = load(app, as_uuid(touch.path.get("meeting_id"), "meeting_id"), Meeting)
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
