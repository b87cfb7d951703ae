"""HTTP routes for sign-in and accounts: login, refresh, logout, me, and user administration.

Login and refresh are the only tenant routes open without a token (see the policy table);
both are throttled and answer the same way for unknown and known usernames.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath, JSONBody

from domain.user import UserAccount
from services.context import Ctx, container_of, request_id_of
from services.identity import auth
from services.identity.schemas import CreateUser, GrantRole, Login, Me, Refresh, TokenPair, UserView
from services.security.clientaddr import client_address
from services.written import run

BASE = "/api/v1/t/{tenant:str}"


def token_pair(session: auth.Session) -> TokenPair:
    return TokenPair(session.access_token, session.refresh_token, session.expires_at)


def user_view(account: UserAccount, position: int) -> UserView:
    return UserView(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        scope_unit_id=account.scope_unit_id,
        member_id=account.member_id,
        locked=account.is_locked(datetime.now(UTC)),
        version=account.version,
        position=position,
    )


def client_of(request: Request[Any, Any, Any]) -> str:
    """The address attempts are counted against (X-Forwarded-For only from trusted proxies)."""
    settings = container_of(request.app.state).settings
    return client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        getattr(settings, "trusted_proxies", ()),
    )


@post(f"{BASE}/auth/login", sync_to_thread=True, summary="Đăng nhập / sign in")
def login(
    request: Request[Any, Any, Any], tenant: FromPath[str], data: JSONBody[Login]
) -> TokenPair:
    app = container_of(request.app.state).applications.get(tenant)
    state = request.app.state
    session = auth.login(
        app,
        state.signer,
        state.login_throttle,
        data.username,
        data.password,
        client_of(request),
        request_id_of(request),
    )
    return token_pair(session)


@post(f"{BASE}/auth/refresh", sync_to_thread=True, summary="Làm mới phiên / refresh tokens")
def refresh(
    request: Request[Any, Any, Any], tenant: FromPath[str], data: JSONBody[Refresh]
) -> TokenPair:
    app = container_of(request.app.state).applications.get(tenant)
    return token_pair(auth.refresh(app, request.app.state.signer, data.refresh_token))


@post(f"{BASE}/auth/logout", sync_to_thread=True, status_code=204, summary="Đăng xuất / sign out")
def logout(ctx: Ctx) -> None:
    auth.revoke_all(ctx.app, UUID(ctx.principal.user_id))


@get(f"{BASE}/auth/me", sync_to_thread=True, summary="Tôi là ai / who am I")
def me(ctx: Ctx) -> Me:
    p = ctx.principal
    try:
        account: UserAccount | None = auth.load_account(ctx.app, UUID(p.user_id))
    except (auth.UnknownAccount, ValueError):
        account = None
    return Me(
        user_id=p.user_id,
        tenant=p.tenant,
        role=p.role,
        scope_unit_id=p.scope_unit_id,
        member_id=p.member_id,
        username=account.username if account else None,
        display_name=account.display_name if account else None,
    )


@post(f"{BASE}/users", sync_to_thread=True, summary="Tạo tài khoản / create an account")
def create_user(ctx: Ctx, data: JSONBody[CreateUser]) -> UserView:
    account, position = run(auth.create_user, ctx, data)
    return user_view(account, position)


@post(
    f"{BASE}/users/{{user_id:uuid}}/role", sync_to_thread=True, summary="Phân quyền / grant a role"
)
def grant_role(ctx: Ctx, user_id: FromPath[UUID], data: JSONBody[GrantRole]) -> UserView:
    account, position = run(auth.grant_role, ctx, data, user_id=user_id)
    return user_view(account, position)


@post(f"{BASE}/users/{{user_id:uuid}}/unlock", sync_to_thread=True, summary="Mở khóa / unlock")
def unlock_user(ctx: Ctx, user_id: FromPath[UUID]) -> UserView:
    account, position = run(auth.unlock, ctx, user_id=user_id)
    return user_view(account, position)


ROUTES: list[Any] = [login, refresh, logout, me, create_user, grant_role, unlock_user]
