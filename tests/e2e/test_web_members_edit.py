"""Enrolling a member and recording her party card through the pages, as the administrator
and as the cell's secretary; refusals beside the field; a reader sees no form and is refused."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from domain.user import Role
from projections import engine
from projections.registry import all_projections
from services.app import create_app
from tests.e2e.web_helpers import KEY, build_cell, csrf_of, make_user, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def pages(container, tenant, app, database):
    cell = build_cell(app)
    make_user(app, "bithu", Role.SECRETARY, cell.tree.cell_a)
    make_user(app, "quantri", Role.TENANT_ADMIN, None)
    make_user(app, "kiemtra", Role.INSPECTOR, cell.tree.root)
    # the org tree page reads the units collection (read side): bring it up to date once
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    with TestClient(create_app(container)) as client:
        yield client, tenant.slug, cell


def post(client, path, form, **fields):
    data = {"csrf_token": csrf_of(form), "idempotency_key": KEY.search(form).group(1), **fields}
    return client.post(path, data=data, follow_redirects=True)


ENROL = {
    "full_name": "Trần Thị Hoa",
    "birth_date": "1990-04-02",
    "gender": "nu",
    "status": "probationary",
    "admitted_on": "2025-09-02",
    "joined_cell_on": "2025-09-02",
}


def test_the_secretary_enrols_a_member_and_records_her_card(pages, app):
    client, slug, cell = pages
    assert sign_in(client, slug, "bithu").status_code in (302, 303)
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members"
    listing = client.get(base)
    assert f'href="{base}/new"' in listing.text
    form = client.get(f"{base}/new")
    assert form.status_code == 200
    missing = post(client, base, form.text, **{**ENROL, "full_name": ""})
    assert missing.status_code == 422
    assert "Nhập họ và tên" in missing.text
    refused = post(client, base, form.text, **{**ENROL, "status": "official"})
    assert refused.status_code == 422
    assert "nhập ngày chính thức" in refused.text
    bad_day = post(client, base, form.text, **{**ENROL, "birth_date": "02/13/1990"})
    assert bad_day.status_code == 422  # month first, as Chromium's date field would have it
    assert (
        'id="enrol-birth_date-loi"><span class="skip">Lỗi: </span>Ngày không hợp lệ' in bad_day.text
    )
    done = post(client, base, form.text, **{**ENROL, "birth_date": "02/04/1990"})
    assert done.status_code == 200, done.text[:500]
    assert "Trần Thị Hoa" in done.text  # back on the list, the new member in it
    again = post(client, base, form.text, **ENROL)  # the same form sent twice: recorded once
    assert again.text.count("Trần Thị Hoa") == done.text.count("Trần Thị Hoa")
    edit = re.search(rf'href="({base}/[0-9a-f-]+/edit)">Trần Thị Hoa', done.text)
    assert edit, "the member's name links to her page"
    page = client.get(edit.group(1))
    assert "Chưa ghi" in page.text
    action = edit.group(1).replace("/edit", "/party-card")
    recorded = post(client, action, page.text, number="12345678", expected_version="")
    assert recorded.status_code == 200, recorded.text[:500]
    assert "12345678" in recorded.text
    # replacing a recorded number without a reason: the API's words beside the field
    changed = post(client, action, recorded.text, number="87654321")
    assert changed.status_code in (409, 422)
    assert 'class="error-message"' in changed.text


def test_the_administrator_reaches_the_form_from_the_org_tree(pages):
    client, slug, cell = pages
    sign_in(client, slug, "quantri")
    tree = client.get(f"/t/{slug}/admin/units?unit_id={cell.tree.cell_a}")
    assert f'href="/t/{slug}/units/{cell.tree.cell_a}/members"' in tree.text
    assert client.get(f"/t/{slug}/units/{cell.tree.cell_a}/members/new").status_code == 200


def test_a_reader_sees_no_form_and_is_refused_it(pages):
    client, slug, cell = pages
    sign_in(client, slug, "kiemtra")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members"
    listing = client.get(base)
    assert listing.status_code == 200
    assert "/members/new" not in listing.text
    assert "/edit" not in listing.text
    assert client.get(f"{base}/new").status_code == 403
    assert client.get(f"{base}/{cell.members[0]}/edit").status_code == 403
