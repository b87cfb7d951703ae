"""Route policies of provinces (the platform operator's): who may call each route and which org unit it touches.

Joined with every other feature's table in :mod:`services.policies`; a route missing from them
is refused at run time and fails ``tests/e2e/test_authorization_matrix.py``.
"""

from __future__ import annotations

from services.security.policy import (
    Policy,
    PolicyTable,
)

POLICIES: PolicyTable = {
    # provinces are a platform concern, not any province's: the command line provisions them
    ("POST", "/api/v1/tenants"): Policy.for_operator("provisioning: the platform operator only"),
    ("GET", "/api/v1/tenants"): Policy.for_operator("a province never sees the others"),
}
