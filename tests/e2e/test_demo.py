"""The demo province shows everything from the first minute: every inspection list and every
collection has rows, with cases, petitions and visits in each state and a rotation under way,
and every printed login works.

Seeded by ``seed_demo`` (what ``chibo serve --demo`` runs), read back through the read models
and over HTTP, as the pages read them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from domain.user import Role, UserAccount, account_id
from projections import collections, lists
from projections.registry import list_specs
from services.demo import DEMO_SLUG, DEMO_USERS
from tests.conftest import asyncpg_connect

pytestmark = pytest.mark.e2e

TODAY = datetime.now(timezone(timedelta(hours=7))).date()


def fetch(database: Any, query: str, *args: Any) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        conn = await asyncpg_connect(database)
        try:
            return [dict(r) for r in await conn.fetch(query, *args)]
        finally:
            await conn.close()

    return asyncio.run(run())


def page(database: Any, schema: str, spec: Any, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        conn = await asyncpg_connect(database)
        try:
            rows, _ = await lists.page(conn.fetch, schema, spec, params, limit=None)
            return rows
        finally:
            await conn.close()

    return asyncio.run(run())


def root_of(database: Any, schema: str) -> Any:
    return fetch(database, f'SELECT id FROM "{schema}".org_units WHERE parent_id IS NULL')[0]["id"]


def test_every_inspection_list_has_rows_over_the_year(seeded, database):
    _, tenant, *_ = seeded
    root = root_of(database, tenant.schema)
    year_ago = (TODAY.replace(day=1) - timedelta(days=365)).replace(day=1)
    params = (root, year_ago, TODAY, TODAY)
    empty = [s.name for s in list_specs() if not page(database, tenant.schema, s, params)]
    # The demo does not distribute meeting papers yet (the papers feature is newer than it).
    assert [name for name in empty if not name.startswith("papers_")] == []


def test_a_year_of_meetings_with_and_without_thematic_and_a_few_kem(seeded, database):
    _, tenant, *_ = seeded
    s = tenant.schema
    months = fetch(database, f'SELECT DISTINCT year, month FROM "{s}".meetings WHERE closed')
    assert len(months) >= 12
    kem = fetch(database, f"SELECT count(*) AS n FROM \"{s}\".meetings WHERE rating = 'kem'")
    assert 2 <= kem[0]["n"] <= 10
    thematic = fetch(
        database,
        f"SELECT cell_id, year, (month - 1) / 3 AS q, count(*) FILTER (WHERE kind = 'thematic') AS t"
        f' FROM "{s}".meetings GROUP BY 1, 2, 3',
    )
    assert any(r["t"] > 0 for r in thematic)
    assert any(r["t"] == 0 for r in thematic)
    coming = fetch(database, f'SELECT count(*) AS n FROM "{s}".meetings WHERE held_on IS NULL')
    assert coming[0]["n"] > 0  # this month's meetings still to come


def test_admission_cases_at_every_step_some_overdue(seeded, database):
    _, tenant, *_ = seeded
    rows = page(
        database, tenant.schema, collections.ADMISSION_CASES,
        (root_of(database, tenant.schema), TODAY, None, False, None),
    )  # fmt: skip
    steps = {r["step"] for r in rows if r["state"] == "open"}
    assert steps == {
        "application", "admission_decision", "ceremony", "recognition_vote",
        "recognition_decision",
    }  # fmt: skip
    assert any(r["overdue"] for r in rows)
    assert any(r["state"] == "open" and not r["overdue"] for r in rows)
    assert sum(r["state"] == "ended" for r in rows) == 2  # recognised, and closed


def test_petitions_in_every_state_plans_with_fulfilled_and_missed(seeded, database):
    _, tenant, *_ = seeded
    root = root_of(database, tenant.schema)
    petitions = page(database, tenant.schema, collections.PETITIONS, (root, TODAY, None, False))
    states = {p["state"] for p in petitions}
    assert {"raised", "forwarded", "accepted", "resolved", "answered", "reopened"} <= states
    assert any(p["overdue"] for p in petitions)
    visits = page(database, tenant.schema, collections.ASSIGNMENTS, (root, None, None, None))
    outcome = {a["state"] for a in visits}
    if TODAY.month > 2:  # the plan is the year of last month; in January it has no past yet
        assert {"attended", "missed", "reported", "assigned"} <= outcome


def test_a_demo_account_per_role_and_the_rotation_under_way(seeded, database):
    app, tenant, *_ = seeded
    roles = {app.repository.get(account_id(name)).role for name, _, _ in DEMO_USERS}
    assert roles == {
        Role.SECRETARY,
        Role.SUPERIOR_MEMBER,
        Role.INSPECTOR,
        Role.AUDITOR,
        Role.MEMBER,
    }
    member: UserAccount = app.repository.get(account_id("dangvien"))
    assert member.member_id is not None
    assert member.scope_unit_id == app.repository.get(member.member_id).cell_id
    s = tenant.schema
    taken = fetch(
        database,
        f"SELECT count(*) FILTER (WHERE taken_on IS NOT NULL) AS taken, count(*) AS everyone"
        f' FROM "{s}".sup_rotation',
    )[0]
    assert 0 < taken["taken"] < taken["everyone"]
    mine = page(database, s, collections.MY_ASSIGNMENTS, (str(account_id("capuy")), None))
    assert mine


def test_every_printed_login_works_and_shows_its_role_something(seeded):
    app, _, logins, client, _ = seeded
    assert {name for name, _ in logins.accounts} == {"admin", *(n for n, _, _ in DEMO_USERS)}
    base = f"/api/v1/t/{DEMO_SLUG}"
    tokens = {}
    for username, _ in logins.accounts:
        response = client.post(
            f"{base}/auth/login", json={"username": username, "password": logins.password}
        )
        assert response.status_code == 201, (username, response.text)
        tokens[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    member = app.repository.get(account_id("dangvien"))
    cell = app.repository.get(member.member_id).cell_id
    year = TODAY.year
    meetings = client.get(
        f"{base}/units/{cell}/meetings", params={"period": str(year)}, headers=tokens["dangvien"]
    )
    assert meetings.status_code == 200, meetings.text
    assert meetings.json()["items"]
    turn = client.get(f"{base}/supervision/cells/{cell}/rotation", headers=tokens["dangvien"])
    assert turn.status_code == 200, turn.text
    assert str(member.member_id) in turn.text  # she is next in the rotation
    mine = client.get(f"{base}/supervision/my-assignments", headers=tokens["capuy"])
    assert mine.json()["items"]
    trail = client.get(f"{base}/audit/trail", headers=tokens["kiemtoan"])
    assert trail.status_code == 200, trail.text
    kem = client.get(
        f"{base}/views/lists/cells_rated_kem_twice",
        params={"period": str(year - 1 if TODAY.month == 1 else year)},
        headers=tokens["kiemtra"],
    )
    assert kem.status_code == 200, kem.text
