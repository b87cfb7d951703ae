"""The policy lines of the supervision, inspection, audit and member pages.

Each page reuses the :class:`Policy` of the API route it shows (same roles, same units found
the same way), so a page is never a way around a rule; the API checks again when the page
reads through it.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.user import Role
from services.security.policy import Policy, allow

API = "/api/v1/t/{tenant}"
PAGE = "/t/{tenant}"


def role_page_policies(api: Mapping[tuple[str, str], Policy]) -> dict[tuple[str, str], Policy]:
    def same(path: str) -> Policy:
        return api[("GET", API + path)]

    return {
        ("GET", f"{PAGE}/level"): same("/views/level"),
        ("GET", f"{PAGE}/lists/{{list_name}}"): same("/views/lists/{list_name}"),
        ("GET", f"{PAGE}/lists/{{list_name}}/export"): same("/views/lists/{list_name}"),
        ("GET", f"{PAGE}/petitions"): same("/supervision/petitions"),
        ("GET", f"{PAGE}/assignments"): same("/supervision/assignments"),
        ("GET", f"{PAGE}/my-assignments"): same("/supervision/my-assignments"),
        ("GET", f"{PAGE}/audit"): same("/audit/trail"),
        ("GET", f"{PAGE}/audit/seals/{{seq}}"): same("/audit/seals/{seq}"),
        ("GET", f"{PAGE}/audit/aggregates/{{aggregate_id}}"): same(
            "/audit/aggregates/{aggregate_id}"
        ),
        # the verifier's result: as the API's verification (tenant-wide readers of the seals)
        ("GET", f"{PAGE}/audit/verification"): same("/audit/verification"),
        ("GET", f"{PAGE}/audit/verification/{{fmt}}"): same("/audit/verification"),
        # her own record, meetings and turn: the API checks each against her own cell
        ("GET", f"{PAGE}/me"): allow(Role.MEMBER, own_data=True),
    }
