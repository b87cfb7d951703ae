"""Signing in and out of the pages, and ``/``: the login form, or the user's own home.

The login form posts to :func:`services.identity.auth.login`, the API's own login (accounts, the
per-account and per-address throttle, the lockout); the tokens it issues go into the session
cookies. Each role's home is a function registered in :data:`HOMES`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import anyio
from litestar import Request, Response, get, post
from litestar.params import FromPath

from domain.base import DomainError
from infra.tenancy import InvalidTenantSlug, UnknownTenant, list_tenants
from services.context import container_of, request_id_of
from services.identity import auth
from services.identity.routes import client_of
from services.web.pages import form_of, login_form_for, login_redirect_target, redirect
from services.web.render import FormState, principal_of, render
from services.web.session import WEB_TOKEN_KEY, cleared_cookies, session_cookies

Home = Callable[[Request[Any, Any, Any]], Awaitable[Response[Any]]]
HOMES: dict[str, Home] = {}
"""The home page of each role (``Role`` value → handler); others get the general home."""


def login_form(
    request: Request[Any, Any, Any], status: int = 200, state: FormState | None = None
) -> Response[str]:
    """The province is fixed by ``?tinh=`` (or when there is only one); other provinces are
    never listed, so the form tells nobody which provinces share this server."""
    chosen = request.query_params.get("tinh") or (state.values.get("tenant") if state else None)
    slugs = {t.slug for t in list_tenants(container_of(request.app.state).database)}
    fixed = chosen if chosen in slugs else None
    if fixed is None and len(slugs) == 1:
        fixed = next(iter(slugs))
    next_path = state.values.get("next", "") if state else request.query_params.get("next", "")
    return login_form_for(request, status, fixed, next_path, state)


@get("/", sync_to_thread=True, summary="Trang đầu: đăng nhập / the login page")
def index(request: Request[Any, Any, Any]) -> Response[Any]:
    from services.web.session import ACCESS_COOKIE, unverified_tenant

    token = request.cookies.get(ACCESS_COOKIE, "")
    refresh = request.cookies.get("chibo_rt", "")
    tenant = unverified_tenant(token) if token else None
    tenant = tenant or (refresh.partition(":")[0] if refresh else None)
    if tenant:
        # The home page verifies the session (and renews it); a stale one lands on the form.
        return redirect(f"/t/{tenant}/")
    return login_form(request)


@post("/login", summary="Đăng nhập / sign in")
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    values = await form_of(request)
    tenant = str(values.get("tenant", ""))
    username = str(values.get("username", "")).strip()
    password = str(values.get("password", ""))
    state = FormState("login", {k: v for k, v in values.items() if k != "password"})
    if not username:
        state.errors.append(("login-username", "Nhập tên đăng nhập"))
    if not password:
        state.errors.append(("login-password", "Nhập mật khẩu"))
    if state.errors:
        return await anyio.to_thread.run_sync(login_form, request, 422, state)
    try:
        container = container_of(request.app.state)
        app = await anyio.to_thread.run_sync(container.applications.get, tenant)
        session = await anyio.to_thread.run_sync(
            lambda: auth.login(
                app,
                request.app.state.signer,
                request.app.state.login_throttle,
                username,
                password,
                client_of(request),
                request_id_of(request),
            )
        )
    except DomainError as error:
        status = 429 if error.code == "too_many_attempts" else 401
        if isinstance(error, UnknownTenant | InvalidTenantSlug):
            state.errors.append(("login-tenant", error.vi))
            status = 422
        else:
            state.errors.append(("login-password", error.vi))
        return await anyio.to_thread.run_sync(login_form, request, status, state)
    response = redirect(login_redirect_target(str(values.get("next", "")), tenant))
    for cookie in session_cookies(
        request.scope, session.access_token, session.refresh_token, session.expires_at
    ):
        response.cookies.append(cookie)
    return response


@post("/t/{tenant:str}/logout", summary="Đăng xuất / sign out")
async def logout(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    principal = principal_of(request)
    if principal is not None and request.scope.get(WEB_TOKEN_KEY):
        app = await anyio.to_thread.run_sync(
            container_of(request.app.state).applications.get, tenant
        )
        await anyio.to_thread.run_sync(auth.revoke_all, app, UUID(principal.user_id))
    response = redirect(f"/?tinh={tenant}")
    for cookie in cleared_cookies():
        response.cookies.append(cookie)
    return response


@get("/t/{tenant:str}/", summary="Trang chính của người dùng / the user's home")
async def home(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    principal = principal_of(request)
    assert principal is not None  # the policy guard let only a signed-in user through
    handler = HOMES.get(principal.role)
    if handler is not None:
        return await handler(request)
    return await render(request, "home.html", crumbs=[])


ROUTES: list[Any] = [index, login, logout, home]
