"""Receiving a member from another province through the pages (tiếp nhận đảng viên chuyển đến):
the signed document verified and shown (whom, from where), the receiving cell chosen, the member
recorded once for a double submit; a tampered document refused beside its field; the secretary
of another cell refused with nothing recorded."""

from __future__ import annotations

import base64
import html
import re
from datetime import timedelta
from uuid import uuid4

import msgspec
import pytest

from domain.member import Member, MemberStatus
from domain.user import Role
from infra.transfer_payload import FORMAT, TransferPayload, province_key, sign
from services.web import data
from services.web.render import today
from tests.e2e.test_web_members_edit import pages as edit_pages  # noqa: F401  (a fixture)
from tests.e2e.web_helpers import KEY, csrf_of, make_user, sign_in

pytestmark = pytest.mark.e2e

HIDDEN = re.compile(r'<input type="hidden" name="document" value="([^"]*)">')


@pytest.fixture
def pages(edit_pages, app):  # noqa: F811  (the imported fixture, by name)
    _, _, cell = edit_pages
    make_user(app, "bithuhai", Role.SECRETARY, cell.tree.cell_b)
    return edit_pages


def document_for(container, slug: str, name: str = "Lê Thị Thu") -> tuple[bytes, TransferPayload]:
    """What the sending province ("tinh-gui", whose key this installation trusts) hands over."""
    letter_on = today() - timedelta(days=3)
    payload = TransferPayload(
        format=FORMAT, from_province="tinh-gui", to_province=slug, member_id=uuid4(),
        full_name=name, birth_date=today().replace(year=1988, day=1), gender="nu",
        status=MemberStatus.OFFICIAL.value, admitted_on=today().replace(year=2012, day=1),
        official_on=today().replace(year=2013, day=1), letter_number="27-GGT/TU",
        letter_on=letter_on, letter_due_on=letter_on + timedelta(days=42),
        to_organisation="Chi bộ thôn Một",
    )  # fmt: skip
    key = province_key(container.settings.data_dir, "tinh-gui")
    return sign(payload, key), payload


def tampered(document: bytes) -> str:
    """The same document with the name changed inside the signed bytes."""
    signed = msgspec.json.decode(document)
    body = base64.b64decode(signed["payload"]).replace("Lê Thị Thu".encode(), "Lê Thị Thư".encode())
    signed["payload"] = base64.b64encode(body).decode()
    return msgspec.json.encode(signed).decode()


def beside(page, field_id: str, words: str) -> bool:
    return f'id="{field_id}-loi"><span class="skip">Lỗi: </span>{words}' in page.text


def check(client, page, base, document: str = "", **files):
    data_ = {"csrf_token": csrf_of(page.text), "idempotency_key": KEY.search(page.text).group(1)}
    return client.post(f"{base}/check", data={**data_, "document": document}, files=files or None)


def receive(client, page, base, **fields):
    """The second step's form as a person sends it: its token, key and the carried document."""
    form = page.text[page.text.index(f'action="{base}"') :]
    sent = {
        "csrf_token": csrf_of(page.text),
        "idempotency_key": KEY.search(form).group(1),
        "document": html.unescape(HIDDEN.search(form).group(1)),
        **fields,
    }
    return client.post(base, data=sent, follow_redirects=True), sent


