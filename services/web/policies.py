"""The pages' lines of the policy table: each page reuses the policy of the API route it shows.

A page that shows or writes what an API route shows or writes gets *that* route's
:class:`Policy` object (same roles, same units); where the API names the unit in the body and
the page names it in its path, the page gets the same roles with the unit read from the path.
The writes themselves go through the API again, so its guard has the last word.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.meetings.policies import RUN_SECTIONS
from services.security.policy import ALL_ROLES, Policy, allow, member_in_path, unit_in_path

API = "/api/v1/t/{tenant}"
PAGE = "/t/{tenant}"

MEETING_WRITES = (*RUN_SECTIONS, "quality/ballot", "quality/confirm")
"""Sections of the meeting run that post to the API route of the same name."""


SAME_AS_API: tuple[tuple[str, str, str, str], ...] = (
    # (page method, page path after /t/{tenant}, API method, API path after /api/v1/t/{tenant})
    # the cell: its members, its admission cases
    ("GET", "/units/{unit_id}/members", "GET", "/units/{unit_id}/roster"),
    ("GET", "/units/{unit_id}/admissions", "GET", "/units/{unit_id}/roster"),
    # the province settings: read by every account, changed by its administrator
    ("GET", "/admin/settings", "GET", "/settings"),
    ("POST", "/admin/settings/change", "POST", "/settings"),
    # a member's party card, and her lifecycle page (its writes are below)
    ("GET", "/units/{unit_id}/members/{member_id}/edit", "POST", "/members/{member_id}/party-card"),
    ("POST", "/units/{unit_id}/members/{member_id}/party-card", "POST", "/members/{member_id}/party-card"),
    ("GET", "/units/{unit_id}/members/{member_id}/lifecycle", "POST", "/members/{member_id}/exempt"),
    # the administrator's users and roles: the API's users routes, line for line
    ("GET", "/admin/users", "GET", "/users"),
    ("POST", "/admin/users", "POST", "/users"),
    ("GET", "/admin/users/{user_id}", "POST", "/users/{user_id}/role"),
    ("POST", "/admin/users/{user_id}/role", "POST", "/users/{user_id}/role"),
    ("POST", "/admin/users/{user_id}/unlock", "POST", "/users/{user_id}/unlock"),
    # the administrator's imports and exports (issue 18): the API's imports routes
    ("GET", "/admin/imports", "GET", "/imports"),
    ("POST", "/admin/imports", "POST", "/imports"),
    ("GET", "/admin/imports/{import_id}", "GET", "/imports/{import_id}"),
    ("POST", "/admin/imports/{import_id}/confirm", "POST", "/imports/{import_id}/confirm"),
    ("GET", "/admin/exports/{kind}", "GET", "/exports/{kind}"),
    # notices: my own and my calendar feed; the undelivered ones of my subtree
    ("GET", "/notices", "GET", "/me/notices"),
    ("POST", "/notices/calendar-feed", "POST", "/me/calendar-feed"),
    ("POST", "/notices/calendar-feed/revoke", "DELETE", "/me/calendar-feed"),
    ("GET", "/notices/undelivered", "GET", "/notices/undelivered"),
    # the meeting's papers: the API's papers routes
    ("GET", "/meetings/{meeting_id}/papers", "GET", "/meetings/{meeting_id}/papers"),
    ("POST", "/meetings/{meeting_id}/papers", "POST", "/meetings/{meeting_id}/papers"),
    ("GET", "/meetings/{meeting_id}/papers/{paper_id}/file", "GET", "/meetings/{meeting_id}/papers/{paper_id}/file"),
    # the meeting run, one screen, and its close and self-criticism sections
    ("GET", "/meetings/{meeting_id}", "GET", "/meetings/{meeting_id}"),
    ("GET", "/meetings/{meeting_id}/close", "POST", "/meetings/{meeting_id}/close"),
    ("POST", "/meetings/{meeting_id}/self-criticism", "POST", "/supervision/meetings/{meeting_id}/self-criticism"),
)  # fmt: skip
"""Pages that show or write exactly what one API route does: they get that route's policy."""


