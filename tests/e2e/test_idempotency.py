"""Idempotency keys: a retried command records once and gets the first answer back."""

from __future__ import annotations

import pytest
from psycopg import sql

from domain.user import Role
from tests.e2e.auth_helpers import bearer, token

pytestmark = pytest.mark.e2e


def founded_units(database, tenant) -> int:
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}.chibo_events WHERE topic LIKE %s").format(
                sql.Identifier(tenant.schema)
            ),
            ("%OrgUnit.Founded",),
        ).fetchone()
    return row[0]


@pytest.fixture
def admin_headers(container, tenant):
    return bearer(token(container, tenant.slug, Role.TENANT_ADMIN, user_id="admin-1"))


ROOT = {"name": "Đảng bộ tỉnh Thử", "level": "province", "founded_on": "2020-01-01"}


def test_a_retried_command_with_the_same_key_records_once(client, tenant, database, admin_headers):
    url = f"/api/v1/t/{tenant.slug}/units"
    headers = {**admin_headers, "Idempotency-Key": "found-root-1"}
    first = client.post(url, json=ROOT, headers=headers)
    second = client.post(url, json=ROOT, headers=headers)
    assert first.status_code == 201, first.text
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert founded_units(database, tenant) == 1


def test_without_a_key_the_same_command_records_twice(client, tenant, database, admin_headers):
    url = f"/api/v1/t/{tenant.slug}/units"
    assert client.post(url, json=ROOT, headers=admin_headers).status_code == 201
    assert client.post(url, json=ROOT, headers=admin_headers).status_code == 201
    assert founded_units(database, tenant) == 2


def test_the_same_key_with_another_body_is_refused(client, tenant, database, admin_headers):
    url = f"/api/v1/t/{tenant.slug}/units"
    headers = {**admin_headers, "Idempotency-Key": "k-2"}
    assert client.post(url, json=ROOT, headers=headers).status_code == 201
    other = client.post(url, json={**ROOT, "name": "Tên khác"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert founded_units(database, tenant) == 1


def test_keys_belong_to_their_user(client, tenant, database, container, admin_headers):
    url = f"/api/v1/t/{tenant.slug}/units"
    second_admin = bearer(token(container, tenant.slug, Role.TENANT_ADMIN, user_id="admin-2"))
    assert (
        client.post(
            url, json=ROOT, headers={**admin_headers, "Idempotency-Key": "same"}
        ).status_code
        == 201
    )
    replay = client.post(url, json=ROOT, headers={**second_admin, "Idempotency-Key": "same"})
    assert replay.status_code == 201
    assert "idempotent-replayed" not in replay.headers
    assert founded_units(database, tenant) == 2


def test_a_key_does_not_bypass_the_policy(client, tenant, container):
    url = f"/api/v1/t/{tenant.slug}/units"
    auditor = bearer(token(container, tenant.slug, Role.AUDITOR, user_id="aud-1"))
    refused = client.post(url, json=ROOT, headers={**auditor, "Idempotency-Key": "x"})
    assert refused.status_code == 403


def test_an_overlong_key_is_refused(client, tenant, admin_headers):
    url = f"/api/v1/t/{tenant.slug}/units"
    response = client.post(url, json=ROOT, headers={**admin_headers, "Idempotency-Key": "k" * 201})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


def test_a_database_gone_after_the_answer_was_sent_leaves_the_answer_whole(
    client, tenant, database, admin_headers, monkeypatch, caplog
):
    """CI's crash test met it: the server died between the answer and the key's record, and
    the event store's own OperationalError (its translation of psycopg's) escaped after the
    response had started, so the client got a broken answer instead of its 201. The failure
    is forced here at that exact step; the real crash is tests/e2e/test_database_outage.py."""
    from eventsourcing.persistence import OperationalError

    from services.security import middleware

    def server_gone(*args, **kwargs):
        raise OperationalError("consuming input failed: server closed the connection")

    monkeypatch.setattr(middleware, "finish", server_gone)
    url = f"/api/v1/t/{tenant.slug}/units"
    headers = {**admin_headers, "Idempotency-Key": "found-root-gone"}
    with caplog.at_level("WARNING", logger="services.security.middleware"):
        answer = client.post(url, json=ROOT, headers=headers)
    assert answer.status_code == 201, answer.text
    assert founded_units(database, tenant) == 1
    assert "not stored: database unavailable" in caplog.text
