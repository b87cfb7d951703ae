"""A member's lifecycle through the pages (sinh hoạt đảng): temporary transfer and its end,
exemption and its end, special duty (armed forces) and its end, a move to another cell, leaving the roll; refusals beside the field in
the API's words, a stale version, a double submit recorded once; a secretary of a sibling cell
neither sees nor sends the forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain.member import Member
from domain.user import Role
from projections import engine
from projections.registry import all_projections
from services.web.render import today
from tests.e2e.test_web_members_edit import pages as edit_pages  # noqa: F401  (a fixture)
from tests.e2e.web_helpers import KEY, csrf_of, make_user, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def pages(edit_pages, app):  # noqa: F811  (the imported fixture, by name)
    """The members-edit pages' province (its secretary, administrator and inspector), and the
    secretary of the sibling cell."""
    _, _, cell = edit_pages
    make_user(app, "bithuhai", Role.SECRETARY, cell.tree.cell_b)
    return edit_pages


INPUT = re.compile(r'<input id="[^"]*" name="([^"]+)" type="(?:text|date)" value="([^"]*)"')


def send(client, page, action, **fields):
    """The form on ``page`` posting to ``action`` as a person sends it: its CSRF token, key,
    version and prefilled values (a date defaults to today), with ``fields`` typed in."""
    html = page if isinstance(page, str) else page.text
    start = html.index(f'action="{action}"')
    form = html[start : html.index("</form>", start)]
    version = form.split('name="expected_version" value="')[1].split('"')[0]
    data = {
        "csrf_token": csrf_of(html),
        "idempotency_key": KEY.search(form).group(1),
        "expected_version": version,
        **dict(INPUT.findall(form)),
        **fields,
    }
    return client.post(action, data=data, follow_redirects=True)


def beside(page, field_id: str, words: str) -> bool:
    """The message is shown next to the field (its error span), not only in the summary."""
    return f'id="{field_id}-loi"><span class="skip">Lỗi: </span>{words}' in page.text


def test_the_administrator_transfers_temporarily_and_back(pages, database, tenant):
    client, slug, cell = pages
    sign_in(client, slug, "quantri")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[0]}"
    record = client.get(f"{base}/edit")
    assert f'href="{base}/lifecycle"' in record.text
    page = client.get(f"{base}/lifecycle")
    assert page.status_code == 200
    assert '<label for="temp-host_name">' in page.text
    assert f"{base}/temporary-transfer/end" not in page.text  # not away: nothing to end
    own = send(client, page, f"{base}/temporary-transfer", host_name="Chi bộ thôn Một")
    assert own.status_code == 422
    assert beside(
        own, "temp-host_name", "Chi bộ nơi sinh hoạt tạm thời phải khác chi bộ chính thức"
    )
    away = send(client, own, f"{base}/temporary-transfer", host_name="Chi bộ thôn Hai")
    assert away.status_code == 200, away.text[:800]
    assert "Đang sinh hoạt tạm thời" in away.text
    assert f'action="{base}/temporary-transfer"' not in away.text
    # once the read side has it, the page names the host and fills it in for the return
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    away = client.get(f"{base}/lifecycle")
    assert "Đang sinh hoạt tạm thời ở Chi bộ thôn Hai" in away.text
    assert 'name="host_name" type="text" value="Chi bộ thôn Hai"' in away.text
    back = send(client, away, f"{base}/temporary-transfer/end")
    assert back.status_code == 200, back.text[:800]
    assert "Sinh hoạt tại chi bộ" in back.text


def test_the_secretary_exempts_and_ends_it_once_and_meets_the_rules(pages, app):
    client, slug, cell = pages
    sign_in(client, slug, "bithu")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[1]}"
    page = client.get(f"{base}/lifecycle")
    assert page.status_code == 200
    start = today()
    wrong = send(
        client, page, f"{base}/exempt",
        start=start.isoformat(), end=(start - timedelta(days=1)).isoformat(), reason="Tuổi cao",
    )  # fmt: skip
    assert wrong.status_code == 422
    assert beside(wrong, "exempt-end", "Ngày kết thúc phải sau ngày bắt đầu")
    missing = send(client, wrong, f"{base}/exempt", end="", reason="")
    assert beside(missing, "exempt-reason", "Nhập lý do miễn sinh hoạt")
    done = send(client, missing, f"{base}/exempt", start=start.isoformat(), reason="Tuổi cao")
    assert done.status_code == 200, done.text[:800]
    assert "Được miễn sinh hoạt" in done.text
    version = app.repository.get(cell.members[1]).version
    # the same form sent again (a double click): the API answers it from its idempotency store
    again = send(client, missing, f"{base}/exempt", start=start.isoformat(), reason="Tuổi cao")
    assert again.status_code == 200
    assert app.repository.get(cell.members[1]).version == version
    # the first page again, with a new key: its version is stale
    stale = KEY.sub(f'name="idempotency_key" value="{"f" * 32}"', page.text)
    late = send(client, stale, f"{base}/exempt", reason="Sức khỏe yếu")
    assert late.status_code == 409
    assert "Người khác đã thay đổi dữ liệu này trước bạn" in late.text
    assert "Tải lại trang" in late.text
    ended = send(client, done, f"{base}/end-exemption", on=start.isoformat())
    assert ended.status_code == 200, ended.text[:800]
    assert "Sinh hoạt tại chi bộ" in ended.text
    member: Member = app.repository.get(cell.members[1])
    assert member.exemption is None


def test_the_secretary_records_special_duty_and_its_end(pages, app):
    """Lực lượng vũ trang làm nhiệm vụ đặc biệt: recorded and ended through the page, the state
    shown; an end before the start is refused beside its field, an end when not on duty in the
    API's words."""
    client, slug, cell = pages
    sign_in(client, slug, "bithu")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[1]}"
    page = client.get(f"{base}/lifecycle")
    assert '<label for="duty-on">' in page.text
    assert f'action="{base}/special-duty/end"' not in page.text  # not on duty: nothing to end
    start = today()
    missing = send(client, page, f"{base}/special-duty", reason="")
    assert missing.status_code == 422
    assert beside(missing, "duty-reason", "Nhập nhiệm vụ, quyết định cử đi")
    noted = send(client, missing, f"{base}/special-duty", reason="Diễn tập, QĐ 45-QĐ/BCH")
    assert noted.status_code == 200, noted.text[:800]
    assert f"Lực lượng vũ trang làm nhiệm vụ đặc biệt từ ngày {start:%d/%m/%Y}" in noted.text
    assert f'action="{base}/special-duty"' not in noted.text
    assert app.repository.get(cell.members[1]).special_duty_since == start
    early = (start - timedelta(days=1)).isoformat()
    wrong = send(client, noted, f"{base}/special-duty/end", on=early, reason="Hoàn thành")
    assert wrong.status_code == 422
    assert beside(wrong, "unduty-on", "Ngày kết thúc phải sau ngày bắt đầu")
    ended = send(
        client, wrong, f"{base}/special-duty/end", on=start.isoformat(), reason="Hoàn thành"
    )
    assert ended.status_code == 200, ended.text[:800]
    assert "Lực lượng vũ trang làm nhiệm vụ đặc biệt từ ngày" not in ended.text
    assert f'action="{base}/special-duty"' in ended.text
    member: Member = app.repository.get(cell.members[1])
    assert member.special_duty_since is None
    # the end form sent again with a new key (another tab): no longer on duty, in the API's words
    data = {
        "csrf_token": csrf_of(ended.text), "idempotency_key": "e" * 32,
        "expected_version": str(member.version), "on": start.isoformat(), "reason": "Hoàn thành",
    }  # fmt: skip
    refused = client.post(f"{base}/special-duty/end", data=data)
    assert refused.status_code == 422
    assert "Đảng viên không làm nhiệm vụ đặc biệt" in refused.text
    assert app.repository.get(cell.members[1]).version == member.version