def page_policies(api: Mapping[tuple[str, str], Policy]) -> dict[tuple[str, str], Policy]:
    def same(method: str, path: str) -> Policy:
        return api[(method, API + path)]

    def unit_by_path(method: str, path: str) -> Policy:
        source = same(method, path)
        return Policy(roles=source.roles, units=(unit_in_path("unit_id"),), note=path)

    meeting = f"{PAGE}/meetings/{{meeting_id}}"
    unit = f"{PAGE}/units/{{unit_id}}"
    admin_unit = f"{PAGE}/admin/units/{{unit_id}}"
    tree = same("GET", "/units")
    return {
        ("GET", "/"): Policy.open_to_all("the login form (no data)"),
        ("POST", "/login"): Policy.open_to_all("password login, throttled like the API's"),
        ("GET", "/static/{file_path}"): Policy.open_to_all("stylesheet, script, fonts"),
        ("POST", f"{PAGE}/logout"): allow(*ALL_ROLES, own_data=True),
        ("GET", PAGE): allow(*ALL_ROLES, own_data=True),
        # the pages that show or write what one API route does (SAME_AS_API)
        **{
            (method, PAGE + page): same(api_method, path)
            for method, page, api_method, path in SAME_AS_API
        },
        # the cell: a new meeting
        ("GET", f"{unit}/meetings/new"): unit_by_path("POST", "/meetings"),
        ("POST", f"{unit}/meetings"): unit_by_path("POST", "/meetings"),
        # enrol a member: as the API's member routes
        ("GET", f"{unit}/members/new"): unit_by_path("POST", "/members"),
        ("POST", f"{unit}/members"): unit_by_path("POST", "/members"),
        # a member's lifecycle (sinh hoạt đảng): the API's member routes, line for line; where
        # the API also finds a cell in the body (host, destination), the page finds the member's
        # cell only, and the API checks the named cell when the page writes through it
        **{
            ("POST", f"{unit}/members/{{member_id}}/{action}"): same(
                "POST", f"/members/{{member_id}}/{action}"
            )
            for action in (
                "exempt",
                "end-exemption",
                "special-duty",
                "special-duty/end",
                "leave",
                "remove",
                "death",
                "transfer-out",
            )
        },
        **{
            ("POST", f"{unit}/members/{{member_id}}/{action}"): Policy(
                roles=same("POST", f"/members/{{member_id}}/{action}").roles,
                units=(member_in_path(),),
                note=f"{action}: the other cell is checked by the API",
            )
            for action in ("temporary-transfer", "temporary-transfer/end", "transfer")
        },
        # receiving a member from another province: the API's line, the unit from the path (the
        # receiving cell the form names is checked by the API against the same scope)
        **{
            (method, f"{unit}/transfers/in{step}"): unit_by_path("POST", "/transfers/in")
            for method, step in (("GET", ""), ("POST", "/check"), ("POST", ""))
        },
        # the administrator's org tree: shown to those who may change it, in their scope
        ("GET", f"{PAGE}/admin/units"): Policy(
            roles=same("POST", "/units").roles, units=tree.units, note="the org tree page"
        ),
        ("POST", f"{admin_unit}/found"): unit_by_path("POST", "/units"),
        **{
            ("POST", f"{admin_unit}/{action}"): unit_by_path("POST", f"/units/{{unit_id}}/{action}")
            for action in ("rename", "move", "dissolve")
        },
        # a member by party card number: the form shows nothing of its own; the holder is
        # read through the API as the user, whose scope check decides
        ("GET", f"{PAGE}/members/by-card"): Policy(
            roles=same("GET", "/members/by-card/{number}").roles,
            own_data=True,
            note="the search form; the member comes from the API, scope-checked there",
        ),
        ("POST", f"{PAGE}/members/by-card"): Policy(
            roles=same("GET", "/members/by-card/{number}").roles,
            own_data=True,
            note="the number in the body, not the URL; the member comes from the API, scope-checked",
        ),
        # the meeting run's sections
        **{
            ("POST", f"{meeting}/{action}"): same("POST", f"/meetings/{{meeting_id}}/{action}")
            for action in MEETING_WRITES
        },
    }
