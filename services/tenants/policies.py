"""Provinces are a platform concern: only the operator's secret provisions or lists them.
A province's own settings are its administrator's."""

from __future__ import annotations

from services.security.policy import ADMIN, ALL_ROLES, Policy, PolicyTable, T, allow

POLICIES: PolicyTable = {
    # provinces are a platform concern, not any province's: the command line provisions them
    ("POST", "/api/v1/tenants"): Policy.for_operator("provisioning: the platform operator only"),
    ("GET", "/api/v1/tenants"): Policy.for_operator("a province never sees the others"),
    # the province's own settings: every account may read the rules it is judged by; only the
    # province's administrator changes them (dated, audited)
    ("GET", f"{T}/settings"): allow(*ALL_ROLES, province_rules=True),
    ("POST", f"{T}/settings"): allow(ADMIN),
}
