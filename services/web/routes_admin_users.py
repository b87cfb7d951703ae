"""The province administrator's users and roles (tài khoản, phân quyền) pages.

``GET /t/{tenant}/admin/users?q&role`` lists the accounts (the API's users collection: name,
role, scope by name, linked member, locked), searchable by name and filtered by role, paged
with its cursor; a form opens a new account. ``GET /t/{tenant}/admin/users/{id}`` shows one
account with the form that grants it a role with its scope, and unlocks it. The scope (a unit)
and the linked member are given by *name* and looked up in the API's collections: one match is
taken, several or none are said beside the field; nobody types an id. Every write goes through
the API as the signed-in user with its ``Idempotency-Key`` (:func:`services.web.pages.write`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import anyio
from litestar import Request, Response, post
from litestar.params import FromPath

from domain.member import Member
from domain.org_unit import OrgUnit
from domain.user import TENANT_WIDE_ROLES, Role
from services.context import container_of
from services.identity import auth
from services.web import data
from services.web.api import ApiError, call
from services.web.pages import again_on, form_of, form_route, write
from services.web.render import ROLE_LABELS, Crumb, FormState, render

USERS = "/t/{tenant:str}/admin/users"
ONE = USERS + "/{user_id:uuid}"
WAIT_MS = 3000
SCOPED = frozenset(r.value for r in Role if r not in TENANT_WIDE_ROLES)
"""Roles whose account works inside one unit's subtree (the domain's rule, said on the page
before asking the API)."""


def api(tenant: str, path: str, **query: Any) -> str:
    kept = {k: v for k, v in query.items() if v not in (None, "")}
    return f"/api/v1/t/{tenant}{path}" + (f"?{urlencode(kept)}" if kept else "")


async def by_name(
    request: Request[Any, Any, Any], path: str, name: str, what: str
) -> tuple[str | None, str]:
    """The one record named ``name`` in a collection, or the words saying why not."""
    found = (await call(request, "GET", path))["items"]
    exact = [
        r for r in found if str(r.get("name") or r.get("full_name", "")).lower() == name.lower()
    ]
    if len(exact) == 1 or len(found) == 1:
        return str((exact or found)[0]["id"]), ""
    if not found:
        return None, f"Không có {what} nào tên “{name}” trong phạm vi được xem"
    names = ", ".join(str(r.get("name") or r.get("full_name")) for r in found[:5])
    return None, f"Có {len(found)} {what} khớp “{name}” ({names}…); hãy ghi đầy đủ tên"


async def grant_body(
    request: Request[Any, Any, Any], tenant: str, form: str, values: dict[str, Any]
) -> tuple[dict[str, Any], FormState]:
    """Role, scope and member from the form, the names looked up; errors beside the fields."""
    state = FormState(form, values)
    role = str(values.get("role", ""))
    body: dict[str, Any] = {"role": role, "scope_unit_id": None, "member_id": None}
    scope_name = str(values.get("scope_name", "")).strip()
    member_name = str(values.get("member_name", "")).strip()
    if scope_name:
        found, why = await by_name(
            request, api(tenant, "/units", depth=16, q=scope_name, limit=20), scope_name, "tổ chức"
        )
        body["scope_unit_id"] = found
        if why:
            state.errors.append((f"{form}-scope_name", why))
    elif role in SCOPED:
        state.errors.append((f"{form}-scope_name", "Vai trò này cần phạm vi: ghi tên tổ chức"))
    if member_name:
        root = body["scope_unit_id"]
        units = await call(request, "GET", api(tenant, "/units", depth=0, limit=1))
        where = root or (units["items"][0]["id"] if units["items"] else None)
        found, why = await by_name(
            request,
            api(tenant, f"/units/{where}/members", q=member_name, limit=20),
            member_name,
            "đảng viên",
        )
        body["member_id"] = found
        if why:
            state.errors.append((f"{form}-member_name", why))
    elif role == Role.MEMBER.value:
        state.errors.append(
            (f"{form}-member_name", "Tài khoản đảng viên cần gắn với hồ sơ: ghi họ tên")
        )
    return body, state


FIELDS = {
    "username": "username",
    "password": "password",
    "role": "role",
    "display_name": "display_name",
    "scope_unit_id": "scope_name",
    "member_id": "member_name",
}


async def users_page(
    request: Request[Any, Any, Any], tenant: str, state: FormState | None = None, status: int = 200
) -> Response[Any]:
    q = request.query_params
    params = {k: q.get(k) for k in ("q", "role", "cursor") if q.get(k)}
    after = q.get("after")
    fresh = {"min_position": after, "wait_ms": WAIT_MS} if after and after.isdigit() else {}
    try:
        found = await call(request, "GET", api(tenant, "/users", limit=50, **params, **fresh))
    except ApiError as error:
        if error.code != "projections_behind" or not fresh:
            raise
        found = await call(request, "GET", api(tenant, "/users", limit=50, **params))
    base = {k: v for k, v in params.items() if k != "cursor"}
    return await render(
        request,
        "admin_users.html",
        status=status,
        state=state,
        users=found["items"],
        params=params,
        roles=[(r.value, ROLE_LABELS.get(r.value, r.value)) for r in Role],
        more=("?" + urlencode({**base, "cursor": found["next_cursor"]}))
        if found.get("next_cursor")
        else None,
        crumbs=[Crumb("Tài khoản người dùng")],
        print_heading="Tài khoản người dùng",
    )


list_page = form_route(USERS, "Tài khoản người dùng / user accounts (administrator)", users_page)


@post(USERS, summary="Mở tài khoản / open an account")
async def create(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    values = await form_of(request)
    body, state = await grant_body(request, tenant, "create", values)
    for name, message in (("username", "Nhập tên đăng nhập"), ("password", "Nhập mật khẩu")):
        if not str(values.get(name, "")).strip():
            state.errors.append((f"create-{name}", message))
    if state.errors:
        return await users_page(request, tenant, state, 422)
    body.update(
        username=str(values["username"]).strip(),
        password=str(values["password"]),
        display_name=str(values.get("display_name", "")).strip(),
    )

    async def again(failed: FormState, code: int) -> Response[Any]:
        failed.values.pop("password", None)  # never sent back into the page
        return await users_page(request, tenant, failed, code)

    return await write(
        request, "create", values, api(tenant, "/users"), body,
        lambda done: f"/t/{tenant}/admin/users/{done['id']}",
        again, FIELDS, "username",
    )  # fmt: skip


def account_facts(app: Any, user_id: UUID) -> dict[str, Any]:
    """One account from the write model (no wait for the read side after a write), with the
    names of its scope and member; never its password hash."""
    account = auth.load_account(app, user_id)
    scope = data.aggregate(app, account.scope_unit_id, OrgUnit)
    member = data.aggregate(app, account.member_id, Member)
    return {
        "id": account.id,
        "username": account.username,
        "display_name": account.display_name,
        "role": Role(account.role).value,
        "scope_name": scope.name if scope else "",
        "member_name": member.full_name if member else "",
        "locked": account.locked_until is not None or account.disabled,
        "version": account.version,
    }


async def user_page(
    request: Request[Any, Any, Any],
    tenant: str,
    user_id: UUID,
    state: FormState | None = None,
    status: int = 200,
) -> Response[Any]:
    app = container_of(request.app.state).applications.get(tenant)
    account = await anyio.to_thread.run_sync(account_facts, app, user_id)
    return await render(
        request,
        "admin_user.html",
        status=status,
        state=state,
        account=account,
        roles=[(r.value, ROLE_LABELS.get(r.value, r.value)) for r in Role],
        reload_href=f"/t/{tenant}/admin/users/{user_id}",
        crumbs=[
            Crumb("Tài khoản người dùng", f"/t/{tenant}/admin/users"),
            Crumb(account["display_name"] or account["username"]),
        ],
        print_heading=f"Tài khoản {account['username']}",
    )


one_page = form_route(ONE, "Một tài khoản / one account (administrator)", user_page)


@post(ONE + "/role", summary="Phân quyền / grant a role with its scope")
async def grant(
    request: Request[Any, Any, Any], tenant: FromPath[str], user_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    body, state = await grant_body(request, tenant, "grant", values)
    again = again_on(request, user_page)
    if state.errors:
        return await again(state, 422)
    return await write(
        request, "grant", values, api(tenant, f"/users/{user_id}/role"), body,
        f"/t/{tenant}/admin/users/{user_id}", again, FIELDS, "role",
    )  # fmt: skip


@post(ONE + "/unlock", summary="Mở khóa tài khoản / unlock an account")
async def unlock(
    request: Request[Any, Any, Any], tenant: FromPath[str], user_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    again = again_on(request, user_page)
    return await write(
        request, "unlock", values, api(tenant, f"/users/{user_id}/unlock"), {},
        f"/t/{tenant}/admin/users/{user_id}", again, main_field="form",
    )  # fmt: skip


ROUTES: list[Any] = [list_page, create, one_page, grant, unlock]
