"""The pages of the inspector, the auditor and the member, on the demo province, signed in
through the login form as a person would, and a scoped user kept out of a sibling's pages.

(Run with an HTTP client, not a browser: what is checked is what the server sends.)
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.user import account_id
from services.demo import DEMO_SLUG
from services.web.render import today
from tests.e2e.test_demo import fetch
from tests.e2e.web_helpers import sign_in

pytestmark = pytest.mark.e2e

LINK = re.compile(r'<a [^>]*?href="([^"]+)"[^>]*>([^<]+)</a>')


def signed_in(seeded: Any, username: str) -> TestClient[Any]:
    """The session's one client (its event loop owns the read pool), signed in afresh."""
    *_, logins, client, _ = seeded
    client.cookies.clear()
    client.headers.pop("authorization", None)
    answer = sign_in(client, DEMO_SLUG, username, logins.password)
    assert answer.status_code in (302, 303), answer.text
    return client


def follow(client: TestClient[Any], path: str) -> Any:
    page = client.get(path, follow_redirects=True)
    assert page.status_code == 200, (path, page.status_code, page.text[:500])
    return page


def links(html: str) -> dict[str, str]:
    return {text.strip(): href.replace("&amp;", "&") for href, text in LINK.findall(html)}


def test_the_inspector_drills_from_the_province_to_a_cell_filters_and_exports(seeded):
    client = signed_in(seeded, "kiemtra")
    home = follow(client, f"/t/{DEMO_SLUG}/")
    assert "Báo cáo theo cấp" in home.text or "Đảng bộ tỉnh Minh Sơn" in home.text
    assert "Đảng ủy xã Hợp Lý" in home.text  # the province's children, by name
    commune = follow(client, f"/t/{DEMO_SLUG}/level" + links(home.text)["Đảng ủy xã Hợp Lý"])
    assert "Đảng bộ các thôn xã Hợp Lý" in commune.text
    assert "Đảng bộ tỉnh Minh Sơn" in commune.text  # the breadcrumb
    assert "Đảng ủy xã Hợp Lý" in commune.text
    grassroots = follow(
        client, f"/t/{DEMO_SLUG}/level" + links(commune.text)["Đảng bộ các thôn xã Hợp Lý"]
    )
    cell_links = {t: h for t, h in links(grassroots.text).items() if h.endswith("/members")}
    assert len(cell_links) == 6
    name, href = sorted(cell_links.items())[0]
    cell = follow(client, href)
    assert name in cell.text
    kem = follow(
        client, f"/t/{DEMO_SLUG}/lists/cells_without_regular_meeting?kind=year&period=2026"
    )
    assert "Chi bộ không sinh hoạt thường kỳ" in kem.text
    everything = kem.text.count("<tr>")
    one = re.search(r"<td>(Chi bộ [^<]+)</td>", kem.text)
    assert one, "the list has rows"
    filtered = follow(
        client,
        f"/t/{DEMO_SLUG}/lists/cells_without_regular_meeting?kind=year&period=2026&q={one.group(1)}",
    )
    assert filtered.text.count("<tr>") <= everything
    assert one.group(1) in filtered.text
    export = links(filtered.text).get("Tải Excel (XLSX)")
    assert export
    book = client.get(export)
    assert book.status_code == 200, book.text[:300]
    assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(book.content)) as xlsx:
        # Shared or inline strings, as the writer chooses: the cell's name is in the book.
        text = "".join(xlsx.read(n).decode() for n in xlsx.namelist() if n.endswith(".xml"))
        assert one.group(1) in text
    petitions = follow(client, f"/t/{DEMO_SLUG}/petitions?overdue=true")
    assert "Quá hạn" in petitions.text


def test_a_page_about_the_province_names_it_once_in_its_title(seeded):
    client = signed_in(seeded, "kiemtra")
    for path, heading in (("/level", "Báo cáo theo cấp"), ("/petitions", "")):
        title = re.search(r"<title>([^<]*)</title>", follow(client, f"/t/{DEMO_SLUG}{path}").text)
        assert title, path
        assert title.group(1).count("Đảng bộ tỉnh Minh Sơn") == 1, title.group(1)
        assert title.group(1).startswith(heading)


