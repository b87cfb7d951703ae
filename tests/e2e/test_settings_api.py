"""Province settings over HTTP and the command line (issue 12 §4, §5): dated, audited changes,
read as of a day, refused by name when wrong."""

from __future__ import annotations

import io
import json

import pytest

from domain.province import province_id
from domain.user import Role
from services import cli
from services.cli import wiring
from tests.e2e.auth_helpers import bearer, build_tree, token

pytestmark = pytest.mark.e2e

FOUR_GROUPS = {
    "attendance": 15,
    "preparation": 20,
    "conduct": 45,
    "principles": 20,
    "implementation": 0,
}


def url(tenant, on=None):
    return f"/api/v1/t/{tenant.slug}/settings" + (f"?on={on}" if on else "")


def test_a_dated_change_applies_from_its_day_and_keeps_the_rest(client, tenant, container):
    before = client.get(url(tenant, "2025-12-31"))
    assert before.status_code == 200, before.text
    assert before.json()["effective_on"] is None
    assert before.json()["settings"]["quality_weights"]["conduct"] == 20

    client.post(url(tenant), json={"effective_on": "2024-01-01", "rotation_turns_per_meeting": 2})
    answer = client.post(
        url(tenant),
        json={"effective_on": "2026-01-01", "quality_weights": FOUR_GROUPS},
    )
    assert answer.status_code == 201, answer.text

    old = client.get(url(tenant, "2025-12-31")).json()
    assert old["effective_on"] == "2024-01-01"
    assert old["settings"]["quality_weights"]["conduct"] == 20
    new = client.get(url(tenant, "2026-03-01")).json()
    assert new["effective_on"] == "2026-01-01"
    assert new["settings"]["quality_weights"] == FOUR_GROUPS
    # A change names only what it changes: the 2024 turns are still in force in 2026.
    assert new["settings"]["rotation_turns_per_meeting"] == 2
    assert [h["effective_on"] for h in new["history"]] == ["2024-01-01", "2026-01-01"]

    # Audited: the change is an event of the province, by the administrator who made it.
    app = container.applications.get(tenant.slug)
    events = list(app.repository.event_store.get(province_id(tenant.slug)))
    assert events[-1].actor == "test-tenant_admin"
    assert events[-1].effective_on.isoformat() == "2026-01-01"


def test_wrong_values_are_refused_by_name(client, tenant):
    weights = {**FOUR_GROUPS, "implementation": 10}  # adds up to 110
    answer = client.post(
        url(tenant), json={"effective_on": "2026-01-01", "quality_weights": weights}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "invalid_quality_weights"
    bad_year = {"levels": [{"rating": "tot", "floor": "tot", "min_months": 13}]}
    answer = client.post(url(tenant), json={"effective_on": "2026-01-01", "yearly_rule": bad_year})
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "invalid_yearly_rule"
    assert (
        client.post(url(tenant), json={"effective_on": "2026-01-01", "colour": 1}).status_code
        == 400
    )
    assert client.get(url(tenant, "2026-01-01")).json()["history"] == []


def test_a_secretary_reads_but_does_not_change(client, tenant, container):
    secretary = bearer(token(container, tenant.slug, Role.SECRETARY))
    assert client.get(url(tenant), headers=secretary).status_code == 200
    change = {"effective_on": "2026-01-01", "rotation_turns_per_meeting": 2}
    assert client.post(url(tenant), json=change, headers=secretary).status_code == 403


def test_scoped_accounts_read_the_rules_they_are_judged_by(client, tenant, container):
    # A cell secretary and an inspector are scoped to a unit, not the whole province; the
    # province's rules are the same for everyone, so the scope does not hide them.
    tree = build_tree(container.applications.get(tenant.slug))
    for role, scope in ((Role.SECRETARY, tree.cell_a), (Role.INSPECTOR, tree.root)):
        headers = bearer(token(container, tenant.slug, role, scope=scope))
        answer = client.get(url(tenant, "2026-01-01"), headers=headers)
        assert answer.status_code == 200, (role, answer.text)
        assert answer.json()["settings"]["quality_weights"]["conduct"] == 20
    secretary = bearer(token(container, tenant.slug, Role.SECRETARY, scope=tree.cell_a))
    change = {"effective_on": "2026-01-01", "rotation_turns_per_meeting": 2}
    assert client.post(url(tenant), json=change, headers=secretary).status_code == 403


def test_the_command_line_sets_and_shows(container, tenant, monkeypatch, capsys):
    monkeypatch.setattr(wiring, "open_container", lambda: container)
    monkeypatch.setattr(container, "close", lambda: None)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    weights = json.dumps(FOUR_GROUPS)
    code = cli.main(
        ["settings", "set", tenant.slug, "--from", "2026-01-01", f"quality_weights={weights}"]
    )
    assert code == 0
    assert "01/01/2026" in capsys.readouterr().out
    assert cli.main(["settings", "show", tenant.slug, "--on", "2026-06-01"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["settings"]["quality_weights"] == FOUR_GROUPS
    assert cli.main(["settings", "show", tenant.slug, "--on", "2025-06-01"]) == 0
    assert json.loads(capsys.readouterr().out)["effective_on"] is None
    # A refused value is one bilingual line and a non-zero exit, never a traceback.
    code = cli.main(["settings", "set", tenant.slug, "--from", "2026-01-01", "quality_weights=1"])
    assert code != 0
    app = container.applications.get(tenant.slug)
    events = list(app.repository.event_store.get(province_id(tenant.slug)))
    assert events[-1].actor.startswith("cli:")