def test_the_secretary_cannot_name_a_cell_outside_her_scope(pages):
    client, slug, cell = pages
    sign_in(client, slug, "bithu")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[0]}"
    page = client.get(f"{base}/lifecycle")
    refused = send(client, page, f"{base}/temporary-transfer", host_name="Chi bộ thôn Hai")
    assert refused.status_code == 422
    assert "trong phạm vi được xem" in refused.text


def test_a_move_and_a_departure(pages, app):
    client, slug, cell = pages
    sign_in(client, slug, "quantri")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[2]}"
    moved = send(
        client, client.get(f"{base}/lifecycle"), f"{base}/transfer", to_name="Chi bộ thôn Hai"
    )
    assert moved.status_code == 200, moved.text[:800]
    assert str(moved.url).endswith(f"/units/{cell.tree.cell_b}/members/{cell.members[2]}/lifecycle")
    assert app.repository.get(cell.members[2]).cell_id == cell.tree.cell_b
    there = f"/t/{slug}/units/{cell.tree.cell_b}/members/{cell.members[2]}"
    unsure = send(client, moved, f"{there}/leave", reason="resigned", note="Đơn ngày 01/12")
    assert unsure.status_code == 422
    assert beside(unsure, "leave-confirm", "Đánh dấu ô xác nhận: việc này không hoàn tác được")
    left = send(client, unsure, f"{there}/leave", reason="resigned", note="Đơn", confirm="1")
    assert left.status_code == 200, left.text[:800]
    assert "Xin ra khỏi Đảng" in left.text
    assert f'action="{there}/exempt"' not in left.text  # nothing more to do for her


