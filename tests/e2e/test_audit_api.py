"""The audit API over HTTP: the trail and its filters, seals, aggregates as of a point."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.base import SYSTEM, Actor
from domain.member import Member, MemberStatus
from domain.user import Role, UserAccount
from infra.audit.seals import Seal, signature_holds
from projections import engine
from projections.registry import all_projections
from tests.e2e.auth_helpers import bearer, build_tree, token

pytestmark = pytest.mark.e2e

SECRETARY = Actor("bt-an", "secretary", "req-7")


@pytest.fixture
def world(client, container, tenant) -> dict[str, Any]:
    app = container.applications.get(tenant.slug)
    tree = build_tree(app)
    members = {}
    for cell, name in ((tree.cell_a, "Trần Thị Bình"), (tree.cell_b, "Lê Văn Cường")):
        member = Member.enrol(
            uuid4(), name, date(1970, 1, 1), "nữ", cell, MemberStatus.OFFICIAL,
            date(2000, 1, 1), date(2001, 1, 1), date(2020, 1, 1), SECRETARY,
        )  # fmt: skip
        app.save_all(member)
        members[cell] = member
    # The exemption is recorded by a real account: the trail names its holder, not its id.
    account = UserAccount.open("bt.an", "Nguyễn Thị An", Role.SECRETARY, tree.cell_a, None, SYSTEM)
    app.save_all(account)
    by_account = Actor(str(account.id), "secretary", "req-7")
    members[tree.cell_a].exempt(date(2025, 3, 1), None, "Ốm dài ngày", by_account)
    app.save_all(members[tree.cell_a])
    for done in engine.catch_up_all(container.database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    return {"app": app, "tree": tree, "members": members, "account": account}


def url(tenant: Any, path: str) -> str:
    return f"/api/v1/t/{tenant.slug}/audit{path}"


def as_role(container, tenant, role, scope=None) -> dict[str, str]:
    return bearer(token(container, tenant.slug, role, scope=scope))


def test_trail_lists_newest_first_with_sentences_and_links(client, tenant, container, world):
    headers = as_role(container, tenant, Role.INSPECTOR)
    body = client.get(url(tenant, "/trail"), headers=headers).json()
    entries = body["entries"]
    assert [e["notification_id"] for e in entries] == sorted(
        (e["notification_id"] for e in entries), reverse=True
    )
    newest = entries[0]
    assert newest["kind"] == "Member.Exempted"
    assert newest["reason"] == "Ốm dài ngày"
    assert newest["sentence"].startswith("Đ/c Nguyễn Thị An (bí thư chi bộ) miễn sinh hoạt")
    assert (newest["actor"], newest["request_id"]) == (str(world["account"].id), "req-7")
    assert (newest["actor_name"], newest["actor_role_label"]) == ("Nguyễn Thị An", "bí thư chi bộ")
    before = client.get(newest["state_before"], headers=headers).json()
    after = client.get(newest["state_after"], headers=headers).json()
    assert before["state"]["exemption"] is None
    assert after["state"]["exemption"] is not None
    assert body["position"] == world["app"].log_position


def test_trail_filters_by_subtree_actor_aggregate_kind_and_period(client, tenant, container, world):
    tree, members = world["tree"], world["members"]
    headers = as_role(container, tenant, Role.AUDITOR)

    def ids(**params: Any) -> set[int]:
        response = client.get(url(tenant, "/trail"), params=params, headers=headers)
        assert response.status_code == 200, response.text
        return {e["notification_id"] for e in response.json()["entries"]}

    everything = ids()
    under_a = ids(unit_id=str(tree.committee_a))
    assert under_a
    assert under_a < everything
    member_a = str(members[tree.cell_a].id)
    assert ids(aggregate_id=member_a) <= under_a
    assert len(ids(aggregate_id=member_a)) == 2
    assert len(ids(actor="bt-an")) == 2
    # by the account id as recorded, or by the full name a person reads
    assert (
        ids(actor="Nguyễn Thị An")
        == ids(actor=str(world["account"].id))
        == ids(kind="Member.Exempted")
    )
    assert len(ids(kind="Member.Exempted")) == 1
    assert len(ids(kind="Member")) == 3
    assert ids(since="2000-01-01", until="2100-01-01") == everything
    assert ids(until="2000-01-01") == set()


def test_trail_pages_with_before(client, tenant, container, world):
    headers = as_role(container, tenant, Role.TENANT_ADMIN)
    first = client.get(url(tenant, "/trail"), params={"limit": 3}, headers=headers).json()
    assert len(first["entries"]) == 3
    assert first["next_before"] is not None
    second = client.get(
        url(tenant, "/trail"), params={"limit": 3, "before": first["next_before"]}, headers=headers
    ).json()
    assert max(e["notification_id"] for e in second["entries"]) < first["next_before"]


def test_scoped_inspector_sees_only_their_subtree(client, tenant, container, world):
    tree = world["tree"]
    headers = as_role(container, tenant, Role.INSPECTOR, scope=tree.committee_a)
    mine = client.get(url(tenant, "/trail"), headers=headers)
    assert mine.status_code == 200
    assert all("Lê Văn Cường" not in e["sentence"] for e in mine.json()["entries"])
    other = client.get(
        url(tenant, "/trail"), params={"unit_id": str(tree.committee_b)}, headers=headers
    )
    assert other.status_code == 403


def test_members_and_secretaries_cannot_read_the_trail(client, tenant, container, world):
    for role in (Role.MEMBER, Role.SECRETARY):
        response = client.get(url(tenant, "/trail"), headers=as_role(container, tenant, role))
        assert response.status_code == 403


def test_seal_download_is_the_signed_document(client, tenant, container, world):
    created = client.post(url(tenant, "/seals"))
    assert created.status_code == 201
    assert client.post(url(tenant, "/seals")).status_code == 204  # nothing new
    headers = as_role(container, tenant, Role.AUDITOR)
    listed = client.get(url(tenant, "/seals"), headers=headers).json()
    assert [s["seq"] for s in listed] == [1]
    download = client.get(url(tenant, "/seals/1"), headers=headers)
    assert "attachment" in download.headers["content-disposition"]
    seal = Seal.from_json(download.content)
    assert signature_holds(seal)
    assert seal.last == world["app"].log_position
    assert json.loads(download.content) == created.json()
    assert client.get(url(tenant, "/seals/9"), headers=headers).status_code == 404
    auditor_seal = client.post(url(tenant, "/seals"), headers=headers)
    assert auditor_seal.status_code == 403


def test_aggregate_as_of_position_date_and_version(client, tenant, container, world):
    member = world["members"][world["tree"].cell_a]
    headers = as_role(container, tenant, Role.AUDITOR)
    path = url(tenant, f"/aggregates/{member.id}")
    now = client.get(path, headers=headers).json()
    assert now["version"] == 2
    assert now["latest_version"] == 2
    first = client.get(path, params={"position": now["position"] - 1}, headers=headers).json()
    assert first["version"] == 1
    assert first["state"]["full_name"] == "Trần Thị Bình"
    assert client.get(path, params={"as_of": "2000-01-01"}, headers=headers).status_code == 404
    assert client.get(path, params={"as_of": "hôm qua"}, headers=headers).status_code == 400
    assert client.get(url(tenant, f"/aggregates/{uuid4()}"), headers=headers).status_code == 404
