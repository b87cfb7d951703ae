"""The meeting papers page: the secretary uploads through the form, a member downloads.

Signed in through the login form; the upload goes page → API as the user with the form's
Idempotency-Key, so a resent form posts nothing twice; a renamed executable is refused with
the API's Vietnamese message beside the form; a member's download is recorded as a read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient

from domain.base import SYSTEM
from domain.user import Role
from services.app import create_app
from services.identity import auth
from tests.e2e.auth_helpers import bearer, token
from tests.e2e.test_meeting_papers_api import PDF
from tests.e2e.web_helpers import KEY, PASSWORD, build_cell, csrf_of, make_user, sign_in

pytestmark = pytest.mark.e2e

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(600)


def test_papers_page_upload_and_download(container, tenant, app):
    cell = build_cell(app, 3, 0)
    make_user(app, "bithu", Role.SECRETARY, cell.tree.cell_a)
    auth.create_user(
        app, SYSTEM, username="dangvien", password=PASSWORD, role=Role.MEMBER,
        scope_unit_id=cell.tree.cell_a, member_id=cell.members[1], display_name="Đảng viên",
    )  # fmt: skip
    at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    with TestClient(create_app(container)) as client:
        admin = bearer(token(container, tenant.slug, Role.TENANT_ADMIN))
        scheduled = client.post(
            f"/api/v1/t/{tenant.slug}/meetings",
            json={
                "cell_id": str(cell.tree.cell_a), "kind": "regular", "year": at.year,
                "month": at.month, "scheduled_at": at.isoformat(), "place": "Hội trường",
                "agenda": ["Báo cáo tháng"],
            },
            headers=admin,
        )  # fmt: skip
        assert scheduled.status_code == 201, scheduled.text
        meeting = scheduled.json()["id"]
        page_url = f"/t/{tenant.slug}/meetings/{meeting}/papers"

        sign_in(client, tenant.slug, "bithu")
        page = client.get(page_url)
        assert page.status_code == 200, page.text
        assert "Chưa có tài liệu nào." in page.text
        assert 'enctype="multipart/form-data"' in page.text
        form = {
            "csrf_token": csrf_of(page.text),
            "idempotency_key": KEY.search(page.text).group(1),
            "kind": "report",
            "title": "Báo cáo tháng",
        }
        files = {"file": ("bao-cao-thang.pdf", PDF, "application/pdf")}
        posted = client.post(page_url, data=form, files=files, follow_redirects=True)
        assert posted.status_code == 200, posted.text
        assert "Báo cáo tháng</a>" in posted.text
        assert "bao-cao-thang.pdf" in posted.text
        assert "Đúng hạn" in posted.text
        # The same form sent again (a double click, a retry): one paper, not two.
        again = client.post(page_url, data=form, files=files, follow_redirects=True)
        assert again.status_code == 200
        listed = client.get(f"/api/v1/t/{tenant.slug}/meetings/{meeting}/papers", headers=admin)
        assert len(listed.json()["papers"]) == 1
        paper_id = listed.json()["papers"][0]["paper_id"]

        refused = client.post(
            page_url,
            data={**form, "idempotency_key": "khac-1", "title": "Chương trình"},
            files={"file": ("chuong-trinh.pdf", EXE, "application/pdf")},
        )
        assert refused.status_code in (400, 415, 422), refused.text
        assert 'role="alert"' in refused.text
        assert "tệp" in refused.text.lower()

        sign_in(client, tenant.slug, "dangvien")
        page = client.get(page_url)
        assert page.status_code == 200
        assert 'enctype="multipart/form-data"' not in page.text  # a reader: no form
        got = client.get(f"{page_url}/{paper_id}/file")
        assert got.status_code == 200
        assert got.content == PDF
        assert "attachment" in got.headers["content-disposition"]
        assert "1/3 đảng viên đã mở" in client.get(page_url).text
        assert client.post(page_url, data=form, files=files).status_code == 403
