"""Who may read and approve a meeting's documents, export reports and the audit trail."""

from __future__ import annotations

from domain.meeting import Meeting
from domain.user import Role
from services.security.policy import (
    ADMIN,
    READERS,
    WRITERS,
    PolicyTable,
    T,
    allow,
    unit_in_query,
    unit_of_aggregate,
)

MEETING = (unit_of_aggregate("meeting_id", Meeting),)
DOCS = f"{T}/meetings/{{meeting_id}}/documents/{{kind}}"
SCOPE_OR_QUERY = (unit_in_query("unit_id", default_to_scope=True),)

POLICIES: PolicyTable = {
    # a meeting's documents (biên bản, nghị quyết): readers see drafts, versions and files;
    # the secretary writes the free parts, locks the approved version, issues corrections
    ("GET", DOCS): allow(*READERS, units=MEETING),
    ("GET", f"{DOCS}/file"): allow(*READERS, units=MEETING),
    **{
        ("POST", f"{DOCS}/{action}"): allow(*WRITERS, units=MEETING)
        for action in ("draft", "approve", "corrections")
    },
    # the report of a node (báo cáo kết quả sinh hoạt chi bộ): as the per-level view
    ("GET", f"{T}/views/report"): allow(*READERS, units=SCOPE_OR_QUERY),
    # the audit trail's export as the trail itself; the verification tenant-wide, as the seals
    ("GET", f"{T}/audit/trail/export"): allow(
        ADMIN, Role.INSPECTOR, Role.AUDITOR, units=SCOPE_OR_QUERY
    ),
    ("GET", f"{T}/audit/verification"): allow(ADMIN, Role.INSPECTOR, Role.AUDITOR),
}
