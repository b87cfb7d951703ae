"""The navigation bar (thanh điều hướng): only links to pages the signed-in user may open.

Each entry names the page route's path template; the link is shown when the same policy
table that guards the route would let this principal through with no query (role, then scope:
a scoped principal needs a policy that finds a unit within her scope, or one about her own
data). So a link never leads to a 403, and a page is never offered that a rule forbids. Some
entries are also limited to the roles whose work they are (``for_roles``), only to keep the bar
short: that can hide a link, never show one the policy refuses.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.user import Role
from services.context import Principal, container_of
from services.security.policy import Policy, Touch, check_scope

log = logging.getLogger(__name__)

PAGE = "/t/{tenant}"


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str
    template: str
    """The page route's path template, as keyed in the policy table."""
    for_roles: frozenset[Role] | None = None


SENDERS = frozenset({Role.SECRETARY, Role.TENANT_ADMIN})
"""Who sees the notices not delivered: those who send them."""
ASSIGNEES = frozenset({Role.SUPERIOR_MEMBER, Role.INSPECTOR})
"""Who is assigned to attend meetings (dự sinh hoạt)."""

NAV: tuple[NavEntry, ...] = (
    NavEntry("Trang chính", PAGE),  # the route's template has no trailing slash; its link has
    NavEntry("Trang của tôi", f"{PAGE}/me"),
    NavEntry("Thông báo", f"{PAGE}/notices"),
    NavEntry("Chưa gửi được", f"{PAGE}/notices/undelivered", SENDERS),
    NavEntry("Báo cáo theo cấp", f"{PAGE}/level"),
    NavEntry("Kiến nghị", f"{PAGE}/petitions"),
    NavEntry("Phân công dự sinh hoạt", f"{PAGE}/assignments"),
    NavEntry("Phân công của tôi", f"{PAGE}/my-assignments", ASSIGNEES),
    NavEntry("Nhật ký kiểm tra", f"{PAGE}/audit"),
    NavEntry("Kiểm chứng", f"{PAGE}/audit/verification"),
    NavEntry("Cây tổ chức", f"{PAGE}/admin/units"),
    NavEntry("Tài khoản", f"{PAGE}/admin/users"),
    NavEntry("Nhập dữ liệu", f"{PAGE}/admin/imports"),
    NavEntry("Tìm theo số thẻ", f"{PAGE}/members/by-card"),
    NavEntry("Cấu hình", f"{PAGE}/admin/settings", frozenset({Role.TENANT_ADMIN})),
)


@dataclass(frozen=True, slots=True)
class NavLink:
    label: str
    href: str
    current: bool


def may_open(
    app: Any, policy: Policy | None, principal: Principal, tenant: str, path: Mapping[str, Any]
) -> bool:
    """What the guard would decide for a GET of this page with no query (deny by default)."""
    if policy is None or principal.tenant != tenant:
        return False
    if policy.public:
        return True
    if policy.operator:
        return False
    with contextlib.suppress(ValueError):
        if Role(principal.role) not in policy.roles:
            return False
        if principal.scope_unit_id is None:
            return True
        if not policy.units:
            return policy.own_data
        try:
            check_scope(app, policy, Touch(path=path, body={}, query={}), principal)
        except Exception:  # a refusal, or a unit the policy cannot find: no link
            return False
        return True
    return False


def nav_links(
    app: Any,
    table: Mapping[tuple[str, str], Policy],
    principal: Principal,
    tenant: str,
    current_path: str,
) -> list[NavLink]:
    links: list[NavLink] = []
    role = Role(principal.role)
    for entry in NAV:
        if entry.for_roles is not None and role not in entry.for_roles:
            continue
        if not may_open(
            app, table.get(("GET", entry.template)), principal, tenant, {"tenant": tenant}
        ):
            continue
        href = entry.template.replace("{tenant}", tenant) + ("/" if entry.template == PAGE else "")
        here = current_path == href or (
            not href.endswith("/") and current_path.startswith(href + "/")
        )
        links.append(NavLink(entry.label, href, here))
    # the deepest match is the current one (Nhật ký kiểm tra vs Kiểm chứng)
    current = [link for link in links if link.current]
    if len(current) > 1:
        keep = max(current, key=lambda link: len(link.href))
        links = [NavLink(x.label, x.href, x is keep) for x in links]
    return links


async def page_allowed(request: Any, template: str, method: str = "GET", **path: Any) -> bool:
    """Whether the signed-in user may open the page at ``template`` (to offer a link or not),
    or, with ``method="POST"``, send its form (to show the form or not)."""
    import anyio

    from services.policies import POLICIES
    from services.web.render import principal_of

    principal = principal_of(request)
    tenant = request.path_params.get("tenant")
    if principal is None or not tenant:
        return False
    container = container_of(request.app.state)
    app = await anyio.to_thread.run_sync(container.applications.get, tenant)
    policy = POLICIES.get((method, template))
    values = {"tenant": tenant, **path}
    return await anyio.to_thread.run_sync(may_open, app, policy, principal, tenant, values)
