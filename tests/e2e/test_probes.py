"""Liveness and readiness probes: ready only while the database answers."""

from __future__ import annotations

import dataclasses

import pytest
from litestar.testing import TestClient

from services.app import create_app

pytestmark = pytest.mark.e2e


def test_ready_when_the_database_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200


def test_not_ready_when_the_database_is_unreachable(container):
    broken = dataclasses.replace(
        container, database=dataclasses.replace(container.database, port=1)
    )
    with TestClient(create_app(broken)) as test_client:
        assert test_client.get("/healthz").status_code == 200
        response = test_client.get("/readyz")
    assert response.status_code == 503
    assert "database" in response.json()["status"]
