"""The API documentation works on an isolated network and describes the whole API.

The explorer page and everything it loads come from this server (no other host, the online
validator off); the document declares the bearer login so "Authorize" works, a tag per
feature, and a description on every operation and every parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.e2e.test_authorization_matrix import offline_app

pytestmark = pytest.mark.e2e

OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    with TestClient(offline_app()) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def spec(client: TestClient[Any]) -> dict[str, Any]:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_explorer_page_loads_nothing_from_another_host(client):
    page = client.get("/schema/swagger")
    assert page.status_code == 200
    html = page.text
    assert OUTSIDE.search(html) is None, OUTSIDE.search(html)
    assert "cdn.jsdelivr.net" not in html
    assert '"validatorUrl": null' in html
    assert "SwaggerUIBundle(" in html
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "http" not in policy
    assets = re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", html)
    assert {"/schema/assets/swagger-ui-bundle.js", "/schema/assets/swagger-ui.css"} <= set(assets)
    for asset in assets:
        if asset.startswith("/schema/assets/"):
            response = client.get(asset)
            assert response.status_code == 200, asset
    css = client.get("/schema/assets/swagger-ui.css").text
    urls = re.findall(r"url\(\s*[\"']?([^\"')]+)", css)
    assert urls
    assert all(u.startswith("data:") for u in urls), [u for u in urls if not u.startswith("data:")]


def test_the_vendored_files_ship_with_their_licence_and_nothing_else_is_served(client):
    licence = client.get("/schema/assets/LICENSE")
    assert licence.status_code == 200
    assert "Apache License" in licence.text
    assert client.get("/schema/assets/swagger.py").status_code == 404
    assert client.get("/schema/assets/..%2F..%2Fapp.py").status_code == 404


def test_the_bearer_login_is_declared_and_public_routes_ask_for_none(spec):
    scheme = spec["components"]["securitySchemes"]["BearerToken"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    assert spec["security"] == [{"BearerToken": []}]
    paths = spec["paths"]
    assert paths["/api/v1/t/{tenant}/auth/login"]["post"]["security"] == []
    assert paths["/healthz"]["get"]["security"] == []
    assert "security" not in paths["/api/v1/t/{tenant}/units"]["get"]


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method, path, operation


def test_every_operation_has_a_feature_tag_and_a_description(spec):
    declared = {t["name"] for t in spec["tags"]}
    assert len(declared) >= 9
    found = list(operations(spec))
    assert len(found) > 90
    for method, path, operation in found:
        assert operation["tags"], (method, path)
        assert set(operation["tags"]) <= declared, (method, path)
        assert "**Quyền / access:**" in operation["description"], (method, path)
        # More than the access line: what the operation does or records.
        assert len(operation["description"].split("\n\n")) >= 2, (method, path)
    meetings = spec["paths"]["/api/v1/t/{tenant}/meetings/{meeting_id}/close"]["post"]
    assert meetings["tags"] == ["Sinh hoạt chi bộ / meetings"]
    units = spec["paths"]["/api/v1/t/{tenant}/units"]["get"]
    assert units["tags"] == ["Tổ chức / org tree"]


def test_every_operation_is_named_and_described_after_its_own_handler(spec):
    """A handler registered twice was wrapped twice for the thread pool and documented as the
    wrapper: operationId ``…Asynccallable``, the wrapper's docstring as its description."""
    for method, path, operation in operations(spec):
        assert "callable" not in operation["operationId"].lower(), (method, path)
        assert "thread pool" not in operation["description"], (method, path)
    found = spec["paths"]["/api/v1/t/{tenant}/units"]["post"]
    assert found["operationId"] == "ApiV1TTenantUnitsFoundUnit"


def test_every_parameter_is_described_and_some_have_examples(spec):
    for method, path, operation in operations(spec):
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (method, path, parameter["name"])
    login = spec["paths"]["/api/v1/t/{tenant}/auth/login"]["post"]
    tenant = next(p for p in login["parameters"] if p["name"] == "tenant")
    assert tenant["example"] == "demo"


def test_every_api_route_documents_the_outage_503_and_each_answer_it_gives(spec):
    """Fuzzing checks each answer against this document: a 503 while the database is down
    (issue 13 §3), a seal asked for with nothing new to seal (204) and a province provisioned
    twice (200) were answered but not documented."""
    found = list(operations(spec))
    api = [(m, p, o) for m, p, o in found if p.startswith("/api/")]
    assert len(api) > 90
    for method, path, operation in api:
        outage = operation["responses"].get("503")
        assert outage is not None, (method, path)
        assert outage["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        assert "Retry-After" in outage["headers"], (method, path)
    # The probe's own 503 keeps its own body and sends no Retry-After.
    ready = spec["paths"]["/readyz"]["get"]["responses"]["503"]
    assert "headers" not in ready or "Retry-After" not in ready["headers"]
    seal = spec["paths"]["/api/v1/t/{tenant}/audit/seals"]["post"]["responses"]
    assert {"201", "204"} <= set(seal)
    assert "content" not in seal["204"]
    tenants = spec["paths"]["/api/v1/tenants"]["post"]["responses"]
    assert tenants["200"]["content"] == tenants["201"]["content"]
