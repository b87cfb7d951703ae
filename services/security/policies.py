"""The route policy table: every route of the API, by method and path template.

A route missing here is refused at run time and fails ``tests/e2e/test_authorization_matrix.py``.
Adding a feature means adding its lines here: who may call it and which org unit it touches.
Auditors and inspectors never appear on a write (the matrix test checks that too).
"""

from __future__ import annotations

from domain.admission import AdmissionCase
from domain.attendance_plan import AttendancePlan
from domain.meeting import Meeting
from domain.petition import Petition
from domain.user import Role
from services.security.policy import (
    ALL_ROLES,
    Policy,
    aggregate_in_body,
    allow,
    member_in_path,
    members_own_cell,
    parent_of,
    unit_in_body,
    unit_in_path,
    unit_in_query,
    unit_of_aggregate,
)

T = "/api/v1/t/{tenant}"

ADMIN = Role.TENANT_ADMIN
SECRETARY = Role.SECRETARY
SUPERIOR = Role.SUPERIOR_MEMBER
INSPECTOR = Role.INSPECTOR
AUDITOR = Role.AUDITOR
MEMBER = Role.MEMBER

READERS = (ADMIN, SECRETARY, SUPERIOR, INSPECTOR, AUDITOR)
"""Everyone who reads the records of their subtree (members see only their own)."""
WRITERS = (ADMIN, SECRETARY)
"""Who records a cell's activity: the administrator and the secretaries of the subtree."""

MEETING = (unit_of_aggregate("meeting_id", Meeting),)
OWN_CELL_MEETING = (members_own_cell(unit_of_aggregate("meeting_id", Meeting)),)
"""A meeting: readers of its subtree, and the members of its cell."""
CASE = (unit_of_aggregate("case_id", AdmissionCase),)
ABOVE_CASE = (parent_of(unit_of_aggregate("case_id", AdmissionCase)),)
"""Committee decisions on an admission: the scope must reach above the cell."""
PLAN = (unit_of_aggregate("plan_id", AttendancePlan, "committee_id"),)
PETITION = (unit_of_aggregate("petition_id", Petition),)
MEMBER_RECORD = (member_in_path(),)
UNIT = (unit_in_path("unit_id"),)
SCOPE_OR_QUERY = (unit_in_query("unit_id", default_to_scope=True),)
"""Views that show the ``unit_id`` asked for, or else the caller's own scope unit."""

