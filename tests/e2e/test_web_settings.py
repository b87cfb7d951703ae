"""The province settings page: the rules in force on a day; the administrator changes them
from a day (only what differs is sent), the API's refusal beside the form; a secretary has
no link, and the page and her post are refused as the API refuses her."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from domain.user import Role
from services.app import create_app
from tests.e2e.web_helpers import KEY, build_cell, csrf_of, make_user, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(container, tenant, app):
    cell = build_cell(app)
    make_user(app, "quantri", Role.TENANT_ADMIN, None)
    make_user(app, "bithu", Role.SECRETARY, cell.tree.cell_a)
    with TestClient(create_app(container)) as client:
        yield client, tenant.slug


def form_values(html: str) -> dict[str, str]:
    """Every input of the change form with the value shown (today's settings)."""
    form = html.split('action="/t/')[-1]
    return dict(re.findall(r'name="([a-z_.]+)"[^>]*value="([^"]*)"', form))


def send(client, slug, page, **changes):
    values = {**form_values(page), **changes}
    values["csrf_token"] = csrf_of(page)
    values["idempotency_key"] = KEY.search(page).group(1)
    return client.post(f"/t/{slug}/admin/settings/change", data=values, follow_redirects=True)


def test_the_administrator_changes_the_rules_from_a_day(site):
    client, slug = site
    sign_in(client, slug, "quantri")
    page = client.get(f"/t/{slug}/admin/settings?on=2026-01-01")
    assert page.status_code == 200
    assert "mặc định, chưa thay đổi lần nào" in page.text
    assert 'href="/t/' + slug + '/admin/settings"' in page.text  # the navigation's link
    same = send(client, slug, page.text, effective_on="2026-01-01")
    assert same.status_code == 422
    assert "Không có giá trị nào khác" in same.text
    wrong = send(client, slug, page.text, effective_on="2026-01-01", **{"quality.fair": "95"})
    assert wrong.status_code == 422  # Khá above Tốt: the domain's words
    assert 'class="error-message"' in wrong.text or "error-summary" in wrong.text
    # the form shown again after a refusal carries a fresh key: the next send is a new request
    not_a_day = send(client, slug, page.text, effective_on="2026-13-01", **{"quality.fair": "70"})
    assert not_a_day.status_code == 422
    assert 'id="settings-effective_on-loi"><span class="skip">Lỗi: </span>Ngày không hợp lệ' in (
        not_a_day.text
    )
    done = send(client, slug, wrong.text, effective_on="01/01/2026", rotation_turns_per_meeting="2",
                **{"quality.fair": "70"})  # fmt: skip
    assert done.status_code == 200, re.findall(r"Lỗi: </span>([^<]*)", done.text)
    assert "Áp dụng từ ngày 01/01/2026" in done.text
    assert re.search(r"Số đảng viên tự phê bình mỗi kỳ</td><td class=\"num\">2<", done.text)
    before = client.get(f"/t/{slug}/admin/settings?on=31/12/2025")  # the filter, typed dd/mm
    assert 'name="on" type="text" value="31/12/2025"' in before.text
    assert re.search(r"Số đảng viên tự phê bình mỗi kỳ</td><td class=\"num\">1<", before.text)


def test_a_secretary_reads_them_but_cannot_change_them(site):
    # GET …/settings is the province's rules, the same for every account (province_rules): a
    # secretary scoped to her cell reads what her meetings are judged by, without the form.
    client, slug = site
    sign_in(client, slug, "quantri")
    admin_page = client.get(f"/t/{slug}/admin/settings").text
    assert 'action="/t/' + slug + '/admin/settings/change"' in admin_page
    client.cookies.clear()
    sign_in(client, slug, "bithu")
    home = client.get(f"/t/{slug}/")
    page = client.get(f"/t/{slug}/admin/settings")
    assert page.status_code == 200
    assert "/admin/settings/change" not in page.text
    values = {**form_values(admin_page), "csrf_token": csrf_of(home.text)}
    refused = client.post(f"/t/{slug}/admin/settings/change", data=values)
    assert refused.status_code == 403
