"""``chibo user create`` bootstraps a province's administrator, who can then sign in."""

from __future__ import annotations

import io

import pytest

from services import cli
from services.cli import wiring

pytestmark = pytest.mark.e2e

PASSWORD = "quản-trị-viên-2025"


@pytest.fixture
def console(container, monkeypatch):
    monkeypatch.setattr(wiring, "open_container", lambda: container)
    monkeypatch.setattr(container, "close", lambda: None)

    def run(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return cli.main(list(argv))

    return run


def create_user(console, tenant, username, role):
    """``chibo user create`` with the password on stdin; its exit code."""
    args = ("user", "create", tenant.slug, username, "--role", role, "--password-stdin")
    return console(*args, stdin=PASSWORD + "\n")


def test_user_create_then_login(console, client, tenant, container):
    assert create_user(console, tenant, "quan.tri", "tenant_admin") == 0
    response = client.post(
        f"/api/v1/t/{tenant.slug}/auth/login", json={"username": "quan.tri", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    app = container.applications.get(tenant.slug)
    opened = next(iter(app.repository.event_store.get(response_user_id(client, tenant, response))))
    assert opened.actor.startswith("cli:")


def response_user_id(client, tenant, response):
    from uuid import UUID

    me = client.get(
        f"/api/v1/t/{tenant.slug}/auth/me",
        headers={"Authorization": f"Bearer {response.json()['access_token']}"},
    )
    return UUID(me.json()["user_id"])


def test_a_second_create_of_the_same_username_fails_cleanly(console, tenant, capsys):
    assert create_user(console, tenant, "quan.tri", "auditor") == 0
    assert create_user(console, tenant, "quan.tri", "auditor") == 2
    assert "already exists" in capsys.readouterr().err


def test_a_scoped_role_without_a_scope_is_refused(console, tenant, capsys):
    assert create_user(console, tenant, "thu.ky", "secretary") == 2
    assert "scope" in capsys.readouterr().err


def test_unlock_and_password_reset_from_the_console(console, client, tenant):
    assert create_user(console, tenant, "quan.tri", "tenant_admin") == 0
    url = f"/api/v1/t/{tenant.slug}/auth/login"
    for _ in range(5):
        client.post(url, json={"username": "quan.tri", "password": "sai-sai-sai-sai"})
    assert client.post(url, json={"username": "quan.tri", "password": PASSWORD}).status_code == 429
    assert console("user", "unlock", tenant.slug, "quan.tri") == 0
    new = "mật-khẩu-mới-hẳn-2026"
    assert (
        console("user", "password", tenant.slug, "quan.tri", "--password-stdin", stdin=new + "\n")
        == 0
    )
    assert client.post(url, json={"username": "quan.tri", "password": new}).status_code == 201
