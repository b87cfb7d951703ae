"""Identity (danh tính): accounts, password login, refresh rotation, lockout, the demo admin.

Accounts are :class:`~domain.user.UserAccount` aggregates in the tenant's own log; password
hashes and refresh-token digests live in the tenant's security tables. Access tokens carry the
tenant, the user id, the role and the scope unit, and live 15 minutes; refresh tokens rotate on
every use, and reusing an old one revokes the whole family (a stolen copy is then useless).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.base import Actor, NotFound
from domain.member import Member
from domain.org_unit import OrgUnit
from domain.user import Role, UserAccount, account_id
from infra.application import TenantApplication
from services.context import Principal
from services.errors import Unauthenticated
from services.identity.passwords import hash_password, verify_password
from services.identity.ratelimit import LoginThrottle, Throttled
from services.identity.tokens import (
    REFRESH_TTL,
    TokenSigner,
    invalid_refresh,
    new_refresh_token,
    parse_refresh_token,
)
from services.security.store import CREDENTIALS, REFRESH_TOKENS, on_table

log = logging.getLogger(__name__)

LOCK_AFTER_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
LOGIN_GUARD = "system:login-guard"


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"


class UnknownAccount(NotFound):
    code = "unknown_account"


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    expires_at: datetime
    refresh_token: str
    principal: Principal


def principal_of(app: TenantApplication, account: UserAccount) -> Principal:
    return Principal(
        user_id=str(account.id),
        role=account.role.value,
        tenant=app.slug,
        scope_unit_id=account.scope_unit_id,
        member_id=account.member_id,
    )


# -- accounts --------------------------------------------------------------------------------


def create_user(
    app: TenantApplication,
    by: Actor,
    *,
    username: str,
    password: str,
    role: Role,
    scope_unit_id: UUID | None = None,
    member_id: UUID | None = None,
    display_name: str = "",
) -> tuple[UserAccount, int]:
    check_references(app, scope_unit_id, member_id)
    password_hash = hash_password(password)
    account = UserAccount.open(username, display_name, role, scope_unit_id, member_id, by)
    # The log refuses a second account with the same username (same id, version 1).
    position = app.save_all(account)
    store_password_hash(app, account, password_hash)
    return account, position


def check_references(app: TenantApplication, unit_id: UUID | None, member_id: UUID | None) -> None:
    for ref, kind, name in ((unit_id, OrgUnit, "scope_unit_id"), (member_id, Member, "member_id")):
        if ref is None:
            continue
        found: object = None
        with contextlib.suppress(AggregateNotFoundError):
            found = app.repository.get(ref)
        if not isinstance(found, kind):
            raise NotFound("Không tìm thấy bản ghi được tham chiếu", f"no such {name}", field=name)


def load_account(app: TenantApplication, user_id: UUID) -> UserAccount:
    account: object = None
    with contextlib.suppress(AggregateNotFoundError):
        account = app.repository.get(user_id)
    if not isinstance(account, UserAccount):
        raise UnknownAccount("Không có tài khoản này", "no such account", user_id=str(user_id))
    return account


def store_password_hash(app: TenantApplication, account: UserAccount, password_hash: str) -> None:
    """Keep the hash outside the event log (it must never be replayed or exported)."""
    on_table(
        app,
        CREDENTIALS,
        "INSERT INTO {} (user_id, username, password_hash) VALUES (%s, %s, %s)"
        " ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash,"
        " failed_attempts = 0, updated_at = now()",
        (account.id, account.username, password_hash),
    )


def set_password(app: TenantApplication, by: Actor, *, user_id: UUID, password: str) -> int:
    account = load_account(app, user_id)
    password_hash = hash_password(password)
    account.password_changed(by)
    position = app.save_all(account)
    store_password_hash(app, account, password_hash)
    revoke_all(app, account.id)
    return position


def grant_role(
    app: TenantApplication,
    by: Actor,
    *,
    user_id: UUID,
    role: Role,
    scope_unit_id: UUID | None,
    member_id: UUID | None,
) -> tuple[UserAccount, int]:
    check_references(app, scope_unit_id, member_id)
    account = load_account(app, user_id)
    account.grant(role, scope_unit_id, member_id, by)
    position = app.save_all(account)
    revoke_all(app, account.id)  # the next refresh must not carry the old grant
    return account, position


def unlock(app: TenantApplication, by: Actor, *, user_id: UUID) -> tuple[UserAccount, int]:
    account = load_account(app, user_id)
    account.unlock(by)
    position = app.save_all(account)
    on_table(
        app, CREDENTIALS, "UPDATE {} SET failed_attempts = 0 WHERE user_id = %s", (account.id,)
    )
    return account, position


# -- login and refresh -----------------------------------------------------------------------


def login(
    app: TenantApplication,
    signer: TokenSigner,
    throttle: LoginThrottle,
    username: str,
    password: str,
    client: str,
    request_id: str,
    now: datetime | None = None,
) -> Session:
    now = now or datetime.now(UTC)
    name = username.strip().lower()
    throttle.check_client(client, now)
    throttle.check_account(app.slug, name, now)
    rows = on_table(
        app, CREDENTIALS, "SELECT user_id, password_hash FROM {} WHERE username = %s", (name,)
    )
    account = load_account(app, rows[0][0]) if rows else None
    if account is None:
        throttle.check_username(app.slug, name, now)
    elif account.is_locked(now):
        until = account.locked_until or now + LOCK_FOR
        raise Throttled(max(1, int((until - now).total_seconds())))
    ok, rehashed = verify_password(password, rows[0][1] if rows else None)
    if not ok or account is None:
        if account is None:
            throttle.failed(app.slug, name, now)
        else:
            record_failure(app, account, now, request_id)
        raise InvalidCredentials(
            "Tên đăng nhập hoặc mật khẩu không đúng", "wrong username or password"
        )
    on_table(
        app,
        CREDENTIALS,
        "UPDATE {} SET failed_attempts = 0, password_hash = coalesce(%s, password_hash)"
        " WHERE user_id = %s",
        (rehashed, account.id),
    )
    return open_session(app, signer, account, None, now)


def record_failure(
    app: TenantApplication, account: UserAccount, now: datetime, request_id: str
) -> None:
    rows = on_table(
        app,
        CREDENTIALS,
        "UPDATE {} SET failed_attempts = failed_attempts + 1, last_failed_at = %s"
        " WHERE user_id = %s RETURNING failed_attempts",
        (now, account.id),
    )
    if rows and rows[0][0] >= LOCK_AFTER_FAILURES:
        guard = Actor(LOGIN_GUARD, "system", request_id)
        account.lock(f"{LOCK_AFTER_FAILURES} lần đăng nhập sai liên tiếp", now + LOCK_FOR, guard)
        app.save_all(account)
        on_table(
            app, CREDENTIALS, "UPDATE {} SET failed_attempts = 0 WHERE user_id = %s", (account.id,)
        )
        revoke_all(app, account.id)
        log.warning("account %s locked after repeated failed logins", account.id)


def open_session(
    app: TenantApplication,
    signer: TokenSigner,
    account: UserAccount,
    family_id: UUID | None,
    now: datetime,
) -> Session:
    principal = principal_of(app, account)
    access, expires = signer.issue(principal, now)
    refresh = new_refresh_token()
    on_table(
        app,
        REFRESH_TOKENS,
        "INSERT INTO {} (id, family_id, user_id, token_digest, issued_at, expires_at)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (refresh.id, family_id or refresh.id, account.id, refresh.digest, now, now + REFRESH_TTL),
    )
    return Session(access, expires, str(refresh), principal)


def refresh(
    app: TenantApplication, signer: TokenSigner, token_text: str, now: datetime | None = None
) -> Session:
    now = now or datetime.now(UTC)
    token = parse_refresh_token(token_text)
    rows = on_table(
        app,
        REFRESH_TOKENS,
        "SELECT family_id, user_id, token_digest, expires_at, used_at, revoked_at"
        " FROM {} WHERE id = %s",
        (token.id,),
    )
    if not rows or not secrets.compare_digest(bytes(rows[0][2]), token.digest):
        raise invalid_refresh()
    family_id, user_id, _, expires_at, used_at, revoked_at = rows[0]
    if revoked_at is not None or expires_at <= now:
        raise invalid_refresh()
    claimed = on_table(
        app,
        REFRESH_TOKENS,
        "UPDATE {} SET used_at = %s WHERE id = %s AND used_at IS NULL AND revoked_at IS NULL"
        " RETURNING id",
        (now, token.id),
    )
    if used_at is not None or not claimed:
        # An old token came back: someone holds a copy. End every session of this family.
        revoke_family(app, family_id)
        log.warning("refresh token reuse for user %s: family revoked", user_id)
        raise invalid_refresh()
    account = load_account(app, user_id)
    if account.is_locked(now):
        revoke_family(app, family_id)
        raise invalid_refresh()
    return open_session(app, signer, account, family_id, now)


def revoke_family(app: TenantApplication, family_id: UUID) -> None:
    on_table(
        app,
        REFRESH_TOKENS,
        "UPDATE {} SET revoked_at = now() WHERE family_id = %s AND revoked_at IS NULL",
        (family_id,),
    )


def revoke_all(app: TenantApplication, user_id: UUID) -> None:
    on_table(
        app,
        REFRESH_TOKENS,
        "UPDATE {} SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL",
        (user_id,),
    )


# -- the demo province ------------------------------------------------------------------------


DEMO_ADMIN = "admin"


def ensure_demo_admin(app: TenantApplication, by: Actor, *, password: str) -> tuple[str, str]:
    """Create (or reset) the demo province's administrator; return username and password.

    The password is chosen at each start (never a constant in the repository) and printed
    by ``chibo serve --demo``, so a demo left running on a network is not open to a known one.
    """
    try:
        create_user(
            app,
            by,
            username=DEMO_ADMIN,
            password=password,
            role=Role.TENANT_ADMIN,
            display_name="Demo",
        )
    except IntegrityError:  # already there: reset its password so the printed one works
        user_id = account_id(DEMO_ADMIN)
        set_password(app, by, user_id=user_id, password=password)
        unlock(app, by, user_id=user_id)
    return DEMO_ADMIN, password
