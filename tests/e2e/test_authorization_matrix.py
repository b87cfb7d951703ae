"""The authorization matrix, generated from the application's own route table.

Every route is called with no token, an expired token, a garbage token, a valid token of
another province, a token of each role, and tokens scoped to a sibling subtree. The expected
answer comes from the route's policy; every answer is searched for the other province's data.
A route added without a policy fails ``test_every_route_has_a_policy`` by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import TestClient

from domain.base import SYSTEM
from domain.user import Role
from infra.readside import ReadSide
from infra.settings import Settings
from infra.tenancy import Tenant, TenantApplications, provision
from services.app import create_app
from services.bootstrap import Container, schema_parts
from services.documents.policies import ASKS_FOR_A_FILE
from services.policies import POLICIES, policy_for
from services.security.policy import Policy
from tests.builders import official
from tests.conftest import drop_tenant, new_slug
from tests.e2e.auth_helpers import Tree, bearer, build_tree, expired_token, token

pytestmark = pytest.mark.e2e

EXPECTED_PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/schema"),
    ("GET", "/schema/swagger"),
    ("GET", "/schema/{path}"),
    ("GET", "/schema/openapi.json"),
    ("GET", "/schema/oauth2-redirect.html"),
    ("GET", "/schema/assets/{name}"),  # the explorer's vendored files (no data)
    ("POST", "/api/v1/t/{tenant}/auth/login"),
    ("POST", "/api/v1/t/{tenant}/auth/refresh"),
    ("GET", "/"),  # the login form
    ("POST", "/login"),  # the login form's post (CSRF-checked, throttled like the API's)
    ("GET", "/static/{file_path}"),  # stylesheet, htmx, fonts
    # A calendar app sends no token: the URL's secret (SHA-256 kept, revocable) is the key.
    ("GET", "/api/v1/t/{tenant}/calendar/{secret}"),
}
"""Changing who may call without a token is a decision: this list must be edited with it."""

KNOWN_PARAMS = {"tenant", "unit_id", "cell_id", "member_id"}
SCOPED_ROLES = (Role.SECRETARY, Role.SUPERIOR_MEMBER, Role.INSPECTOR)


def app_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path template) of every handler the application serves, OPTIONS aside."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            for method in getattr(handler, "http_methods", ()):
                if method not in ("OPTIONS", "HEAD"):
                    found.append((method, route.path_format))
    return sorted(set(found))


def routes_without_policy(app: Litestar) -> list[tuple[str, str]]:
    return [key for key in app_routes(app) if policy_for(*key) is None]


def offline_app() -> Litestar:
    settings = Settings(
        database_url=None, data_dir=Path("/nonexistent"), broker_url=None, jwt_secret="x" * 48
    )
    return create_app(SimpleNamespace(settings=settings))  # type: ignore[arg-type]  # the app reads only .settings when no request runs


ROUTES = app_routes(offline_app())


def test_every_route_has_a_policy():
    assert routes_without_policy(offline_app()) == []


def test_every_policy_names_a_route():
    assert sorted(set(POLICIES) - set(ROUTES)) == []


def test_only_the_listed_routes_are_open_without_a_token():
    assert {key for key in ROUTES if policy_for(*key).public} == EXPECTED_PUBLIC


def test_read_only_roles_never_write():
    for key in ROUTES:
        policy = policy_for(*key)
        # Signing out of one's own session is the only write they have; asking for a report
        # file to be made (listed one by one, each a report job) records nothing.
        if key[0] != "GET" and not policy.own_data and key not in ASKS_FOR_A_FILE:
            assert Role.AUDITOR not in policy.roles, key
            assert Role.INSPECTOR not in policy.roles, key


def test_the_file_requests_open_to_read_only_roles_are_report_jobs():
    assert set(ROUTES) >= ASKS_FOR_A_FILE
    for method, path in ASKS_FOR_A_FILE:
        assert method == "POST"
        assert path.endswith("/report/jobs"), path
        assert Role.INSPECTOR in policy_for(method, path).roles


def test_a_new_route_without_a_policy_is_reported_and_refused(database, tmp_path):
    @get("/api/v1/t/{tenant:str}/secret-export", sync_to_thread=False)
    def secret_export(tenant: FromPath[str]) -> dict[str, str]:
        return {"data": "hồ sơ đảng viên"}

    settings = Settings(database_url=database.url, data_dir=tmp_path, broker_url=None)
    container = Container(settings, database, TenantApplications(database, 2), ReadSide(database))
    app = create_app(container)
    app.register(secret_export)
    assert ("GET", "/api/v1/t/{tenant}/secret-export") in routes_without_policy(app)
    admin = token(container, "any_tenant", Role.TENANT_ADMIN)
    with TestClient(app) as client:
        response = client.get("/api/v1/t/any_tenant/secret-export", headers=bearer(admin))
    assert response.status_code == 403
    assert "hồ sơ" not in response.text


# -- the matrix -------------------------------------------------------------------------------


@dataclass
class World:
    client: TestClient[Any]
    container: Container
    tenant: Tenant
    tree: Tree
    member_a: UUID
    member_b: UUID
    other: Tenant
    foreign: list[str]
    """Strings of the other province that must never appear in an answer."""
    own_names: list[str]


def enrol(app: Any, cell: UUID, name: str) -> UUID:
    return official(
        app, SYSTEM, cell, name, birth_date=date(1980, 5, 1), gender="nữ",
        admitted_on=date(2005, 5, 19), official_on=date(2006, 5, 19), joined_cell_on=date(2010, 1, 1),
    ).id  # fmt: skip


@pytest.fixture(scope="module")
def world(database, tmp_path_factory) -> Iterator[World]:
    tenant, _ = provision(database, new_slug(), "Tỉnh Thử Nghiệm", schema_parts())
    other, _ = provision(database, new_slug(), "Tỉnh Ngoài", schema_parts())
    settings = Settings(
        database_url=database.url, data_dir=tmp_path_factory.mktemp("matrix"), broker_url=None
    )
    container = Container(settings, database, TenantApplications(database, 8), ReadSide(database))
    app_a = container.applications.get(tenant.slug)
    app_b = container.applications.get(other.slug)
    tree = build_tree(app_a)
    member_a = enrol(app_a, tree.cell_a, "Trần Văn An")
    member_b = enrol(app_a, tree.cell_b, "Lê Thị Bình")
    foreign_tree = build_tree(app_b)
    foreign_member = enrol(app_b, foreign_tree.cell_a, "Phạm Ngoại Tỉnh")
    foreign = [
        other.slug,
        "Phạm Ngoại Tỉnh",
        str(foreign_member),
        *map(str, vars(foreign_tree).values()),
    ]
    try:
        with TestClient(create_app(container)) as client:
            yield World(
                client,
                container,
                tenant,
                tree,
                member_a,
                member_b,
                other,
                foreign,
                ["Trần Văn An", "Lê Thị Bình", "Chi bộ thôn Một", "Chi bộ thôn Hai"],
            )
    finally:
        container.applications.close()
        drop_tenant(database, tenant)
        drop_tenant(database, other)


def url_for(world: World, template: str) -> tuple[str, bool]:
    """A concrete URL for the template, and whether all its ids are real ones."""
    values = {
        "tenant": world.tenant.slug,
        "unit_id": str(world.tree.cell_a),
        "cell_id": str(world.tree.cell_a),
        "member_id": str(world.member_a),
        "seq": "1",  # an integer path parameter (a seal's number)
    }
    names = re.findall(r"\{(\w+)\}", template)
    url = template
    for name in names:
        url = url.replace("{" + name + "}", values.get(name, str(uuid4())))
    return url, set(names) <= KNOWN_PARAMS


def body_for(world: World) -> dict[str, Any]:
    """Only ids, so the handlers refuse the body after the guard has had its say."""
    return {
        "cell_id": str(world.tree.cell_a),
        "to_cell_id": str(world.tree.cell_a),
        "parent_id": str(world.tree.committee_a),
        "new_parent_id": str(world.tree.committee_a),
        "committee_id": str(world.tree.committee_a),
        "meeting_id": str(uuid4()),
    }


def call(world: World, method: str, template: str, headers: dict[str, str]) -> Any:
    url, _ = url_for(world, template)
    params = {"unit_id": str(world.tree.committee_a)}
    if method == "GET":
        return world.client.get(url, headers=headers, params=params)
    return world.client.request(method, url, headers=headers, params=params, json=body_for(world))


def check_no_foreign_data(world: World, response: Any, key: tuple[str, str]) -> None:
    for text in world.foreign:
        assert text not in response.text, (key, response.status_code, text)
    if response.status_code in (401, 403):
        for name in world.own_names:
            assert name not in response.text, (key, name)


def scoped_token(world: World, role: Role, sibling: bool) -> str:
    tree = world.tree
    if role is Role.MEMBER:
        cell, member = (tree.cell_b, world.member_b) if sibling else (tree.cell_a, world.member_a)
        return token(world.container, world.tenant.slug, role, cell, member)
    if role in (Role.TENANT_ADMIN, Role.AUDITOR) and not sibling:
        return token(world.container, world.tenant.slug, role)
    scope = tree.committee_b if sibling else tree.committee_a
    return token(world.container, world.tenant.slug, role, scope)


def refused_for(policy: Policy, role: Role, scoped: bool) -> bool:
    if role not in policy.roles:
        return True
    return scoped and not policy.units and not policy.own_data and not policy.province_rules


def expected_refusal(template: str, policy: Policy, role: Role, scoped: bool) -> int | None:
    """401 where no token can be valid (a route outside any province), 403, or ``None``."""
    if "{tenant}" not in template:
        return 401
    return 403 if refused_for(policy, role, scoped) else None


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_route_answers_each_caller_as_its_policy_says(world, method, template):
    policy = policy_for(method, template)
    assert policy is not None, "route without a policy"
    key = (method, template)
    if policy.public:
        return
    slug = world.tenant.slug
    refusals = {
        "no token": {},
        "garbage token": bearer("not-a-jwt"),
        "expired token": bearer(expired_token(world.container, slug)),
        "another province's token": bearer(
            token(world.container, world.other.slug, Role.TENANT_ADMIN)
        ),
    }
    for label, headers in refusals.items():
        response = call(world, method, template, headers)
        assert response.status_code == 401, (label, key, response.status_code, response.text)
        check_no_foreign_data(world, response, key)

    for role in Role:
        scoped = role not in (Role.TENANT_ADMIN, Role.AUDITOR)
        response = call(world, method, template, bearer(scoped_token(world, role, sibling=False)))
        check_no_foreign_data(world, response, key)
        expected = expected_refusal(template, policy, role, scoped)
        if expected is not None:
            assert response.status_code == expected, (
                role,
                key,
                response.status_code,
                response.text,
            )
        else:
            assert response.status_code not in (401, 403), (role, key, response.text)

    _, real_ids = url_for(world, template)
    body_lookup = any(f.__qualname__.startswith("aggregate_in_body") for f in policy.units)
    for role in (*SCOPED_ROLES, Role.MEMBER, Role.TENANT_ADMIN, Role.AUDITOR):
        response = call(world, method, template, bearer(scoped_token(world, role, sibling=True)))
        check_no_foreign_data(world, response, key)
        if "{tenant}" not in template:
            assert response.status_code == 401, ("sibling", role, key)
        elif (policy.own_data or policy.province_rules) and role in policy.roles:
            assert response.status_code not in (401, 403), (role, key)
        elif real_ids and not body_lookup:
            assert response.status_code == 403, ("sibling", role, key, response.status_code)
        else:
            # An id the test cannot make real (a meeting, a case…): refused or not found.
            assert response.status_code in (403, 404), ("sibling", role, key, response.status_code)


def test_a_member_reads_their_own_record_and_not_a_cellmates(world):
    slug = world.tenant.slug
    own = token(world.container, slug, Role.MEMBER, world.tree.cell_a, world.member_a)
    mine = world.client.get(f"/api/v1/t/{slug}/members/{world.member_a}", headers=bearer(own))
    assert mine.status_code == 200
    assert mine.json()["full_name"] == "Trần Văn An"
    other_cell = world.client.get(f"/api/v1/t/{slug}/members/{world.member_b}", headers=bearer(own))
    assert other_cell.status_code == 403
    assert "Lê Thị Bình" not in other_cell.text


def test_a_secretary_reads_inside_the_subtree_with_the_data(world):
    slug = world.tenant.slug
    secretary = token(world.container, slug, Role.SECRETARY, world.tree.committee_a)
    unit = world.client.get(
        f"/api/v1/t/{slug}/units/{world.tree.cell_a}", headers=bearer(secretary)
    )
    assert unit.status_code == 200
    assert unit.json()["name"] == "Chi bộ thôn Một"
    sibling = world.client.get(
        f"/api/v1/t/{slug}/units/{world.tree.cell_b}", headers=bearer(secretary)
    )
    assert sibling.status_code == 403
    assert "Chi bộ thôn Hai" not in sibling.text


def test_a_token_of_one_province_cannot_read_the_other(world):
    foreign_admin = token(world.container, world.other.slug, Role.TENANT_ADMIN)
    url = f"/api/v1/t/{world.tenant.slug}/units/{world.tree.cell_a}"
    response = world.client.get(url, headers=bearer(foreign_admin))
    assert response.status_code == 401
    assert "Chi bộ thôn Một" not in response.text
