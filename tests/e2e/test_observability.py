"""Seen from outside (issue 14 §5): ``X-Request-ID`` is the id the events store, ``/metrics``
counts requests by route template and reports each projection's lag, ``/readyz`` says
``degraded`` when a read model is stopped."""

from __future__ import annotations

import re

import pytest

from projections import engine, tracking
from projections.registry import all_projections

pytestmark = pytest.mark.e2e


def found_unit(client, tenant, **headers):
    body = {"name": "Đảng bộ tỉnh", "level": "province", "founded_on": "2015-01-01"}
    return client.post(f"/api/v1/t/{tenant.slug}/units", json=body, headers=headers)


def test_the_response_names_the_request_its_events_record(client, container, tenant):
    minted = found_unit(client, tenant)
    assert minted.status_code == 201, minted.text
    given = found_unit(client, tenant, **{"X-Request-ID": "req-from-client-1"})
    assert given.headers["x-request-id"] == "req-from-client-1"
    app = container.applications.get(tenant.slug)
    stored = [app.mapper.to_domain_event(n) for n in app.notification_log.select(1, 10)]
    assert [e.request_id for e in stored] == [
        minted.headers["x-request-id"],
        "req-from-client-1",
    ]
    # Errors and paths that match no route carry one too.
    assert client.get(f"/api/v1/t/{tenant.slug}/units/not-a-uuid").headers["x-request-id"]
    assert client.get("/no/such/route").headers["x-request-id"]


def test_metrics_count_by_route_template_and_report_projection_lag(client, container, tenant):
    assert found_unit(client, tenant).status_code == 201
    text = client.get("/metrics").text
    route = "/api/v1/t/{tenant}/units"
    counted = re.search(
        rf'chibo_http_requests_total{{method="POST",route="{re.escape(route)}",status="201"}} (\d+)',
        text,
    )
    assert counted is not None, text[:2000]
    assert int(counted.group(1)) >= 1
    assert f'chibo_http_request_duration_seconds_count{{method="POST",route="{route}"}}' in text
    assert tenant.slug not in route  # the raw path never becomes a label
    # The unit's event is in the log and not yet projected: org_tree lags by one.
    assert (
        f'chibo_projection_lag_events{{province="{tenant.slug}",projection="org_tree"}} 1' in text
    )
    assert "chibo_db_pool_pool_size" in text
    for done in engine.catch_up_all(container.database, tenant.schema, all_projections()):
        assert done.error is None
    text = client.get("/metrics").text
    assert (
        f'chibo_projection_lag_events{{province="{tenant.slug}",projection="org_tree"}} 0' in text
    )
    assert f'chibo_projection_stopped{{province="{tenant.slug}",projection="org_tree"}} 0' in text


def test_readyz_is_degraded_while_a_projection_is_stopped(client, container, tenant):
    assert client.get("/readyz").json()["status"] in ("ready", "degraded")
    with container.database.connect() as conn:
        tracking.record_error(conn, tenant.schema, "org_tree", 1, "ValueError: poison")
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    mine = [p for p in body["projections"] if p["province"] == tenant.slug]
    assert mine == [
        {
            "province": tenant.slug,
            "projection": "org_tree",
            "lag": 0,
            "idle_seconds": 0,
            "stopped": True,
        }
    ]
    text = client.get("/metrics").text
    assert f'chibo_projection_stopped{{province="{tenant.slug}",projection="org_tree"}} 1' in text
