"""The auditor's pages on the demo province, signed in through the login form: a seal
downloaded from the page with the session, the subtree picked by a unit's name, and the state
of a record asked for a day before it existed.

(Run with an HTTP client, not a browser: what is checked is what the server sends.)
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain.base import SYSTEM, Actor
from domain.user import Role, UserAccount
from infra.audit.keys import key_store_for
from infra.audit.seals import SEALS_TABLE, create_seal
from projections import engine
from projections.audit_trail import AUDIT_TRAIL
from services.demo import DEMO_SLUG
from tests.e2e.test_demo import fetch
from tests.e2e.test_web_roles import follow, links, signed_in
from tests.e2e.web_helpers import make_user, sign_in

pytestmark = pytest.mark.e2e

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TAG = re.compile(r"<[^>]+>")
ROW_NUMBER = re.compile(r'<tr><td class="num">(\d+)</td>')


def visible(html: str) -> str:
    """The page's text as read on screen: tags (and the ids inside their attributes) removed."""
    return TAG.sub(" ", html.split("<main", 1)[-1])


def trail_rows(html: str) -> list[int]:
    return [int(n) for n in ROW_NUMBER.findall(html)]


def test_the_auditor_downloads_a_seal_from_the_page_with_her_session(seeded, database):
    app, tenant, _, _, container = seeded
    with app.database.connect() as conn:
        seal = create_seal(conn, tenant.schema, key_store_for(container.settings.data_dir))
    assert seal is not None
    client = signed_in(seeded, "kiemtoan")
    trail = follow(client, f"/t/{DEMO_SLUG}/audit")
    href = links(trail.text)["tải về"]
    assert not href.startswith("/api/"), href  # the JSON API takes no session cookie
    answer = client.get(href)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-disposition"].startswith("attachment")
    stored = fetch(
        database,
        f'SELECT document FROM "{tenant.schema}".{SEALS_TABLE} ORDER BY seq DESC LIMIT 1',
    )[0]["document"]
    assert answer.content == stored.encode()  # byte for byte the signed document
    # the same policy as the API's: a member's session is refused the seal
    member = signed_in(seeded, "dangvien")
    assert member.get(href).status_code == 403


def test_the_trail_is_filtered_by_a_units_name_never_by_a_typed_id(seeded, database):
    _, tenant, *_ = seeded
    client = signed_in(seeded, "kiemtoan")
    everything = follow(client, f"/t/{DEMO_SLUG}/audit")
    assert not re.search(r'<input[^>]*name="unit_id"', everything.text)
    assert '<select id="unit_id" name="unit_id">' in everything.text
    assert ">— Đảng ủy xã Hợp Lý</option>" in everything.text
    assert not UUID_TEXT.search(visible(everything.text))
    # by name, typed: one unit matches, the trail keeps to its subtree
    by_name = follow(client, f"/t/{DEMO_SLUG}/audit?unit_q=Đảng ủy xã Hợp Lý")
    assert "Đang xem nhật ký của <strong>Đảng ủy xã Hợp Lý</strong>" in by_name.text
    commune = fetch(
        database,
        f"SELECT id FROM \"{tenant.schema}\".org_units WHERE name = 'Đảng ủy xã Hợp Lý'",
    )[0]["id"]
    by_list = follow(client, f"/t/{DEMO_SLUG}/audit?unit_id={commune}")
    assert f'<option value="{commune}" selected>' in by_list.text
    assert trail_rows(by_name.text) == trail_rows(by_list.text)
    assert trail_rows(by_list.text)
    assert trail_rows(by_list.text) != trail_rows(everything.text)
    # a name matching several units offers them by name, to choose one
    several = follow(client, f"/t/{DEMO_SLUG}/audit?unit_q=Hợp Lý")
    offered = [t for t, h in links(several.text).items() if "unit_id=" in h]
    assert "Đảng ủy xã Hợp Lý" in offered
    assert len(offered) > 1
    assert not UUID_TEXT.search(visible(several.text))
    # a name matching none is said beside the field, in Vietnamese
    none = follow(client, f"/t/{DEMO_SLUG}/audit?unit_q=Không có tên này")
    assert 'id="unit_q-error"' in none.text
    assert "Không có tổ chức nào tên “Không có tên này”" in none.text


