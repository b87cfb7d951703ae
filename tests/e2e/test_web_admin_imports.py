"""The administrator's import pages (issue 18): upload, the dry run's report with each problem's
row, confirm by the file's hash, progress; the exports as of a day; finding a member by party
card number within the account's scope. Through the pages as the signed-in user, on a real
PostgreSQL, with the sample files shipped in services/demo/samples."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.user import Role
from services.app import create_app
from services.imports import store
from services.imports.units import UnitIndex
from tests.e2e.web_helpers import csrf_of, make_user, sign_in

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).parents[2] / "services" / "demo" / "samples"
REPORT = re.compile(r"/t/[^/]+/admin/imports/([0-9a-f-]{36})$")


@pytest.fixture
def site(container, tenant, app) -> Any:
    make_user(app, "quantri", Role.TENANT_ADMIN, None)
    with TestClient(create_app(container)) as client:
        yield client, tenant.slug, app


def upload(client: Any, slug: str, kind: str, name: str, content: bytes) -> Any:
    page = client.get(f"/t/{slug}/admin/imports")
    assert page.status_code == 200, page.text[:300]
    return client.post(
        f"/t/{slug}/admin/imports",
        data={"csrf_token": csrf_of(page.text), "kind": kind},
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )


def checked(client: Any, slug: str, kind: str, name: str, content: bytes) -> tuple[str, str]:
    sent = upload(client, slug, kind, name, content)
    assert sent.status_code == 303, sent.text[:500]
    found = REPORT.search(sent.headers["location"])
    assert found
    return sent.headers["location"], found.group(1)


def by_card(client: Any, slug: str, number: str) -> Any:
    """The card search form posted as a browser would: the number in the body, with the token."""
    page = client.get(f"/t/{slug}/members/by-card")
    assert page.status_code == 200, page.text[:300]
    assert '<form method="post" action="/t/' + slug + '/members/by-card"' in page.text
    return client.post(
        f"/t/{slug}/members/by-card",
        data={"csrf_token": csrf_of(page.text), "number": number},
        follow_redirects=False,
    )


def confirm(client: Any, report: str) -> Any:
    page = client.get(report)
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page.text)
    assert sha, page.text[:1000]
    return client.post(
        f"{report}/confirm",
        data={"csrf_token": csrf_of(page.text), "sha256": sha.group(1)},
        follow_redirects=False,
    )


def done(client: Any, report: str) -> str:
    for _ in range(240):  # the import runs in the server's background: follow its progress
        page = client.get(report)
        if "Đã nhập xong" in page.text or "Nhập không thành công" in page.text:
            return str(page.text)
        time.sleep(0.5)
    raise AssertionError("the import did not finish")


def test_upload_report_confirm_and_progress_of_the_samples(site):
    client, slug, app = site
    assert sign_in(client, slug, "quantri").status_code == 303
    planted = (SAMPLES / "cay-to-chuc.csv").read_text("utf-8-sig") + (
        "TN.X,Chi bộ lạc,Chi bộ,KHONG.CO,01/07/2025\n"
    )
    report, _ = checked(client, slug, "tree", "cay-loi.csv", planted.encode())
    page = client.get(report).text
    assert "Lỗi" in page
    assert '<td class="num">11</td><td>Mã tổ chức cấp trên</td>' in page  # its row, its column
    assert 'name="sha256"' not in page  # nothing to confirm: the file has an error
    assert UnitIndex.load(app).units == {}

    tree = (SAMPLES / "cay-to-chuc.csv").read_bytes()
    report, _ = checked(client, slug, "tree", "cay-to-chuc.csv", tree)
    assert "Đã kiểm tra (chạy thử), chưa nhập" in client.get(report).text
    assert UnitIndex.load(app).units == {}  # the dry run wrote nothing
    answer = confirm(client, report)
    assert answer.status_code == 303, answer.text[:500]
    finished = done(client, report)
    assert "Đã nhập xong" in finished
    assert "9/9 dòng (100%)" in finished
    assert UnitIndex.load(app).find("TN.001.01.1") is not None

    members = (SAMPLES / "dang-vien.xlsx").read_bytes()
    report, import_id = checked(client, slug, "members", "dang-vien.xlsx", members)
    assert "XLSX" in client.get(report).text
    assert confirm(client, report).status_code == 303
    assert "120/120 dòng (100%)" in done(client, report)
    position = app.log_position
    # A second click on the same confirmation (its page was still open) writes nothing more.
    again = client.post(
        f"{report}/confirm",
        data={"csrf_token": csrf_of(client.get(report).text), "sha256": "0" * 64},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert app.log_position == position
    listing = client.get(f"/t/{slug}/admin/imports").text
    assert "dang-vien.xlsx" in listing
    assert "cay-loi.csv" in listing

    # A server stopped part-way through an import (its record says running, no task runs it
    # here): its page shows the rows done, asks for itself every 2 seconds, and offers to
    # complete it; completing writes nothing twice.
    report, import_id = checked(
        client, slug, "members", "dang-vien.csv", (SAMPLES / "dang-vien.csv").read_bytes()
    )
    store.mark(app, import_id, "running")
    store.progress(app, import_id, 30)
    running = client.get(report).text
    assert "30/120 dòng (25%)" in running
    assert 'hx-trigger="every 2s"' in running
    assert "xác nhận lại để nhập tiếp" in running
    assert confirm(client, report).status_code == 303
    assert "120/120 dòng (100%)" in done(client, report)
    assert app.log_position == position


def test_a_wrong_hash_is_refused_beside_the_button(site):
    client, slug, app = site
    assert sign_in(client, slug, "quantri").status_code == 303
    report, _ = checked(client, slug, "tree", "cay.csv", (SAMPLES / "cay-to-chuc.csv").read_bytes())
    page = client.get(report)
    refused = client.post(
        f"{report}/confirm",
        data={"csrf_token": csrf_of(page.text), "sha256": "0" * 64},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "Mã băm xác nhận không khớp tệp" in refused.text
    assert UnitIndex.load(app).units == {}


def test_exports_as_of_a_day_and_a_member_found_by_card_number(site):
    from bench.import_files import TODAY
    from domain.base import Actor
    from services.imports import service

    client, slug, app = site
    admin = Actor("admin", "tenant_admin", "req")
    for kind, name in (("tree", "cay-to-chuc.csv"), ("members", "dang-vien.csv")):
        data = (SAMPLES / name).read_bytes()
        _, report = service.check(app, kind, data, name, admin, TODAY)
        service.run(app, kind, data, name, report.sha256, admin, TODAY)
    index = UnitIndex.load(app)
    other_cell = next(u for u in index.units.values()
                      if u.level.holds_meetings and u.code != "TN.001.01.1")  # fmt: skip
    make_user(app, "bithu", Role.SECRETARY, other_cell.id)

    assert sign_in(client, slug, "quantri").status_code == 303
    exported = client.get(f"/t/{slug}/admin/exports/tree?on=2026-10-15&format=csv")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    assert exported.content.decode("utf-8-sig").splitlines()[1].startswith("TN,")
    before = client.get(f"/t/{slug}/admin/exports/tree?on=2025-06-30&format=csv")
    assert len(before.content.decode("utf-8-sig").splitlines()) == 2  # only the province then

    found = by_card(client, slug, "tn00000001")  # any case, as typed
    assert found.status_code == 200, found.text[:500]
    assert '<h2 id="h-ket-qua">Nguyễn Tiến Dũng</h2>' in found.text
    assert "Chi bộ thôn Vọng Sơn 1" in found.text
    missing = by_card(client, slug, "TN99999999")
    assert missing.status_code == 404
    assert "Không có đảng viên nào mang số thẻ TN99999999" in missing.text
    # the number never rides in the URL: an old ?number= link shows only the form, and a post
    # without the form's token (another site's form) is refused before any look-up
    old_link = client.get(f"/t/{slug}/members/by-card?number=TN00000001")
    assert old_link.status_code == 200
    assert "Nguyễn Tiến Dũng" not in old_link.text
    forged = client.post(f"/t/{slug}/members/by-card", data={"number": "TN00000001"})
    assert forged.status_code == 403
    assert "Nguyễn Tiến Dũng" not in forged.text

    client.cookies.clear()
    assert sign_in(client, slug, "bithu").status_code == 303
    outside = by_card(client, slug, "TN00000001")
    assert outside.status_code == 403
    assert "không thuộc phạm vi tài khoản của bạn" in outside.text
    assert "Nguyễn Tiến Dũng" not in outside.text
    assert client.get(f"/t/{slug}/admin/imports").status_code == 403  # the administrator's only