POLICIES: dict[tuple[str, str], Policy] = {
    # service
    ("GET", "/healthz"): Policy.open_to_all("liveness probe"),
    ("GET", "/readyz"): Policy.open_to_all("readiness probe"),
    ("GET", "/schema"): Policy.open_to_all("OpenAPI document (no data)"),
    ("GET", "/schema/swagger"): Policy.open_to_all("API explorer (no data)"),
    ("GET", "/schema/openapi.json"): Policy.open_to_all("OpenAPI document (no data)"),
    ("GET", "/schema/{path}"): Policy.open_to_all("OpenAPI document (no data)"),
    ("GET", "/schema/oauth2-redirect.html"): Policy.open_to_all("API explorer (no data)"),
    ("GET", "/schema/assets/{name}"): Policy.open_to_all("API explorer's vendored files"),
    # provinces are a platform concern, not any province's: the command line provisions them
    ("POST", "/api/v1/tenants"): Policy.for_operator("provisioning: the platform operator only"),
    ("GET", "/api/v1/tenants"): Policy.for_operator("a province never sees the others"),
    # identity
    ("POST", f"{T}/auth/login"): Policy.open_to_all("password login, rate-limited"),
    ("POST", f"{T}/auth/refresh"): Policy.open_to_all("refresh token rotation"),
    ("POST", f"{T}/auth/logout"): allow(*ALL_ROLES, own_data=True),
    ("GET", f"{T}/auth/me"): allow(*ALL_ROLES, own_data=True),
    ("POST", f"{T}/users"): allow(ADMIN),
    ("POST", f"{T}/users/{{user_id}}/role"): allow(ADMIN),
    ("POST", f"{T}/users/{{user_id}}/unlock"): allow(ADMIN),
    # organisation and members
    ("POST", f"{T}/units"): allow(ADMIN, units=(unit_in_body("parent_id", required=False),)),
    ("GET", f"{T}/units/{{unit_id}}"): allow(*ALL_ROLES, units=(unit_in_path("unit_id"),)),
    ("POST", f"{T}/units/{{unit_id}}/rename"): allow(ADMIN, units=(unit_in_path("unit_id"),)),
    ("POST", f"{T}/units/{{unit_id}}/move"): allow(
        ADMIN, units=(unit_in_path("unit_id"), unit_in_body("new_parent_id"))
    ),
    ("POST", f"{T}/units/{{unit_id}}/dissolve"): allow(ADMIN, units=(unit_in_path("unit_id"),)),
    ("POST", f"{T}/units/{{unit_id}}/meeting-window"): allow(
        ADMIN, SECRETARY, units=(unit_in_path("unit_id"),)
    ),
    ("GET", f"{T}/units/{{unit_id}}/roster"): allow(*READERS, units=(unit_in_path("unit_id"),)),
    ("POST", f"{T}/members"): allow(ADMIN, SECRETARY, units=(unit_in_body("cell_id"),)),
    ("GET", f"{T}/members/{{member_id}}"): allow(*ALL_ROLES, units=(member_in_path(),)),
    ("POST", f"{T}/members/{{member_id}}/transfer"): allow(
        ADMIN, SECRETARY, units=(member_in_path(), unit_in_body("to_cell_id"))
    ),
    ("POST", f"{T}/members/{{member_id}}/exempt"): allow(
        ADMIN, SECRETARY, units=(member_in_path(),)
    ),
    ("POST", f"{T}/members/{{member_id}}/end-exemption"): allow(
        ADMIN, SECRETARY, units=(member_in_path(),)
    ),
    ("POST", f"{T}/members/{{member_id}}/leave"): allow(
        ADMIN, SECRETARY, units=(member_in_path(),)
    ),
    # meetings (sinh hoạt chi bộ)
    ("POST", f"{T}/meetings"): allow(*WRITERS, units=(unit_in_body("cell_id"),)),
    ("GET", f"{T}/meetings/{{meeting_id}}"): allow(*ALL_ROLES, units=OWN_CELL_MEETING),
    **{
        ("POST", f"{T}/meetings/{{meeting_id}}/{action}"): allow(*WRITERS, units=MEETING)
        for action in (
            "reschedule",
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
        )
    },
    # admissions (kết nạp đảng viên) and the life of a membership
    ("POST", f"{T}/admissions"): allow(*WRITERS, units=(unit_in_body("cell_id"),)),
    ("GET", f"{T}/admissions/{{case_id}}"): allow(*READERS, units=CASE),
    **{
        ("POST", f"{T}/admissions/{{case_id}}/{action}"): allow(*WRITERS, units=CASE)
        for action in (
            "course",
            "dossier",
            "introducers",
            "introduction-by-organisation",
            "cell-vote",
            "ceremony",
            "recognition-vote",
            "close",
        )
    },
    **{
        ("POST", f"{T}/admissions/{{case_id}}/{action}"): allow(*WRITERS, units=ABOVE_CASE)
        for action in ("committee-vote", "decision", "recognition-decision")
    },
    ("GET", f"{T}/deadlines"): allow(*READERS, units=(unit_in_query("unit_id", required=False),)),
    **{
        ("POST", f"{T}/members/{{member_id}}/{action}"): allow(*WRITERS, units=MEMBER_RECORD)
        for action in (
            "suspend",
            "end-suspension",
            "noted-months",
            "remove",
            "death",
            "transfer-out",
        )
    },
    ("POST", f"{T}/transfers/in"): allow(*WRITERS, units=(unit_in_body("cell_id"),)),
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
    ("GET", f"{T}/supervision/cells/{{cell_id}}/rotation"): allow(
        *ALL_ROLES, units=(members_own_cell(unit_in_path("cell_id")),)
    ),
    **{
        ("GET", f"{T}/supervision/units/{{unit_id}}/{figures}"): allow(*READERS, units=UNIT)
        for figures in ("petitions", "attendance", "rotation")
    },
    # per-level views and inspection lists: the subtree asked about, or the caller's own
    ("GET", f"{T}/views/level"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/views/lists"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/views/lists/{{list_name}}"): allow(*READERS, units=SCOPE_OR_QUERY),
    # collections (danh mục): the subtree asked about, or the caller's own scope
    ("GET", f"{T}/units"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/units/{{unit_id}}/members"): allow(*READERS, units=UNIT),
    # a member reads her own cell's meetings (her scope is her cell)
    ("GET", f"{T}/units/{{unit_id}}/meetings"): allow(
        *ALL_ROLES, units=(members_own_cell(unit_in_path("unit_id")),)
    ),
    ("GET", f"{T}/admissions"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/supervision/petitions"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/supervision/plans"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/supervision/assignments"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/supervision/my-assignments"): allow(*ALL_ROLES, own_data=True),
    ("GET", f"{T}/users"): allow(ADMIN, units=SCOPE_OR_QUERY),
    # audit (kiểm tra, giám sát): the trail within the subtree asked about or the caller's own;
    # seals and aggregates as of a point are tenant-wide; only the administrator seals.
    ("GET", f"{T}/audit/trail"): allow(
        ADMIN,
        Role.INSPECTOR,
        Role.AUDITOR,
        units=(unit_in_query("unit_id", default_to_scope=True),),
    ),
    ("GET", f"{T}/audit/seals"): allow(ADMIN, Role.INSPECTOR, Role.AUDITOR),
    ("GET", f"{T}/audit/seals/{{seq}}"): allow(ADMIN, Role.INSPECTOR, Role.AUDITOR),
    ("POST", f"{T}/audit/seals"): allow(ADMIN),
    ("GET", f"{T}/audit/aggregates/{{aggregate_id}}"): allow(ADMIN, Role.INSPECTOR, Role.AUDITOR),
}
