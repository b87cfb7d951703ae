"""The province administrator's org tree pages: drill down by name, found, rename, move and
dissolve through forms (CSRF, Idempotency-Key, the version shown), refusals beside the field,
and the same policy as the API's (a secretary reaches none of it).
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar.testing import TestClient

from domain.user import Role
from projections import engine
from projections.registry import all_projections
from services import workers
from services.app import create_app
from tests.e2e.web_helpers import KEY, build_cell, csrf_of, make_user, sign_in

pytestmark = pytest.mark.e2e

LINK = re.compile(r'<a [^>]*?href="([^"]+)"[^>]*>([^<]+)</a>')
OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]+)</option>')
VERSION = re.compile(r'name="expected_version" value="(\d+)"')


@pytest.fixture
def site(container, tenant, app, database) -> Any:
    cell = build_cell(app)
    make_user(app, "quantri", Role.TENANT_ADMIN, None)
    make_user(app, "bithu", Role.SECRETARY, cell.tree.cell_a)
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    # The tree page reads the org tree's read model, its writes wait for it: workers run.
    workers.configure(container.database, None, threads=2, tick_seconds=None)
    try:
        with TestClient(create_app(container)) as client:
            yield client, tenant.slug, cell, app
    finally:
        workers.shutdown()


def link(html: str, text: str) -> str:
    found = {t.strip(): h.replace("&amp;", "&") for h, t in LINK.findall(html)}
    return found[text]


def form(html: str, **fields: str) -> dict[str, str]:
    """A form of the page as sent: its CSRF token, a key of its own (one per submission)."""
    assert KEY.findall(html), "no Idempotency-Key in the page"
    return {"csrf_token": csrf_of(html), "idempotency_key": uuid4().hex, **fields}


def names_under(app: Any, parent_id: Any) -> list[str]:
    parent = app.repository.get(parent_id)
    return sorted(app.repository.get(c).name for c in parent.child_ids)


def test_the_administrator_founds_renames_moves_and_dissolves_a_unit_by_name(site):
    client, slug, _cell, app = site
    assert sign_in(client, slug, "quantri").status_code == 303
    home = client.get(f"/t/{slug}/", follow_redirects=True)
    assert home.status_code == 200, home.text[:300]
    assert "<h1>Đảng bộ tỉnh Thử</h1>" in home.text
    commune = client.get(link(home.text, "Đảng ủy xã An"))
    grassroots = client.get(link(commune.text, "Đảng bộ các thôn xã An"))
    assert "Chi bộ thôn Một" in grassroots.text
    action = re.search(r'action="(/t/[^"]+/admin/units/([^/]+)/found)"', grassroots.text)
    assert action
    a_g = action.group(2)  # the grassroots committee, from the form's address
    body = form(grassroots.text, name="Chi bộ thôn Ba", level="cell", founded_on="2024-05-01")
    first = client.post(action.group(1), data=body, follow_redirects=True)
    again = client.post(action.group(1), data=body, follow_redirects=True)  # a double click
    assert first.status_code == again.status_code == 200, first.text[:500]
    assert names_under(app, UUID(a_g)).count("Chi bộ thôn Ba") == 1  # recorded once
    assert "Chi bộ thôn Ba" in first.text
    new = client.get(link(first.text, "Chi bộ thôn Ba"))
    assert "<h1>Chi bộ thôn Ba</h1>" in new.text
    unit_path = re.search(r'action="(/t/[^"]+/admin/units/[^/]+)/rename"', new.text).group(1)
    # rename, with the version the page showed
    renamed = client.post(
        f"{unit_path}/rename", data=form(new.text, name="Chi bộ thôn Ba Mới",
                                         expected_version=VERSION.findall(new.text)[0]),
        follow_redirects=True,
    )  # fmt: skip
    assert "<h1>Chi bộ thôn Ba Mới</h1>" in renamed.text
    # the same old version again: someone else changed it first
    stale = client.post(
        f"{unit_path}/rename", data=form(new.text, name="Tên khác",
                                         expected_version=VERSION.findall(new.text)[0]),
    )  # fmt: skip
    assert stale.status_code == 409
    assert "Người khác đã thay đổi dữ liệu này trước bạn" in stale.text
    # move: the new parent is picked from names
    choices = {name.split(" (")[0]: value for value, name in OPTION.findall(renamed.text) if value}
    assert "Đảng bộ các thôn xã Bình" in choices
    assert not any("xã An" in n for n in choices)  # not its own parent
    moved = client.post(
        f"{unit_path}/move",
        data=form(renamed.text, new_parent_id=choices["Đảng bộ các thôn xã Bình"],
                  moved_on="2025-01-02", expected_version=VERSION.findall(renamed.text)[0]),
        follow_redirects=True,
    )  # fmt: skip
    assert moved.status_code == 200, moved.text[:500]
    assert "Đảng bộ các thôn xã Bình" in moved.text.split("<main")[0]  # the breadcrumb
    assert "Chi bộ thôn Ba Mới" in names_under(app, UUID(choices["Đảng bộ các thôn xã Bình"]))
    # dissolve: a reason is needed, and is asked for beside the field
    no_reason = client.post(
        f"{unit_path}/dissolve",
        data=form(moved.text, dissolved_on="2025-06-30", reason="",
                  expected_version=VERSION.findall(moved.text)[-1]),
    )  # fmt: skip
    assert no_reason.status_code == 422
    assert 'id="dissolve-reason-loi"' in no_reason.text
    dissolved = client.post(
        f"{unit_path}/dissolve",
        data=form(moved.text, dissolved_on="2025-06-30", reason="Sáp nhập thôn",
                  expected_version=VERSION.findall(moved.text)[-1]),
        follow_redirects=True,
    )  # fmt: skip
    assert dissolved.status_code == 200, dissolved.text[:500]
    assert "Đã giải thể ngày 30/06/2025" in dissolved.text


def test_a_rule_refusal_is_shown_in_the_words_of_the_api(site):
    client, slug, cell, app = site
    sign_in(client, slug, "quantri")
    page = client.get(f"/t/{slug}/admin/units?unit_id={cell.tree.cell_a}")
    # a cell with members cannot be dissolved: the domain's rule, in its words
    refused = client.post(
        f"/t/{slug}/admin/units/{cell.tree.cell_a}/dissolve",
        data=form(page.text, dissolved_on="2025-06-30", reason="Thử",
                  expected_version=VERSION.findall(page.text)[-1]),
    )  # fmt: skip
    assert refused.status_code == 422, refused.status_code
    assert 'class="error-summary"' in refused.text
    assert app.repository.get(cell.tree.cell_a).dissolved_on is None


def test_a_secretary_reaches_none_of_the_org_tree_pages(site):
    client, slug, cell, _ = site
    sign_in(client, slug, "bithu")
    own = client.get(f"/t/{slug}/units/{cell.tree.cell_a}/members")
    assert own.status_code == 200
    assert client.get(f"/t/{slug}/admin/units").status_code == 403
    assert client.get(f"/t/{slug}/admin/units?unit_id={cell.tree.cell_a}").status_code == 403
    refused = client.post(
        f"/t/{slug}/admin/units/{cell.tree.cell_a}/rename",
        data={"csrf_token": csrf_of(own.text), "idempotency_key": "k1", "name": "Chi bộ đổi tên"},
    )
    assert refused.status_code == 403
