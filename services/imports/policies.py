"""Imports and exports concern the whole province: its administrator only (tenant-wide).
Personal details: read by the member's secretary too, erased by the administrator."""

from __future__ import annotations

from services.security.policy import ADMIN, SECRETARY, PolicyTable, T, allow, member_in_path

POLICIES: PolicyTable = {
    ("POST", f"{T}/imports"): allow(ADMIN),
    ("POST", f"{T}/imports/{{import_id}}/confirm"): allow(ADMIN),
    ("GET", f"{T}/imports/{{import_id}}"): allow(ADMIN),
    ("GET", f"{T}/imports"): allow(ADMIN),
    ("GET", f"{T}/exports/{{kind}}"): allow(ADMIN),
    ("GET", f"{T}/members/{{member_id}}/details"): allow(
        ADMIN, SECRETARY, units=(member_in_path(),)
    ),
    ("DELETE", f"{T}/members/{{member_id}}/details"): allow(ADMIN, units=(member_in_path(),)),
}
