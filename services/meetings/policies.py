"""Who may schedule, run, correct and read a cell's meetings (sinh hoạt chi bộ), by route."""

from __future__ import annotations

from domain.meeting import Meeting
from services.security.policy import (
    READERS,
    WRITERS,
    PolicyTable,
    T,
    allow,
    unit_in_body,
    unit_of_aggregate,
)

MEETING = (unit_of_aggregate("meeting_id", Meeting),)

POLICIES: PolicyTable = {
    # meetings (sinh hoạt chi bộ)
    ("POST", f"{T}/meetings"): allow(*WRITERS, units=(unit_in_body("cell_id"),)),
    ("GET", f"{T}/meetings/{{meeting_id}}"): allow(*READERS, units=MEETING),
    **{
        ("POST", f"{T}/meetings/{{meeting_id}}/{action}"): allow(*WRITERS, units=MEETING)
        for action in (
            "reschedule",
            "cancel",
            "open",
            "attendance",
            "guests",
            "opinions",
            "self-criticisms",
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
            "absence-approvals",
        )
    },
}