def test_a_list_page_shows_days_months_and_codes_as_a_person_reads_them(seeded):
    """The meeting register: its month, day held, kind, timing and rating in Vietnamese, as the
    export writes them, never the API's codes (2026-03, 2026-03-05, regular, on_time, kem)."""
    client = signed_in(seeded, "kiemtra")
    register = follow(client, f"/t/{DEMO_SLUG}/lists/meetings?kind=year&period=2026")
    cells = re.findall(r"<td(?: class=\"num\")?>([^<]*)</td>", register.text)
    assert len(cells) > 50
    raw = {"regular", "thematic", "on_time", "late", "not_held", "tot", "kha", "kem"}
    assert not raw & set(cells), raw & set(cells)
    assert not [c for c in cells if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", c)]
    assert any(re.fullmatch(r"\d{2}/\d{2}/2026", c) for c in cells)  # the day held
    assert any(re.fullmatch(r"\d{2}/2026", c) for c in cells)  # the month
    assert {"thường kỳ", "đúng hạn"} <= set(cells)


def test_the_auditor_opens_the_trail_a_meetings_history_and_its_state_as_of_a_day(seeded, database):
    client = signed_in(seeded, "kiemtoan")
    trail = follow(client, f"/t/{DEMO_SLUG}/")
    assert "Nhật ký kiểm tra" in trail.text
    assert "Niêm phong" in trail.text
    assert "Lịch sử" in trail.text
    by_actor = follow(client, f"/t/{DEMO_SLUG}/audit?actor=system")
    assert "system" in by_actor.text
    schema = seeded[1].schema
    meeting = fetch(database, f'SELECT id FROM "{schema}".meetings WHERE closed LIMIT 1')[0]["id"]
    history = follow(client, f"/t/{DEMO_SLUG}/audit/aggregates/{meeting}")
    assert "Lịch sử bản ghi (Meeting)" in history.text
    assert history.text.count("<tr>") > 5  # scheduled, opened, attendance, …, closed
    day = today()
    as_of = follow(client, f"/t/{DEMO_SLUG}/audit/aggregates/{meeting}?as_of={day.isoformat()}")
    assert f"trạng thái ngày {day:%d/%m/%Y}" in as_of.text


def test_a_member_sees_her_meetings_and_her_turn(seeded):
    client = signed_in(seeded, "dangvien")
    page = follow(client, f"/t/{DEMO_SLUG}/")
    member = seeded[0].repository.get(account_id("dangvien"))
    assert member.display_name in page.text
    assert "Đến lượt đồng chí ở kỳ sinh hoạt thường kỳ tới" in page.text
    assert "Sinh hoạt thường kỳ" in page.text  # her cell's meetings this year
    assert "Kỳ sắp tới" in page.text  # this month's meeting is still to come


def test_a_user_scoped_to_one_cell_cannot_reach_a_sibling_cells_pages(seeded, database):
    app, tenant, *_ = seeded
    secretary = app.repository.get(account_id("bithu"))
    own = secretary.scope_unit_id
    sibling = fetch(
        database,
        f"SELECT id FROM \"{tenant.schema}\".org_units WHERE level = 'cell' AND id <> $1 LIMIT 1",
        own,
    )[0]["id"]
    client = signed_in(seeded, "bithu")
    assert follow(client, f"/t/{DEMO_SLUG}/units/{own}/members").status_code == 200
    other = fetch(
        database, f'SELECT id FROM "{tenant.schema}".meetings WHERE cell_id = $1 LIMIT 1', sibling
    )[0]["id"]
    for path in (f"/units/{sibling}/members", f"/units/{sibling}/admissions",
                 f"/meetings/{other}", f"/level?unit_id={sibling}", "/audit"):  # fmt: skip
        refused = client.get(f"/t/{DEMO_SLUG}{path}", follow_redirects=True)
        assert refused.status_code == 403, (path, refused.status_code)
        assert "Chi bộ" not in refused.text.split("<main")[-1][:0]  # no data of the sibling
    member = signed_in(seeded, "dangvien")
    for path in ("/level", f"/units/{sibling}/members", "/petitions", "/audit"):
        assert member.get(f"/t/{DEMO_SLUG}{path}").status_code == 403, path
