"""A meeting's papers over HTTP: upload (raw and multipart), type by content, lock, read receipts."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime, timedelta

import docx
import pytest

from domain.user import Role
from tests.e2e.auth_helpers import bearer, token
from tests.e2e.test_meetings_api import base, build_cell, ok, post, refused

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 40


def docx_bytes(text: str) -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(text)
    document.save(out)
    return out.getvalue()


def scheduled(client, tenant, in_days: float = 3.0):
    cell, officials, probationers = build_cell(client, tenant, 4, 1)
    at = (datetime.now(UTC) + timedelta(days=in_days)).replace(microsecond=0)
    body = {
        "cell_id": cell,
        "kind": "regular",
        "year": at.year,
        "month": at.month,
        "scheduled_at": at.isoformat(),
        "place": "Hội trường thôn",
        "agenda": ["Báo cáo tháng", "Dự thảo nghị quyết"],
    }
    meeting = ok(client.post(f"{base(tenant)}/meetings", json=body))["id"]
    return cell, meeting, officials + probationers, at


def papers_url(tenant, meeting) -> str:
    return f"{base(tenant)}/meetings/{meeting}/papers"


def posted_pdf(client, tenant, meeting) -> str:
    """A report posted to the meeting as a PDF; the address of its file."""
    paper = ok(upload_raw(client, tenant, meeting, PDF, "bao-cao.pdf"))
    return f"{papers_url(tenant, meeting)}/{paper['paper_id']}/file"


def upload_raw(client, tenant, meeting, data, name, **query):
    return client.post(
        papers_url(tenant, meeting),
        params={"name": name, **query},
        content=data,
        headers={"content-type": "application/octet-stream"},
    )


def test_a_pdf_is_posted_in_time_read_back_and_its_type_comes_from_its_bytes(client, tenant):
    _, meeting, _, _ = scheduled(client, tenant)
    # The client claims it is a picture; the bytes say PDF.
    response = client.post(
        papers_url(tenant, meeting),
        params={"name": "Báo cáo tháng.png", "kind": "report", "title": "Báo cáo tháng 11"},
        content=PDF,
        headers={"content-type": "image/png"},
    )
    posted = ok(response)
    assert posted["content_type"] == "application/pdf"
    assert posted["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert posted["in_time"] is True
    listing = ok(client.get(papers_url(tenant, meeting)), 200)
    (paper,) = listing["papers"]
    assert paper["title"] == "Báo cáo tháng 11"
    assert paper["current"]["name"] == "Báo cáo tháng.pdf"
    assert listing["all_in_time"] is True
    assert listing["locked"] is False
    file = client.get(f"{papers_url(tenant, meeting)}/{paper['paper_id']}/file")
    assert file.status_code == 200
    assert file.content == PDF
    assert file.headers["content-type"].startswith("application/pdf")
    assert file.headers["x-content-sha256"] == posted["sha256"]
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o" in file.headers["content-disposition"]


def test_a_docx_in_a_multipart_form_is_recognised(client, tenant):
    _, meeting, _, _ = scheduled(client, tenant)
    data = docx_bytes("Dự thảo nghị quyết chi bộ tháng 11")
    response = client.post(
        papers_url(tenant, meeting),
        files={"file": ("du-thao-nghi-quyet.docx", data, "application/octet-stream")},
        data={"kind": "draft_resolution", "title": "Dự thảo nghị quyết"},
    )
    posted = ok(response)
    assert posted["content_type"].endswith("wordprocessingml.document")
    (paper,) = ok(client.get(papers_url(tenant, meeting)), 200)["papers"]
    assert paper["kind"] == "draft_resolution"
    assert paper["title"] == "Dự thảo nghị quyết"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00" + b"\x00" * 500, "bao-cao.pdf"),  # a Windows program renamed
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 500, "nghi-quyet.docx"),
        (b"Xin chao, day la van ban thuong", "ghi-chu.pdf"),
    ],
)
def test_a_renamed_executable_or_unknown_content_is_refused_in_vietnamese(
    client, tenant, data, name
):
    _, meeting, _, _ = scheduled(client, tenant)
    body = refused(upload_raw(client, tenant, meeting, data, name), 400, "file_type_refused")
    assert "PDF, Word (DOCX), Excel (XLSX)" in body["message"]
    assert ok(client.get(papers_url(tenant, meeting)), 200)["papers"] == []


def test_a_zip_that_is_not_office_is_refused(client, tenant):
    _, meeting, _, _ = scheduled(client, tenant)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("setup.exe", b"MZ" + b"\x00" * 100)
    body = refused(
        upload_raw(client, tenant, meeting, out.getvalue(), "tai-lieu.docx"),
        400,
        "file_type_refused",
    )
    assert "ZIP" in body["message"]


def test_a_paper_posted_less_than_a_day_before_is_flagged(client, tenant):
    _, meeting, _, _ = scheduled(client, tenant, in_days=0.5)
    posted = ok(upload_raw(client, tenant, meeting, PDF, "chuong-trinh.pdf", kind="agenda"))
    assert posted["in_time"] is False
    assert ok(client.get(papers_url(tenant, meeting)), 200)["all_in_time"] is False


def test_papers_lock_when_the_meeting_opens_and_a_correction_keeps_the_old_version(client, tenant):
    _, meeting, members, _ = scheduled(client, tenant)
    paper = ok(upload_raw(client, tenant, meeting, PDF, "bao-cao.pdf", kind="report"))
    # Opened now (a meeting is not opened ahead of its start: meeting_starts_in_future).
    now = datetime.now(UTC).replace(microsecond=0)
    post(
        client,
        tenant,
        meeting,
        "open",
        {"started_at": now.isoformat(), "chair_id": members[0], "secretary_id": members[1]},
    )
    refused(upload_raw(client, tenant, meeting, PDF + b"x", "moi.pdf"), 409, "papers_locked")
    versions = f"{papers_url(tenant, meeting)}/{paper['paper_id']}/versions"
    second = PDF + b"\n% sua so lieu\n"
    refused(
        client.post(versions, params={"name": "bao-cao.pdf"}, content=second),
        422,
        "correction_needs_reason",
    )
    ok(
        client.post(
            versions, params={"name": "bao-cao.pdf", "reason": "Sửa số liệu mục 2"}, content=second
        )
    )
    listing = ok(client.get(papers_url(tenant, meeting)), 200)
    assert listing["locked"] is True
    (view,) = listing["papers"]
    assert [v["reason"] for v in view["versions"]] == ["", "Sửa số liệu mục 2"]
    old = client.get(f"{papers_url(tenant, meeting)}/{paper['paper_id']}/file?version=1")
    assert old.content == PDF
    new = client.get(f"{papers_url(tenant, meeting)}/{paper['paper_id']}/file")
    assert new.content == second


def test_members_of_the_cell_read_and_are_named_in_the_receipts_others_are_refused(
    client, tenant, container
):
    cell, meeting, members, _ = scheduled(client, tenant)
    other_cell, _, other_members, _ = scheduled(client, tenant)
    file_url = posted_pdf(client, tenant, meeting)

    def as_member(member_id, scope):
        return bearer(token(container, tenant.slug, Role.MEMBER, scope=scope, member_id=member_id))

    assert client.get(file_url, headers=as_member(members[2], cell)).status_code == 200
    assert client.get(file_url, headers=as_member(other_members[0], other_cell)).status_code == 403
    listing = ok(client.get(papers_url(tenant, meeting)), 200)
    receipts = listing["receipts"]
    assert receipts["expected"] == 5
    assert receipts["members_read"] == 1
    assert [m["full_name"] for m in receipts["read"]] == ["Đảng viên số 3"]
    assert len(receipts["not_yet_read"]) == 4
    assert listing["papers"][0]["readers"] == 1


def test_a_scoped_secretary_uploads_a_multipart_form(client, tenant, container):
    cell, meeting, _, _ = scheduled(client, tenant)
    secretary = bearer(token(container, tenant.slug, Role.SECRETARY, scope=cell))
    response = client.post(
        papers_url(tenant, meeting),
        files={"file": ("bao-cao.pdf", PDF, "application/pdf")},
        headers=secretary,
    )
    assert ok(response)["content_type"] == "application/pdf"


def test_the_one_day_list_and_figure_for_superior_levels(client, tenant, container):
    from projections import engine
    from projections.registry import all_projections

    cell, on_time, _, at = scheduled(client, tenant, in_days=3)
    late_at = (datetime.now(UTC) + timedelta(hours=12)).replace(microsecond=0)
    body = {
        "cell_id": cell,
        "kind": "thematic",
        "year": at.year,
        "month": at.month,
        "scheduled_at": late_at.isoformat(),
        "place": "Hội trường thôn",
        "agenda": ["Chuyên đề học tập và làm theo tư tưởng Hồ Chí Minh"],
        "topic": "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    }
    late = ok(client.post(f"{base(tenant)}/meetings", json=body))["id"]
    ok(upload_raw(client, tenant, on_time, PDF, "bao-cao.pdf", kind="report"))
    ok(upload_raw(client, tenant, late, PDF + b"1", "chuyen-de.pdf", title="Tài liệu chuyên đề"))
    for done in engine.catch_up_all(container.database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    period = {"period": f"{at.year}-{at.month:02d}"}
    view = ok(client.get(f"{base(tenant)}/views/level", params=period), 200)
    assert view["node"]["figures"]["meetings_with_papers"] == 2
    assert view["node"]["figures"]["papers_not_posted_one_day_before"] == 1
    listed = ok(
        client.get(f"{base(tenant)}/views/lists/papers_not_posted_one_day_before", params=period),
        200,
    )
    (row,) = listed["rows"]
    assert row["key"] == late
    assert row["cell_name"] == "Chi bộ Kỹ thuật"
    assert row["first_late_title"] == "Tài liệu chuyên đề"
    assert row["hours_before"] < 24


def test_the_superior_assigned_to_attend_reads_the_papers_from_outside_the_subtree(
    client, tenant, container
):
    """A cross assignment (seed 000): the assignee's own scope is another tree."""
    from uuid import UUID, uuid4

    from domain.attendance_plan import Assignee, AssigneeRole
    from domain.base import SYSTEM
    from services.supervision import attendance
    from tests.e2e.test_reminders_smtp import caught_up

    cell, meeting, _, at = scheduled(client, tenant)
    other_cell, _, _, _ = scheduled(client, tenant)
    file_url = posted_pdf(client, tenant, meeting)
    elsewhere = ok(client.get(f"{base(tenant)}/units/{other_cell}"), 200)["parent_id"]
    assigned, later, unassigned = (str(uuid4()) for _ in range(3))

    def superior(user_id):
        return bearer(
            token(container, tenant.slug, Role.SUPERIOR_MEMBER, scope=elsewhere, user_id=user_id)
        )

    app = container.applications.get(tenant.slug)
    committee = ok(client.get(f"{base(tenant)}/units/{cell}"), 200)["parent_id"]
    plan, _ = attendance.make_plan(
        app, SYSTEM, committee_id=UUID(committee), year=at.year, quarter=None, title="Kế hoạch"
    )
    month = at.date().replace(day=1)
    following = (month + timedelta(days=31)).replace(day=1)
    for user_id, when in ((assigned, month), (later, following)):
        if when.year != at.year:
            continue
        who = Assignee(user_id, "Phạm Văn Cấp", AssigneeRole.COMMITTEE_MEMBER, "Đảng ủy viên")
        attendance.assign(
            app, SYSTEM, plan_id=plan.id, assignee=who, cell_id=UUID(cell), month=when
        )
    caught_up(container, tenant)

    assert client.get(papers_url(tenant, meeting), headers=superior(assigned)).status_code == 200
    read = client.get(file_url, headers=superior(assigned))
    assert read.status_code == 200
    assert read.content == PDF
    # Not assigned to this cell, or assigned for another month: outside their scope.
    assert client.get(file_url, headers=superior(unassigned)).status_code == 403
    assert client.get(file_url, headers=superior(later)).status_code == 403
    # The assignment does not open the secretary's side.
    upload = client.post(
        papers_url(tenant, meeting),
        params={"name": "x.pdf"},
        content=PDF,
        headers={**superior(assigned), "content-type": "application/octet-stream"},
    )
    assert upload.status_code == 403


