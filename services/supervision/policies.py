"""Who may plan superior attendance, handle petitions (kiến nghị) and run the rotation."""

from __future__ import annotations

from domain.attendance_plan import AttendancePlan
from domain.meeting import Meeting
from domain.petition import Petition
from services.security.policy import (
    ADMIN,
    ALL_ROLES,
    READERS,
    SECRETARY,
    SUPERIOR,
    WRITERS,
    PolicyTable,
    T,
    aggregate_in_body,
    allow,
    members_own_cell,
    unit_in_body,
    unit_in_path,
    unit_of_aggregate,
)

MEETING = (unit_of_aggregate("meeting_id", Meeting),)
PLAN = (unit_of_aggregate("plan_id", AttendancePlan, "committee_id"),)
PETITION = (unit_of_aggregate("petition_id", Petition),)
UNIT = (unit_in_path("unit_id"),)

POLICIES: PolicyTable = {
    # supervision: superior attendance (dự sinh hoạt), petitions (kiến nghị), rotation
    ("POST", f"{T}/supervision/plans"): allow(ADMIN, units=(unit_in_body("committee_id"),)),
    ("GET", f"{T}/supervision/plans/{{plan_id}}"): allow(*READERS, units=PLAN),
    ("POST", f"{T}/supervision/plans/{{plan_id}}/assignments"): allow(
        ADMIN, units=(*PLAN, unit_in_body("cell_id"))
    ),
    **{
        ("POST", f"{T}/supervision/plans/{{plan_id}}/{action}"): allow(ADMIN, SUPERIOR, units=PLAN)
        for action in (
            "assignments/{assignment_id}/reassign",
            "assignments/{assignment_id}/contact",
            "assignments/{assignment_id}/missed",
            "assignments/{assignment_id}/report",
        )
    },
    ("POST", f"{T}/supervision/plans/{{plan_id}}/attendance"): allow(
        ADMIN, SUPERIOR, units=(*PLAN, aggregate_in_body("meeting_id", Meeting))
    ),
    ("POST", f"{T}/supervision/petitions"): allow(
        *WRITERS, units=(aggregate_in_body("meeting_id", Meeting),)
    ),
    ("GET", f"{T}/supervision/petitions/{{petition_id}}"): allow(*READERS, units=PETITION),
    **{
        ("POST", f"{T}/supervision/petitions/{{petition_id}}/{action}"): allow(
            ADMIN, SECRETARY, SUPERIOR, units=PETITION
        )
        for action in ("forward", "reclassify", "accept", "resolve", "answer")
    },
    ("POST", f"{T}/supervision/petitions/{{petition_id}}/reopen"): allow(
        ADMIN, SECRETARY, SUPERIOR, units=(*PETITION, unit_in_body("cell_id"))
    ),
    ("POST", f"{T}/supervision/meetings/{{meeting_id}}/self-criticism"): allow(
        *WRITERS, units=MEETING
    ),
    ("POST", f"{T}/supervision/meetings/{{meeting_id}}/settle-turns"): allow(
        *WRITERS, units=MEETING
    ),
    # a member reads her own cell's rotation: her turn (lượt của tôi)
    ("GET", f"{T}/supervision/cells/{{cell_id}}/rotation"): allow(
        *ALL_ROLES, units=(members_own_cell(unit_in_path("cell_id")),)
    ),
    **{
        ("GET", f"{T}/supervision/units/{{unit_id}}/{figures}"): allow(*READERS, units=UNIT)
        for figures in ("petitions", "attendance", "rotation")
    },
}