def test_a_sibling_cells_secretary_and_a_reader_neither_see_nor_send(pages, app):
    client, slug, cell = pages
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[3]}"
    version = app.repository.get(cell.members[3]).version
    for username in ("bithuhai", "kiemtra"):
        client.cookies.clear()
        sign_in(client, slug, username)
        assert client.get(f"{base}/lifecycle").status_code == 403, username
        edit = client.get(f"{base}/edit")
        assert "/lifecycle" not in edit.text, username
        own = client.get(
            f"/t/{slug}/", follow_redirects=True
        )  # a page of her own, for a valid CSRF token
        for action, fields in (("exempt", {"start": today().isoformat(), "reason": "X"}),
                               ("special-duty", {"on": today().isoformat(), "reason": "X"}),
                               ("temporary-transfer", {"host_name": "Chi bộ thôn Hai",
                                                       "on": today().isoformat()})):  # fmt: skip
            data = {"csrf_token": csrf_of(own.text), "idempotency_key": "a" * 32, **fields}
            sent = client.post(f"{base}/{action}", data=data)
            assert sent.status_code == 403, (username, action, sent.status_code)
    assert app.repository.get(cell.members[3]).version == version


def test_a_removal_checks_its_ground_and_a_death_is_recorded(pages, app):
    client, slug, cell = pages
    sign_in(client, slug, "quantri")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[4]}"
    page = client.get(f"{base}/lifecycle")
    missed = send(
        client, page, f"{base}/remove",
        ground="missed_meetings_or_dues", decision_number="12-QĐ/ĐU", confirm="1",
    )  # fmt: skip
    assert missed.status_code == 422
    assert 'id="remove-ground-loi"' in missed.text
    assert "bỏ sinh hoạt hoặc không đóng đảng phí trong năm" in missed.text  # the API's words
    removed = send(client, missed, f"{base}/remove", ground="surrendered_card", confirm="1")
    assert removed.status_code == 200, removed.text[:800]
    assert "Xóa tên" in removed.text
    assert app.repository.get(cell.members[4]).departed is not None
    there = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[5]}"
    died = send(client, client.get(f"{there}/lifecycle"), f"{there}/death", confirm="1")
    assert died.status_code == 200, died.text[:800]
    assert "Từ trần" in died.text


def test_a_transfer_to_another_province_shows_the_signed_document_once(pages, app, database):
    """The receiving province is named by its code; the signed payload is shown to copy; the same
    form sent again shows the same document (the API's idempotency store), not a refusal."""
    from infra.tenancy import provision
    from services.bootstrap import schema_parts
    from tests.conftest import drop_tenant, new_slug

    client, slug, cell = pages
    other, _ = provision(database, new_slug(), "Tỉnh Nơi Đến", schema_parts())
    try:
        sign_in(client, slug, "bithu")
        base = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[0]}"
        page = client.get(f"{base}/lifecycle")
        assert '<label for="out-to_province">' in page.text
        assert other.slug not in page.text  # no other province is listed to a province's user
        # the letter is the committee's: the cell's secretary is refused, in the rule's words
        refused = send(client, page, f"{base}/transfer-out", to_province=other.slug,
                       to_organisation="Chi bộ phường Một", letter_number="15", confirm="1")  # fmt: skip
        assert refused.status_code == 422
        assert "không có thẩm quyền: giấy giới thiệu sinh hoạt đảng" in refused.text
        client.cookies.clear()
        sign_in(client, slug, "quantri")
        page = client.get(f"{base}/lifecycle")
        fields = {
            "to_province": other.slug,
            "to_organisation": "Chi bộ phường Một, Đảng bộ tỉnh Nơi Đến",
            "letter_number": "15-GGT/ĐU",
            "confirm": "1",
        }
        shown = send(client, page, f"{base}/transfer-out", **fields)
        assert shown.status_code == 200, shown.text[shown.text.find("<main") :][:1500]
        assert "Bản chuyển sinh hoạt có chữ ký số" in shown.text
        document = shown.text.split("readonly>")[1].split("</textarea>")[0]
        assert "signature" in document or len(document) > 100
        again = send(client, page, f"{base}/transfer-out", **fields)
        assert again.status_code == 200
        assert again.text.split("readonly>")[1].split("</textarea>")[0] == document
        assert app.repository.get(cell.members[0]).departed is not None
    finally:
        drop_tenant(database, other)