def test_the_state_as_of_a_day_before_the_record_existed_is_a_message_not_an_error(
    seeded, database
):
    _, tenant, *_ = seeded
    client = signed_in(seeded, "kiemtoan")
    meeting = fetch(database, f'SELECT id FROM "{tenant.schema}".meetings WHERE closed LIMIT 1')[0]
    first = fetch(
        database,
        f'SELECT min(occurred_at) AS at FROM "{tenant.schema}".audit_trail WHERE aggregate_id = $1',
        meeting["id"],
    )[0]["at"]
    before = (first - timedelta(days=3)).date()
    page = client.get(f"/t/{DEMO_SLUG}/audit/aggregates/{meeting['id']}?as_of={before}")
    assert page.status_code == 200, (page.status_code, page.text[:500])
    assert f"Bản ghi chưa tồn tại vào ngày {before:%d/%m/%Y}" in page.text
    assert 'id="as_of-error"' in page.text
    assert "Lịch sử bản ghi (Meeting)" in page.text
    assert page.text.count("<tr>") > 5  # the history is still shown
    # a day typed dd/mm/yyyy is read as one; a malformed day is the API's refusal in words,
    # beside the same field
    typed = client.get(f"/t/{DEMO_SLUG}/audit/aggregates/{meeting['id']}?as_of={before:%d/%m/%Y}")
    assert f"Bản ghi chưa tồn tại vào ngày {before:%d/%m/%Y}" in typed.text
    wrong = client.get(f"/t/{DEMO_SLUG}/audit/aggregates/{meeting['id']}?as_of=31-02-2025")
    assert wrong.status_code == 200, wrong.status_code
    assert "as_of phải là ngày" in wrong.text


def test_a_scoped_inspector_opens_the_history_of_records_in_her_subtree_only(seeded, database):
    """The demo's inspector is scoped to the province root: every record is inside it, and the
    trail links their histories. One scoped to a cell opens her cell's meeting and is refused
    a meeting of another cell; her trail offers only the histories she may open."""
    app, tenant, *_ = seeded
    client = signed_in(seeded, "kiemtra")
    trail = follow(client, f"/t/{DEMO_SLUG}/audit")
    href = re.search(r'href="(/t/[^"]+/audit/aggregates/[^"]+)">Lịch sử<', trail.text)
    assert href is not None, "the root-scoped inspector is offered no record's history"
    assert "Lịch sử bản ghi" in follow(client, href.group(1)).text

    query = f'SELECT id, cell_id FROM "{tenant.schema}".meetings ORDER BY id'
    meetings = fetch(database, query)
    own = meetings[0]
    other = next(m for m in meetings if m["cell_id"] != own["cell_id"])
    make_user(app, "kiemtra_chibo", Role.INSPECTOR, own["cell_id"])
    *_, web, _ = seeded
    web.cookies.clear()
    assert sign_in(web, DEMO_SLUG, "kiemtra_chibo").status_code in (302, 303)
    mine = follow(web, f"/t/{DEMO_SLUG}/audit/aggregates/{own['id']}")
    assert "Lịch sử bản ghi (Meeting)" in mine.text
    assert web.get(f"/t/{DEMO_SLUG}/audit/aggregates/{other['id']}").status_code == 403
    # her own trail links only what she may open
    for link in re.findall(
        r'href="(/t/[^"]+/audit/aggregates/[^"]+)"', follow(web, f"/t/{DEMO_SLUG}/audit").text
    ):
        assert web.get(link).status_code == 200, link


def test_the_trail_page_names_who_acted_by_full_name_and_role(seeded, database):
    """Issue 12 §5: the account's holder and role, never the account's id."""
    app, tenant, *_ = seeded
    account = UserAccount.open(
        "nhatky.thu", "Phạm Thị Nhật Ký", Role.TENANT_ADMIN, None, None, SYSTEM
    )
    app.save_all(account)
    account.password_changed(Actor(str(account.id), "tenant_admin", "req-nhatky"))
    app.save_all(account)
    assert engine.catch_up(database, tenant.schema, AUDIT_TRAIL).error is None
    client = signed_in(seeded, "kiemtoan")
    page = follow(client, f"/t/{DEMO_SLUG}/audit?actor=Phạm Thị Nhật Ký")
    shown = visible(page.text)
    assert len(trail_rows(page.text)) == 1
    assert "Phạm Thị Nhật Ký (quản trị tỉnh)" in shown
    assert "Đ/c Phạm Thị Nhật Ký (quản trị tỉnh) đổi mật khẩu tài khoản" in shown
    assert str(account.id) not in shown