def test_a_large_upload_with_an_idempotency_key_is_posted_once(client, tenant, container):
    """Past the API's 1 MB for commands and past the in-memory spool: spooled to disk,
    fingerprinted whole, handed to the route, replayed on retry."""
    from psycopg import sql

    _, meeting, _, _ = scheduled(client, tenant)
    big = PDF + bytes((i * 13) % 251 for i in range(3 * 1024 * 1024))
    headers = {"content-type": "application/octet-stream", "Idempotency-Key": "giay-moi-1"}
    url = papers_url(tenant, meeting)
    first = client.post(url, params={"name": "bao-cao.pdf"}, content=big, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["size"] == len(big)
    assert first.json()["sha256"] == hashlib.sha256(big).hexdigest()
    again = client.post(url, params={"name": "bao-cao.pdf"}, content=big, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    listing = ok(client.get(url), 200)
    assert len(listing["papers"]) == 1
    # The same key with one byte changed at the end is another request: refused.
    changed = big[:-1] + bytes([big[-1] ^ 1])
    other = client.post(url, params={"name": "bao-cao.pdf"}, content=changed, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    # A command route keeps the API's 1 MB: a bigger body with a key is refused unread.
    too_big = client.post(
        f"{base(tenant)}/units",
        content=b'{"name": "' + b"x" * 1_100_000 + b'"}',
        headers={"content-type": "application/json", "Idempotency-Key": "to-qua-lon"},
    )
    assert too_big.status_code == 413
    with container.database.connect() as conn:
        keys = conn.execute(
            sql.SQL("SELECT count(*) FROM {}.idempotency_keys").format(
                sql.Identifier(tenant.schema)
            )
        ).fetchone()[0]
    assert keys == 1
