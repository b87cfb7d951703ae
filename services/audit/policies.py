"""The audit trail, seals and aggregates as of a point: administrators, inspectors, auditors."""

from __future__ import annotations

from domain.user import Role
from services.security.policy import ADMIN, PolicyTable, T, allow, unit_in_query, unit_of_record

POLICIES: PolicyTable = {
    # audit (kiểm tra, giám sát): the trail within the subtree asked about or the caller's own;
    # seals are tenant-wide; only the administrator seals. A record's history (and its state as
    # of a point) is read where the record sits today, so a scoped inspector reads her subtree's.
    ("GET", f"{T}/audit/trail"): allow(
        ADMIN,
        Role.INSPECTOR,
        Role.AUDITOR,
        units=(unit_in_query("unit_id", default_to_scope=True),),
    ),
    ("GET", f"{T}/audit/seals"): allow(ADMIN, Role.INSPECTOR, Role.AUDITOR),
    ("GET", f"{T}/audit/seals/{{seq}}"): allow(ADMIN, Role.INSPECTOR, Role.AUDITOR),
    ("POST", f"{T}/audit/seals"): allow(ADMIN),
    ("GET", f"{T}/audit/aggregates/{{aggregate_id}}"): allow(
        ADMIN, Role.INSPECTOR, Role.AUDITOR, units=(unit_of_record("aggregate_id"),)
    ),
}