def test_the_secretary_receives_a_member_once(pages, app, container):
    client, slug, cell = pages
    document, payload = document_for(container, slug)
    sign_in(client, slug, "bithu")
    members = client.get(f"/t/{slug}/units/{cell.tree.cell_a}/members")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/transfers/in"
    assert f'href="{base}"' in members.text
    form = client.get(base)
    assert form.status_code == 200
    assert '<label for="arrive-document">' in form.text
    shown = check(client, form, base, document.decode())
    assert shown.status_code == 200, shown.text[:800]
    assert "Bản chuyển hợp lệ" in shown.text
    assert "<dd>Lê Thị Thu</dd>" in shown.text
    assert "<dd>tinh-gui</dd>" in shown.text
    assert f"ngày {payload.letter_on:%d/%m/%Y}" in shown.text
    assert str(payload.member_id) not in shown.text.replace(str(cell.tree.cell_a), "")
    assert data.aggregate(app, payload.member_id, Member) is None  # checked, nothing written
    # the cell is named in the select (hers is the only one she may choose), the day typed
    assert f'<option value="{cell.tree.cell_a}" selected>Chi bộ thôn Một</option>' in shown.text
    assert f'value="{today():%d/%m/%Y}"' in shown.text
    unsure, _ = receive(
        client, shown, base, cell_id=str(cell.tree.cell_a), presented_on="31/02/2025"
    )
    assert unsure.status_code == 422
    assert beside(unsure, "arrive-presented_on", "Ngày không hợp lệ")
    assert beside(unsure, "arrive-confirm", "Đánh dấu ô xác nhận")
    day = f"{today():%d/%m/%Y}"
    done, sent = receive(
        client, unsure, base, cell_id=str(cell.tree.cell_a), presented_on=day, confirm="1"
    )
    assert done.status_code == 200, done.text[:800]
    assert str(done.url).endswith(f"/units/{cell.tree.cell_a}/members/{payload.member_id}/edit")
    member: Member = app.repository.get(payload.member_id)
    assert (member.full_name, member.cell_id) == ("Lê Thị Thu", cell.tree.cell_a)
    version = member.version
    # a double click: the same key again is answered from the API's store, recorded once
    again = client.post(base, data=sent, follow_redirects=True)
    assert again.status_code == 200
    assert str(again.url) == str(done.url)
    assert app.repository.get(payload.member_id).version == version


def test_an_uploaded_document_is_read_and_a_tampered_one_refused_beside_the_field(
    pages, app, container
):
    client, slug, cell = pages
    document, payload = document_for(container, slug)
    sign_in(client, slug, "quantri")
    base = f"/t/{slug}/units/{cell.tree.root}/transfers/in"
    form = client.get(base)
    assert form.status_code == 200
    uploaded = check(client, form, base, document_file=("ban-chuyen.json", document))
    assert uploaded.status_code == 200, uploaded.text[:800]
    assert "<dd>Lê Thị Thu</dd>" in uploaded.text
    # the administrator chooses among the province's cells, by name
    assert "Chi bộ thôn Hai</option>" in uploaded.text
    refused = check(client, form, base, tampered(document))
    assert refused.status_code == 422
    assert beside(refused, "arrive-document", "Chữ ký không hợp lệ: hồ sơ đã bị sửa")
    assert "Bản chuyển hợp lệ" not in refused.text
    # the carried document altered between the steps: the API refuses it, beside the field
    altered, _ = receive(
        client, uploaded, base, cell_id=str(cell.tree.cell_b), document=tampered(document),
        presented_on=today().isoformat(), confirm="1",
    )  # fmt: skip
    assert altered.status_code == 422
    assert beside(altered, "arrive-document", "Chữ ký không hợp lệ: hồ sơ đã bị sửa")
    assert data.aggregate(app, payload.member_id, Member) is None


def test_another_cells_secretary_is_refused_and_nothing_is_recorded(pages, app, container):
    client, slug, cell = pages
    document, payload = document_for(container, slug)
    sign_in(client, slug, "bithuhai")
    base = f"/t/{slug}/units/{cell.tree.cell_a}/transfers/in"
    assert client.get(base).status_code == 403
    assert f'href="{base}"' not in client.get(f"/t/{slug}/units/{cell.tree.cell_b}/members").text
    own = client.get(f"/t/{slug}/units/{cell.tree.cell_b}/transfers/in")
    assert own.status_code == 200
    fields = {
        "csrf_token": csrf_of(own.text), "idempotency_key": "b" * 32,
        "document": document.decode(), "cell_id": str(cell.tree.cell_a),
        "presented_on": f"{today():%d/%m/%Y}", "confirm": "1",
    }  # fmt: skip
    assert client.post(f"{base}/check", data=fields).status_code == 403
    assert client.post(base, data=fields).status_code == 403
    # her own page naming the other cell: the API checks the cell against her scope
    sent = client.post(f"/t/{slug}/units/{cell.tree.cell_b}/transfers/in", data=fields)
    assert sent.status_code == 403
    assert data.aggregate(app, payload.member_id, Member) is None