def test_the_cells_list_shows_each_members_state_with_its_days(
    pages, app, database, tenant, container
):
    """Sinh hoạt tạm thời (where, from when), nhiệm vụ đặc biệt, miễn sinh hoạt (from, until) on
    the cell's member list; the host cell lists its temporary member apart; the JSON roster
    gives the day each state began."""
    from services.membership import lifecycle, org
    from tests.builders import ADMIN
    from tests.e2e.auth_helpers import bearer, token

    client, slug, cell = pages
    away, duty, exempt = cell.members[0], cell.members[1], cell.members[2]
    start = today() - timedelta(days=10)
    lifecycle.transfer_temporarily(
        app, ADMIN, member_id=away, host_cell_id=cell.tree.cell_b, on=start
    )
    lifecycle.special_duty_changes(app, ADMIN, member_id=duty, on=start, reason="Diễn tập")
    until = today() + timedelta(days=60)
    org.exempt_member(app, ADMIN, member_id=exempt, start=start, end=until, reason="Tuổi cao",
                      expected=None)  # fmt: skip
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    sign_in(client, slug, "quantri")
    page = client.get(f"/t/{slug}/units/{cell.tree.cell_a}/members")
    assert page.status_code == 200
    row = {name: page.text.split(name)[1].split("</tr>")[0] for name in cell.names[:4]}
    assert f"Sinh hoạt tạm thời ở Chi bộ thôn Hai từ ngày {start:%d/%m/%Y}" in row[cell.names[0]]
    assert (
        f"Làm nhiệm vụ đặc biệt (lực lượng vũ trang) từ ngày {start:%d/%m/%Y}" in row[cell.names[1]]
    )
    assert (
        f"Miễn sinh hoạt từ ngày {start:%d/%m/%Y} đến ngày {until:%d/%m/%Y}" in row[cell.names[2]]
    )
    assert "từ ngày" not in row[cell.names[3]]
    host = client.get(f"/t/{slug}/units/{cell.tree.cell_b}/members")
    assert "Đảng viên nơi khác sinh hoạt tạm thời" in host.text
    guests = host.text.split("Đảng viên nơi khác sinh hoạt tạm thời")[1]
    assert cell.names[0] in guests
    assert f"{start:%d/%m/%Y}" in guests
    as_admin = bearer(token(container, slug, Role.TENANT_ADMIN))
    roster = client.get(f"/api/v1/t/{slug}/units/{cell.tree.cell_a}/roster", headers=as_admin)
    assert roster.status_code == 200, roster.text
    since = {e["member_id"]: e["since"] for e in roster.json()["members"]}
    assert since[str(away)] == {"transferred_out": start.isoformat()}
    assert since[str(duty)] == {"special_duty": start.isoformat()}
    assert since[str(exempt)] == {"exempted": start.isoformat()}
    assert since[str(cell.members[3])] == {}


def test_days_are_typed_day_first_and_a_bad_day_is_said_beside_its_field(pages, app):
    """No ``type=date`` (Chromium shows it mm/dd/yyyy): a text field prefilled dd/mm/yyyy with
    its hint; 31/02 is refused beside the field in Vietnamese and English; 05/03 is 5 March."""
    client, slug, cell = pages
    sign_in(client, slug, "bithu")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/members/{cell.members[1]}"
    page = client.get(f"{base}/lifecycle")
    assert 'type="date"' not in page.text
    assert f'id="duty-on" name="on" type="text" value="{today():%d/%m/%Y}"' in page.text
    assert 'placeholder="dd/mm/yyyy"' in page.text
    assert 'inputmode="numeric"' in page.text
    assert "Ngày/tháng/năm, ví dụ 02/09/2025" in page.text
    wrong = send(client, page, f"{base}/special-duty", on="31/02/2025", reason="Diễn tập")
    assert wrong.status_code == 422
    assert beside(wrong, "duty-on", "Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm")
    assert "(invalid date: write it as dd/mm/yyyy)" in wrong.text
    assert 'value="31/02/2025"' in wrong.text  # what was typed stays, to correct
    day = today() - timedelta(days=40)
    done = send(client, wrong, f"{base}/special-duty", on=f"{day:%d/%m/%Y}", reason="Diễn tập")
    assert done.status_code == 200, done.text[:800]
    assert app.repository.get(cell.members[1]).special_duty_since == day
