"""Password login, token refresh with rotation, logout, lockout and throttling, through HTTP."""

from __future__ import annotations

import pytest

from domain.base import SYSTEM
from domain.user import Role, UserAccount, account_id
from tests.e2e.auth_helpers import PASSWORD, bearer

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin(container, tenant):
    from services.identity import auth

    app = container.applications.get(tenant.slug)
    account, _ = auth.create_user(
        app,
        SYSTEM,
        username="ha.nguyen",
        password=PASSWORD,
        role=Role.TENANT_ADMIN,
        display_name="Nguyễn Thị Hà",
    )
    return account


def login(client, tenant, username="ha.nguyen", password=PASSWORD, **kwargs):
    return client.post(
        f"/api/v1/t/{tenant.slug}/auth/login",
        json={"username": username, "password": password},
        **kwargs,
    )


def test_login_returns_tokens_that_open_the_api(client, tenant, admin):
    response = login(client, tenant)
    assert response.status_code == 201, response.text
    pair = response.json()
    assert pair["token_type"] == "Bearer"
    me = client.get(f"/api/v1/t/{tenant.slug}/auth/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "ha.nguyen"
    assert body["role"] == "tenant_admin"
    assert body["tenant"] == tenant.slug
    assert "password" not in me.text
    assert "argon2" not in me.text


def test_wrong_password_and_unknown_user_answer_alike(client, tenant, admin):
    wrong = login(client, tenant, password="sai-mật-khẩu-rồi")
    unknown = login(client, tenant, username="khong.co.ai")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert wrong.json()["message"] == unknown.json()["message"]


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(client, tenant, admin):
    first = login(client, tenant).json()
    url = f"/api/v1/t/{tenant.slug}/auth/refresh"
    second = client.post(url, json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 201, second.text
    assert second.json()["refresh_token"] != first["refresh_token"]
    # The old token comes back (a stolen copy): refused, and the new one dies with it.
    replayed = client.post(url, json={"refresh_token": first["refresh_token"]})
    assert replayed.status_code == 401
    after = client.post(url, json={"refresh_token": second.json()["refresh_token"]})
    assert after.status_code == 401


def test_refresh_token_of_one_tenant_is_useless_in_another(client, tenant, admin, database):
    from infra.tenancy import provision
    from services.bootstrap import schema_parts
    from tests.conftest import drop_tenant, new_slug

    other, _ = provision(database, new_slug(), "Tỉnh Khác", schema_parts())
    try:
        pair = login(client, tenant).json()
        response = client.post(
            f"/api/v1/t/{other.slug}/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        assert response.status_code == 401
        me = client.get(f"/api/v1/t/{other.slug}/auth/me", headers=bearer(pair["access_token"]))
        assert me.status_code == 401
    finally:
        drop_tenant(database, other)


def test_logout_revokes_refresh_tokens(client, tenant, admin):
    pair = login(client, tenant).json()
    out = client.post(f"/api/v1/t/{tenant.slug}/auth/logout", headers=bearer(pair["access_token"]))
    assert out.status_code == 204
    again = client.post(
        f"/api/v1/t/{tenant.slug}/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert again.status_code == 401


def test_five_failures_lock_the_account_even_with_the_right_password(
    client, tenant, admin, container
):
    for _ in range(5):
        assert login(client, tenant, password="sai-mật-khẩu-rồi").status_code == 401
    locked = login(client, tenant)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    app = container.applications.get(tenant.slug)
    account = app.repository.get(account_id("ha.nguyen"))
    assert isinstance(account, UserAccount)
    assert account.locked_until is not None
    events = [type(e).__name__ for e in app.repository.event_store.get(account.id)]
    assert events[-1] == "Locked"


def test_an_admin_unlocks_a_locked_account(client, tenant, admin, container):
    from tests.e2e.auth_helpers import token

    for _ in range(5):
        login(client, tenant, password="sai-mật-khẩu-rồi")
    root = token(container, tenant.slug, Role.TENANT_ADMIN, user_id="other-admin")
    response = client.post(f"/api/v1/t/{tenant.slug}/users/{admin.id}/unlock", headers=bearer(root))
    assert response.status_code == 201, response.text
    assert response.json()["locked"] is False
    assert login(client, tenant).status_code == 201


def test_unknown_usernames_are_throttled_like_real_ones(client, tenant):
    statuses = [login(client, tenant, username="khong.co.ai").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


def test_one_client_is_throttled_across_usernames(client, tenant):
    statuses = [login(client, tenant, username=f"nguoi.thu.{i}").status_code for i in range(31)]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429


def test_expired_access_token_is_refused_with_its_own_code(client, tenant, container):
    from tests.e2e.auth_helpers import expired_token

    response = client.get(
        f"/api/v1/t/{tenant.slug}/auth/me", headers=bearer(expired_token(container, tenant.slug))
    )
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_role_change_takes_effect_at_next_refresh_and_revokes_old_sessions(
    client, tenant, admin, container
):
    from services.identity import auth

    pair = login(client, tenant).json()
    app = container.applications.get(tenant.slug)
    auth.grant_role(
        app, SYSTEM, user_id=admin.id, role=Role.AUDITOR, scope_unit_id=None, member_id=None
    )
    refused = client.post(
        f"/api/v1/t/{tenant.slug}/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert refused.status_code == 401
    fresh = login(client, tenant).json()
    me = client.get(f"/api/v1/t/{tenant.slug}/auth/me", headers=bearer(fresh["access_token"]))
    assert me.json()["role"] == "auditor"


def test_the_demo_administrator_can_always_sign_in(client, tenant, container):
    from services.identity.auth import ensure_demo_admin

    app = container.applications.get(tenant.slug)
    username, first = ensure_demo_admin(app, SYSTEM, password="mat-khau-lan-dau")
    assert login(client, tenant, username=username, password=first).status_code == 201
    for _ in range(5):
        login(client, tenant, username=username, password="sai-mật-khẩu-rồi")
    # The next start chooses a new password: it works, the lock is lifted, the old one is dead.
    assert ensure_demo_admin(app, SYSTEM, password="mat-khau-lan-sau") == (
        username,
        "mat-khau-lan-sau",
    )
    assert login(client, tenant, username=username, password="mat-khau-lan-sau").status_code == 201
    assert login(client, tenant, username=username, password=first).status_code == 401
