"""The API explorer's vendored files: open to all (no data, and the docs work offline)."""

from __future__ import annotations

from services.security.policy import Policy, PolicyTable

POLICIES: PolicyTable = {
    ("GET", "/schema/assets/{name}"): Policy.open_to_all("API explorer's vendored files"),
}
