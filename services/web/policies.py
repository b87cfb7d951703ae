"""The pages' lines of the policy table: each page reuses the policy of the API route it shows.

A page that shows or writes what an API route shows or writes gets *that* route's
:class:`Policy` object (same roles, same units); where the API names the unit in the body and
the page names it in its path, the page gets the same roles with the unit read from the path.
The writes themselves go through the API again, so its guard has the last word.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.security.policy import ALL_ROLES, Policy, allow, member_in_path, unit_in_path

API = "/api/v1/t/{tenant}"
PAGE = "/t/{tenant}"

MEETING_WRITES = (
    "open",
    "attendance",
    "guests",
    "opinions",
    "motions",
    "motions/{motion_id}/ballots",
    "motions/{motion_id}/count",
    "motions/{motion_id}/tally",
    "minutes",
    "quality",
    "quality/ballot",
    "quality/confirm",
    "dues",
    "close",
    "corrections/attendance",
    "motions/{motion_id}/corrections/tally",
    "corrections/minutes",
    "corrections/dues",
)
"""Sections of the meeting run that post to the API route of the same name."""


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
        # the cell: its members, its admission cases, a new meeting
        ("GET", f"{unit}/members"): same("GET", "/units/{unit_id}/roster"),
        ("GET", f"{unit}/admissions"): same("GET", "/units/{unit_id}/roster"),
        ("GET", f"{unit}/meetings/new"): unit_by_path("POST", "/meetings"),
        ("POST", f"{unit}/meetings"): unit_by_path("POST", "/meetings"),
        # the province settings: read by every account, changed by its administrator
        ("GET", f"{PAGE}/admin/settings"): same("GET", "/settings"),
        ("POST", f"{PAGE}/admin/settings/change"): same("POST", "/settings"),
        # enrol a member, record her party card: as the API's member routes
        ("GET", f"{unit}/members/new"): unit_by_path("POST", "/members"),
        ("POST", f"{unit}/members"): unit_by_path("POST", "/members"),
        ("GET", f"{unit}/members/{{member_id}}/edit"): same(
            "POST", "/members/{member_id}/party-card"
        ),
        ("POST", f"{unit}/members/{{member_id}}/party-card"): same(
            "POST", "/members/{member_id}/party-card"
        ),
        # a member's lifecycle (sinh hoạt đảng): the API's member routes, line for line; where
        # the API also finds a cell in the body (host, destination), the page finds the member's
        # cell only, and the API checks the named cell when the page writes through it
        ("GET", f"{unit}/members/{{member_id}}/lifecycle"): same(
            "POST", "/members/{member_id}/exempt"
        ),
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
        # the administrator's users and roles: the API's users routes, line for line
        ("GET", f"{PAGE}/admin/users"): same("GET", "/users"),
        ("POST", f"{PAGE}/admin/users"): same("POST", "/users"),
        ("GET", f"{PAGE}/admin/users/{{user_id}}"): same("POST", "/users/{user_id}/role"),
        ("POST", f"{PAGE}/admin/users/{{user_id}}/role"): same("POST", "/users/{user_id}/role"),
        ("POST", f"{PAGE}/admin/users/{{user_id}}/unlock"): same("POST", "/users/{user_id}/unlock"),
        # the administrator's imports and exports (issue 18): the API's imports routes
        ("GET", f"{PAGE}/admin/imports"): same("GET", "/imports"),
        ("POST", f"{PAGE}/admin/imports"): same("POST", "/imports"),
        ("GET", f"{PAGE}/admin/imports/{{import_id}}"): same("GET", "/imports/{import_id}"),
        ("POST", f"{PAGE}/admin/imports/{{import_id}}/confirm"): same(
            "POST", "/imports/{import_id}/confirm"
        ),
        ("GET", f"{PAGE}/admin/exports/{{kind}}"): same("GET", "/exports/{kind}"),
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
        # notices: my own and my calendar feed; the undelivered ones of my subtree
        ("GET", f"{PAGE}/notices"): same("GET", "/me/notices"),
        ("POST", f"{PAGE}/notices/calendar-feed"): same("POST", "/me/calendar-feed"),
        ("POST", f"{PAGE}/notices/calendar-feed/revoke"): same("DELETE", "/me/calendar-feed"),
        ("GET", f"{PAGE}/notices/undelivered"): same("GET", "/notices/undelivered"),
        # the meeting's papers: the API's papers routes
        ("GET", f"{meeting}/papers"): same("GET", "/meetings/{meeting_id}/papers"),
        ("POST", f"{meeting}/papers"): same("POST", "/meetings/{meeting_id}/papers"),
        ("GET", f"{meeting}/papers/{{paper_id}}/file"): same(
            "GET", "/meetings/{meeting_id}/papers/{paper_id}/file"
        ),
        # the meeting run, one screen, and its sections
        ("GET", meeting): same("GET", "/meetings/{meeting_id}"),
        ("GET", f"{meeting}/close"): same("POST", "/meetings/{meeting_id}/close"),
        ("POST", f"{meeting}/self-criticism"): same(
            "POST", "/supervision/meetings/{meeting_id}/self-criticism"
        ),
        **{
            ("POST", f"{meeting}/{action}"): same("POST", f"/meetings/{{meeting_id}}/{action}")
            for action in MEETING_WRITES
        },
    }
