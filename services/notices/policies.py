"""Who may keep contacts and see a meeting's notices, by route.

Contacts are personal data: only those who send the cell's invitations (the secretary of the
subtree, the administrator) and the member themself see or change a member's; inspectors and
auditors do not. A committee's mailbox and an assignee's address are kept by the writers above.
"""

from __future__ import annotations

from domain.meeting import Meeting
from services.security.policy import (
    ADMIN,
    ALL_ROLES,
    MEMBER,
    WRITERS,
    Policy,
    PolicyTable,
    T,
    allow,
    member_in_path,
    unit_in_path,
    unit_in_query,
    unit_of_aggregate,
)

MEMBER_CONTACT = f"{T}/members/{{member_id}}/contact"
UNIT_CONTACT = f"{T}/units/{{unit_id}}/contact"
OWN_OR_CELL = (member_in_path(),)

POLICIES: PolicyTable = {
    ("POST", MEMBER_CONTACT): allow(*WRITERS, MEMBER, units=OWN_OR_CELL),
    ("GET", MEMBER_CONTACT): allow(*WRITERS, MEMBER, units=OWN_OR_CELL),
    ("DELETE", MEMBER_CONTACT): allow(*WRITERS, MEMBER, units=OWN_OR_CELL),
    ("POST", UNIT_CONTACT): allow(*WRITERS, units=(unit_in_path("unit_id"),)),
    ("GET", UNIT_CONTACT): allow(*WRITERS, units=(unit_in_path("unit_id"),)),
    ("POST", f"{T}/supervision/assignees/{{assignee_id}}/contact"): allow(ADMIN),
    ("GET", f"{T}/me/notices"): allow(*ALL_ROLES, own_data=True),
    ("POST", f"{T}/me/calendar-feed"): allow(*ALL_ROLES, own_data=True),
    ("DELETE", f"{T}/me/calendar-feed"): allow(*ALL_ROLES, own_data=True),
    ("GET", f"{T}/calendar/{{secret}}"): Policy.open_to_all(
        "calendar feed: a calendar app sends no token; the URL's secret (kept as SHA-256,"
        " revocable) is the credential, an unknown one is a 404"
    ),
    ("GET", f"{T}/notices/undelivered"): allow(
        *WRITERS, units=(unit_in_query("unit_id", required=False, default_to_scope=True),)
    ),
    ("GET", f"{T}/meetings/{{meeting_id}}/notices"): allow(
        *WRITERS, units=(unit_of_aggregate("meeting_id", Meeting),)
    ),
}
