"""Page sessions: login through the API's own accounts, cookies, CSRF, scope, logout, headers."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from domain.user import Role
from services.app import create_app
from tests.e2e.web_helpers import build_cell, csrf_of, make_user, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(container, tenant, app) -> Any:
    cell = build_cell(app)
    make_user(app, "bithu", Role.SECRETARY, cell.tree.cell_a)
    make_user(app, "bithu_b", Role.SECRETARY, cell.tree.cell_b)
    with TestClient(create_app(container)) as client:
        yield client, tenant.slug, cell


@pytest.fixture
def secretary(site) -> Any:
    """The site with the secretary of cell A (``bithu``) signed in."""
    client, slug, _ = site
    assert sign_in(client, slug, "bithu").status_code == 303
    return site


def test_the_root_shows_the_login_form_without_a_session(site):
    client, slug, _ = site
    page = client.get(f"/?tinh={slug}")
    assert page.status_code == 200
    assert "Đăng nhập" in page.text
    assert 'name="csrf_token"' in page.text
    assert "chibo_csrf" in page.headers.get("set-cookie", "")


def test_login_sets_strict_httponly_cookies_and_lands_on_the_home(site):
    client, slug, cell = site
    response = sign_in(client, slug, "bithu")
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{slug}/"
    cookies = response.headers.get_list("set-cookie")
    session = [c for c in cookies if c.startswith(("chibo_at=", "chibo_rt="))]
    assert len(session) == 2
    for cookie in session:
        assert "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower()
    home = client.get(f"/t/{slug}/")
    assert home.status_code == 200
    assert "Chi bộ thôn Một" in home.text  # her cell, by name
    assert str(cell.tree.cell_a) not in home.text.split("<main")[1].split("href")[0]


def test_wrong_password_is_refused_in_the_words_of_the_api(site):
    client, slug, _ = site
    response = sign_in(client, slug, "bithu", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert 'class="error-summary"' in response.text
    assert client.get(f"/t/{slug}/").status_code == 401


def test_a_page_without_a_session_answers_401_with_the_login_form(site):
    client, slug, _ = site
    response = client.get(f"/t/{slug}/")
    assert response.status_code == 401
    assert 'action="/login"' in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_a_form_without_the_csrf_token_is_refused(secretary):
    client, slug, cell = secretary
    url = f"/t/{slug}/units/{cell.tree.cell_a}/meetings"
    form = {"kind": "regular", "period": "2025-03", "day": "2025-03-05", "time": "14:00"}
    refused = client.post(url, data={**form, "place": "Hội trường"})
    assert refused.status_code == 403
    assert "Biểu mẫu đã hết hạn" in refused.text
    wrong = client.post(url, data={**form, "place": "Hội trường", "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    page = client.get(f"/t/{slug}/units/{cell.tree.cell_a}/meetings/new")
    accepted = client.post(
        url,
        data={**form, "place": "Hội trường", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    assert accepted.headers["location"].startswith(f"/t/{slug}/meetings/")


def test_the_login_form_itself_needs_the_csrf_token(site):
    client, slug, _ = site
    response = client.post("/login", data={"tenant": slug, "username": "bithu", "password": "x"})
    assert response.status_code == 403


def test_a_secretary_cannot_open_a_sibling_cells_pages(secretary):
    client, slug, cell = secretary
    own = client.get(f"/t/{slug}/units/{cell.tree.cell_a}/members")
    assert own.status_code == 200
    assert cell.names[0] in own.text
    sibling = client.get(f"/t/{slug}/units/{cell.tree.cell_b}/members")
    assert sibling.status_code == 403
    assert "Chi bộ thôn Hai" not in sibling.text
    typed = client.get(f"/t/{slug}/units/{cell.tree.cell_b}/meetings/new")
    assert typed.status_code == 403


def test_the_session_cookie_is_not_accepted_by_the_json_api(secretary):
    client, slug, cell = secretary
    response = client.get(f"/api/v1/t/{slug}/units/{cell.tree.cell_a}")
    assert response.status_code == 401


def test_logout_ends_the_session_and_revokes_the_refresh_token(secretary):
    client, slug, _ = secretary
    refresh = client.cookies.get("chibo_rt")
    home = client.get(f"/t/{slug}/")
    response = client.post(
        f"/t/{slug}/logout", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get(f"/t/{slug}/").status_code == 401
    # The refresh token of that session no longer opens one, even if it was kept.
    client.cookies.set("chibo_rt", refresh)
    assert client.get(f"/t/{slug}/").status_code == 401


def test_an_expired_access_cookie_is_renewed_with_the_refresh_cookie(secretary):
    client, slug, _ = secretary
    client.cookies.set("chibo_at", "expired-or-garbage")
    response = client.get(f"/t/{slug}/")
    assert response.status_code == 200
    assert "chibo_at=" in "".join(response.headers.get_list("set-cookie"))


def test_pages_carry_a_content_security_policy_limited_to_the_app(site):
    client, slug, _ = site
    page = client.get(f"/?tinh={slug}")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "http" not in policy
    assert page.headers["x-frame-options"] == "DENY"


def test_next_after_login_stays_inside_the_province(site):
    client, slug, _ = site
    page = client.get(f"/?tinh={slug}")
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_of(page.text),
            "tenant": slug,
            "username": "bithu",
            "password": "đúng-mật-khẩu-2025",
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/t/{slug}/"
