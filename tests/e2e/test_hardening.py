"""Hardening: security headers, closed CORS, size limits, no internals in errors, true actors."""

from __future__ import annotations

import json

import pytest
from litestar import get
from litestar.params import FromPath
from litestar.testing import TestClient
from psycopg import sql

from domain.user import Role
from services import policies
from services.app import create_app
from services.security.policy import allow
from tests.e2e.auth_helpers import bearer, token

pytestmark = pytest.mark.e2e


def test_every_answer_carries_the_security_headers(client, tenant):
    for response in (
        client.get("/healthz"),
        client.get(f"/api/v1/t/{tenant.slug}/auth/me"),  # 401
        client.get("/no/such/route"),  # 404 outside any handler
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_api_answers_are_not_cached(client, tenant, container):
    me = client.get(
        f"/api/v1/t/{tenant.slug}/auth/me",
        headers=bearer(token(container, tenant.slug, Role.TENANT_ADMIN)),
    )
    assert me.headers["cache-control"] == "no-store"


def test_cors_is_closed_by_default(client, tenant):
    origin = {"Origin": "https://evil.example"}
    plain = client.get("/healthz", headers=origin)
    assert "access-control-allow-origin" not in plain.headers
    preflight = client.options(
        f"/api/v1/t/{tenant.slug}/units",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code >= 400


def test_an_oversized_body_is_refused_before_it_is_read_whole(client, tenant, container):
    headers = bearer(token(container, tenant.slug, Role.TENANT_ADMIN))
    big = json.dumps({"name": "x" * 1_100_000, "level": "province", "founded_on": "2020-01-01"})
    response = client.post(
        f"/api/v1/t/{tenant.slug}/units",
        content=big,
        headers={**headers, "content-type": "application/json"},
    )
    assert response.status_code == 413
    keyed = client.post(
        f"/api/v1/t/{tenant.slug}/units",
        content=big,
        headers={**headers, "content-type": "application/json", "Idempotency-Key": "big"},
    )
    assert keyed.status_code == 413


def test_an_unexpected_error_shows_no_trace_and_no_sql(container, tenant, monkeypatch):
    @get("/api/v1/t/{tenant:str}/boom", sync_to_thread=False)
    def boom(tenant: FromPath[str]) -> None:
        raise RuntimeError('relation "t_secret"."chibo_events" SELECT * FROM password_hash')

    monkeypatch.setitem(
        policies.POLICIES, ("GET", "/api/v1/t/{tenant}/boom"), allow(Role.TENANT_ADMIN)
    )
    app = create_app(container)
    app.register(boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(
            f"/api/v1/t/{tenant.slug}/boom",
            headers=bearer(token(container, tenant.slug, Role.TENANT_ADMIN)),
        )
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    for leak in ("Traceback", "SELECT", "chibo_events", "password_hash", "RuntimeError"):
        assert leak not in response.text


def test_the_event_records_the_token_holder_never_the_body(client, tenant, container, database):
    headers = {
        **bearer(token(container, tenant.slug, Role.TENANT_ADMIN, user_id="nguoi-that")),
        "X-Request-Id": "req-42",
    }
    body = {"name": "Đảng bộ tỉnh", "level": "province", "founded_on": "2020-01-01"}
    forged = client.post(
        f"/api/v1/t/{tenant.slug}/units", json={**body, "actor": "nguoi-khac"}, headers=headers
    )
    assert forged.status_code == 400  # unknown fields are refused, not silently ignored
    response = client.post(f"/api/v1/t/{tenant.slug}/units", json=body, headers=headers)
    assert response.status_code == 201
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL(
                "SELECT convert_from(state, 'UTF8')::jsonb FROM {}.chibo_events WHERE topic LIKE %s"
            ).format(sql.Identifier(tenant.schema)),
            ("%OrgUnit.Founded",),
        ).fetchone()
    state = row[0]
    assert state["actor"] == "nguoi-that"
    assert state["actor_role"] == "tenant_admin"
    assert state["request_id"] == "req-42"


def test_account_answers_never_carry_the_password_hash(client, tenant, container):
    headers = bearer(token(container, tenant.slug, Role.TENANT_ADMIN))
    response = client.post(
        f"/api/v1/t/{tenant.slug}/users",
        json={"username": "thu.ky", "password": "mật-khẩu-dài-đủ-2025", "role": "auditor"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert "argon2" not in response.text
    assert "password" not in response.text
