"""The province administrator's users and roles pages: accounts listed with their scope by
name, an account opened and a role granted with the scope and member given by name (never an
id), ambiguous names said beside the field, and nobody but the administrator let in.
"""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from domain.user import Role, account_id
from tests.e2e.test_web_admin_units import form, site  # noqa: F401 (a fixture)
from tests.e2e.web_helpers import sign_in

pytestmark = pytest.mark.e2e


def test_the_administrator_opens_an_account_and_grants_a_role_by_names(site):  # noqa: F811
    client, slug, cell, app = site
    sign_in(client, slug, "quantri")
    listed = client.get(f"/t/{slug}/admin/users")
    assert listed.status_code == 200, listed.text[:300]
    assert "<td>Chi bộ thôn Một</td>" in listed.text  # bithu's scope, by name
    assert str(cell.tree.cell_a) not in listed.text
    # a name that matches two cells is said beside the field; the password is not sent back
    ambiguous = client.post(
        f"/t/{slug}/admin/users",
        data=form(listed.text, username="bithu2", display_name="Trần Thị Hai",
                  password="mat-khau-dai-du-manh-1", role="secretary", scope_name="Chi bộ thôn"),
    )  # fmt: skip
    assert ambiguous.status_code == 422
    assert 'id="create-scope_name-loi"' in ambiguous.text
    assert "Có 2 tổ chức khớp “Chi bộ thôn”" in ambiguous.text
    assert "mat-khau-dai-du-manh-1" not in ambiguous.text
    opened = client.post(
        f"/t/{slug}/admin/users",
        data=form(listed.text, username="bithu2", display_name="Trần Thị Hai",
                  password="mat-khau-dai-du-manh-1", role="secretary", scope_name="Chi bộ thôn Hai"),
        follow_redirects=True,
    )  # fmt: skip
    assert opened.status_code == 200, opened.text[:500]
    assert "<h1>Trần Thị Hai</h1>" in opened.text
    assert "<dd>Chi bộ thôn Hai</dd>" in opened.text
    account = app.repository.get(account_id("bithu2"))
    assert account.scope_unit_id == cell.tree.cell_b
    # the new account signs in
    other = TestClient(client.app)
    with other:
        assert sign_in(other, slug, "bithu2", "mat-khau-dai-du-manh-1").status_code == 303
    # grant: a member's account, linked to her record by name
    granted = client.post(
        f"{opened.url.path}/role",
        data=form(opened.text, role="member", scope_name="Chi bộ thôn Một",
                  member_name="Nguyễn Văn An 1"),
        follow_redirects=True,
    )  # fmt: skip
    assert granted.status_code == 200, granted.text[:500]
    account = app.repository.get(account_id("bithu2"))
    assert account.role == Role.MEMBER
    assert account.scope_unit_id == cell.tree.cell_a
    assert account.member_id == cell.members[0]
    assert "<dd>Nguyễn Văn An 1</dd>" in granted.text
    # a member's account needs her record
    unlinked = client.post(
        f"{opened.url.path}/role",
        data=form(granted.text, role="member", scope_name="Chi bộ thôn Một"),
    )
    assert unlinked.status_code == 422
    assert 'id="grant-member_name-loi"' in unlinked.text


def test_only_the_administrator_reaches_the_users_pages(site):  # noqa: F811
    client, slug, _cell, app = site
    sign_in(client, slug, "bithu")
    user = account_id("quantri")
    assert client.get(f"/t/{slug}/admin/users").status_code == 403
    assert client.get(f"/t/{slug}/admin/users/{user}").status_code == 403
    own = client.get(f"/t/{slug}/")
    refused = client.post(
        f"/t/{slug}/admin/users/{user}/role",
        data={"csrf_token": own.text.split('name="csrf_token" value="')[1].split('"')[0],
              "idempotency_key": "k-1", "role": "member"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert app.repository.get(user).role == Role.TENANT_ADMIN
