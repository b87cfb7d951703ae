"""Provinces are a platform concern: only the operator's secret provisions or lists them."""

from __future__ import annotations

from services.security.policy import Policy, PolicyTable

POLICIES: PolicyTable = {
    # provinces are a platform concern, not any province's: the command line provisions them
    ("POST", "/api/v1/tenants"): Policy.for_operator("provisioning: the platform operator only"),
    ("GET", "/api/v1/tenants"): Policy.for_operator("a province never sees the others"),
}
