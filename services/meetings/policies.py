"""Who may schedule, run, correct and read a cell's meetings (sinh hoạt chi bộ), by route."""

from __future__ import annotations

from domain.meeting import Meeting
from services.security.policy import (
    ALL_ROLES,
    SUPERIOR,
    WRITERS,
    PolicyTable,
    T,
    allow,
    members_own_cell,
    unit_in_body,
    unit_of_aggregate,
)

MEETING = (unit_of_aggregate("meeting_id", Meeting),)
OWN_CELL_MEETING = (members_own_cell(unit_of_aggregate("meeting_id", Meeting)),)

RUN_SECTIONS = (
    "open",
    "attendance",
    "guests",
    "opinions",
    "motions",
    "motions/{motion_id}/ballots",
    "motions/{motion_id}/count",
    "motions/{motion_id}/tally",
    "minutes",
    "quality",
    "dues",
    "close",
    "corrections/attendance",
    "motions/{motion_id}/corrections/tally",
    "corrections/minutes",
    "corrections/dues",
)
"""The sections of the meeting run, each posted to the route of its name (the web page's
sections post to them too, see ``services.web.policies``)."""

POLICIES: PolicyTable = {
    # meetings (sinh hoạt chi bộ)
    ("POST", f"{T}/meetings"): allow(*WRITERS, units=(unit_in_body("cell_id"),)),
    # readers of the subtree, and the members of the meeting's own cell
    ("GET", f"{T}/meetings/{{meeting_id}}"): allow(*ALL_ROLES, units=OWN_CELL_MEETING),
    **{
        ("POST", f"{T}/meetings/{{meeting_id}}/{action}"): allow(*WRITERS, units=MEETING)
        for action in (
            "reschedule",
            "cancel",
            *RUN_SECTIONS,
            "self-criticisms",
            "absence-approvals",
        )
    },
    # the quality ballot (issue 12 §4): the secretary records the show of hands; the
    # superior's confirmation is recorded by the superior or by the cell's writers
    ("POST", f"{T}/meetings/{{meeting_id}}/quality/ballot"): allow(*WRITERS, units=MEETING),
    ("POST", f"{T}/meetings/{{meeting_id}}/quality/confirm"): allow(
        *WRITERS, SUPERIOR, units=MEETING
    ),
    ("GET", f"{T}/meetings/{{meeting_id}}/quality/ballot"): allow(
        *ALL_ROLES, units=OWN_CELL_MEETING
    ),
}
