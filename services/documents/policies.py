"""Who may read and approve a meeting's documents, export reports and the audit trail."""

from __future__ import annotations

from uuid import UUID

from domain.base import NotFound
from domain.meeting import Meeting
from domain.user import Role
from infra.application import TenantApplication
from services.context import Principal
from services.documents import job_store
from services.security.policy import (
    ADMIN,
    READERS,
    WRITERS,
    PolicyTable,
    T,
    Touch,
    allow,
    as_uuid,
    unit_in_query,
    unit_of_aggregate,
)

MEETING = (unit_of_aggregate("meeting_id", Meeting),)
JOBS = f"{T}/views/report/jobs"


def unit_of_job(app: TenantApplication, touch: Touch, _: Principal) -> list[UUID | None]:
    """The unit a report job reports on (``None``: the province root, tenant-wide only)."""
    job = job_store.find(app, as_uuid(touch.path.get("job_id"), "job_id"))
    if job is None:
        raise NotFound("Không có tác vụ lập báo cáo này", "no such report job")
    return [job.unit_id]


ASKS_FOR_A_FILE = frozenset({("POST", JOBS)})
"""POSTs that record nothing and only ask for a file to be made (a report job): the read-only
roles may call them. ``tests/e2e/test_authorization_matrix.py`` lets exactly these through
its rule that inspectors and auditors never write, and checks each is a report job."""
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
    # a report job (tác vụ lập báo cáo): the same readers ask for it, follow it, download it
    ("POST", JOBS): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{JOBS}/{{job_id}}"): allow(*READERS, units=(unit_of_job,)),
    ("GET", f"{JOBS}/{{job_id}}/file"): allow(*READERS, units=(unit_of_job,)),
    # the audit trail's export as the trail itself; the verification tenant-wide, as the seals
    ("GET", f"{T}/audit/trail/export"): allow(
        ADMIN, Role.INSPECTOR, Role.AUDITOR, units=SCOPE_OR_QUERY
    ),
    ("GET", f"{T}/audit/verification"): allow(ADMIN, Role.INSPECTOR, Role.AUDITOR),
}
