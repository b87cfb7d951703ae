"""The meeting run over plain form posts (no JavaScript): errors beside the field in the API's
words, a double submit recorded once, a stale version refused with a reload link."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from domain.base import SYSTEM
from domain.meeting import Meeting
from services.supervision.rotation import schedule_for
from tests.e2e.web_helpers import KEY, csrf_of, secretary_signed_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(container, tenant, app) -> Any:
    with secretary_signed_in(container, app, tenant.slug) as (client, cell):
        new = client.get(f"/t/{tenant.slug}/units/{cell.tree.cell_a}/meetings/new")
        created = client.post(
            f"/t/{tenant.slug}/units/{cell.tree.cell_a}/meetings",
            data={
                "csrf_token": csrf_of(new.text),
                "idempotency_key": KEY.search(new.text).group(1),
                "kind": "regular",
                "period": "2025-03",
                "day": "2025-03-05",
                "time": "14:00",
                "place": "Hội trường thôn",
                "agenda": "Thông tin thời sự\nBáo cáo tháng 2",
            },
            follow_redirects=False,
        )
        assert created.status_code == 303, created.text
        yield client, tenant.slug, cell, created.headers["location"], app


def form(client, page_url: str) -> dict[str, str]:
    page = client.get(page_url)
    return {"csrf_token": csrf_of(page.text), "idempotency_key": KEY.search(page.text).group(1)}


def version_of(client, url: str) -> str:
    return re.search(r'name="version" value="(\d+)"', client.get(url).text).group(1)


def versioned(client, url: str, section: str, fields: dict, **post: object):
    """A section's form sent with the page's CSRF token, idempotency key and version."""
    data = {**form(client, url), **fields, "version": version_of(client, url)}
    return client.post(f"{url}/{section}", data=data, **post)


def opened(client, url, cell) -> None:
    response = client.post(
        f"{url}/open",
        data={
            **form(client, url),
            "started_day": "2025-03-05",
            "started_time": "14:00",
            "chair_id": str(cell.members[0]),
            "secretary_id": str(cell.members[1]),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    marks = {"member": [str(m) for m in cell.members]}
    marks.update({f"mark-{m}": "present" for m in cell.members})
    saved = versioned(client, url, "attendance", marks, follow_redirects=False)
    assert saved.status_code == 303, saved.text


def test_the_run_page_shows_names_dates_and_counts(run):
    client, _, cell, url, _ = run
    opened(client, url, cell)
    page = client.get(url).text
    for name in cell.names:
        assert name in page
    assert "05/03/2025" in page  # dd/mm/yyyy, Vietnamese time
    assert "14:00" in page
    assert "<strong>5</strong> chính thức, <strong>1</strong> dự bị" in page
    main = page.split("<main", 1)[1]
    for member in cell.members:  # ids only in form values, never as text
        assert f">{member}<" not in main


def test_a_probationary_ballot_is_refused_beside_the_field_in_the_rules_words(run):
    client, _, cell, url, _ = run
    opened(client, url, cell)
    proposed = client.post(
        f"{url}/motions",
        data={**form(client, url), "kind": "general", "title": "Nghị quyết tháng 3"},
        follow_redirects=False,
    )
    assert proposed.status_code == 303
    motion = re.search(r"/motions/([0-9a-f-]{36})/ballots", client.get(url).text).group(1)
    refused = client.post(
        f"{url}/motions/{motion}/ballots",
        data={**form(client, url), "member_id": str(cell.members[-1]), "choice": "for"},
    )
    assert refused.status_code == 422
    html = refused.text
    assert 'class="error-summary"' in html
    assert "dự bị" in html
    assert "biểu quyết" in html
    field = f"motions-{motion}-ballots-member_id"
    assert f'href="#{field}"' in html  # the summary links to the field
    assert f'id="{field}-loi"' in html  # and the message stands beside it


def test_a_double_submit_records_once(run):
    client, _, cell, url, app = run
    opened(client, url, cell)
    keys = form(client, url)
    body = {**keys, "speaker_id": str(cell.members[2]), "topic": "Góp ý báo cáo"}
    first = client.post(f"{url}/opinions", data=body, follow_redirects=False)
    second = client.post(f"{url}/opinions", data=body, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    meeting_id = url.rsplit("/", 1)[1]
    from uuid import UUID

    meeting = app.repository.get(UUID(meeting_id))
    assert isinstance(meeting, Meeting)
    assert [o.topic for o in meeting.opinions] == ["Góp ý báo cáo"]


def test_a_stale_version_says_someone_else_changed_it_first(run):
    client, _, cell, url, _ = run
    opened(client, url, cell)
    old = version_of(client, url)
    keys = form(client, url)
    assert (
        client.post(
            f"{url}/minutes",
            data={**form(client, url), "text": "Bản một", "version": old},
            follow_redirects=False,
        ).status_code
        == 303
    )
    stale = client.post(f"{url}/minutes", data={**keys, "text": "Bản hai", "version": old})
    assert stale.status_code == 409
    assert "Người khác đã thay đổi dữ liệu này trước bạn" in stale.text
    assert "Tải lại trang" in stale.text


def minutes_recorded(client, url) -> None:
    saved = versioned(client, url, "minutes", {"text": "Biên bản"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text


def test_a_bad_number_is_refused_by_the_page_with_a_message(run):
    client, _, cell, url, _ = run
    opened(client, url, cell)
    minutes_recorded(client, url)
    scores = dict.fromkeys(("preparation", "conduct", "principles", "implementation"), "18")
    refused = versioned(client, url, "quality", {"attendance": "mười", **scores})
    assert refused.status_code == 422
    assert "phải là một số nguyên không âm" in refused.text
    assert 'id="quality-attendance-loi"' in refused.text


def test_the_assessment_follows_the_minutes_and_tot_above_the_evidence_needs_a_reason(run):
    client, _, cell, url, _ = run
    opened(client, url, cell)
    page = client.get(url).text
    assert "Đánh giá sau khi đã ghi biên bản" in page
    assert 'id="quality-attendance"' not in page
    minutes_recorded(client, url)
    page = client.get(url).text
    # No pre-meeting and nobody spoke: the warnings stand beside the form.
    assert "Cảnh báo: Không có cuộc họp chi ủy trước" in page
    assert "Cảnh báo: Không có ý kiến phát biểu" in page
    assert "mức cao nhất là <strong>Khá</strong>" in page
    scores = dict.fromkeys(("attendance", "preparation", "conduct", "principles"), "19")
    body = {**scores, "implementation": "19"}
    refused = versioned(client, url, "quality", body)
    assert refused.status_code == 422
    assert "Mức đánh giá cao hơn chứng cứ" in refused.text
    reason = "Chi ủy thống nhất nội dung qua điện thoại"
    saved = versioned(client, url, "quality", {**body, "reason": reason}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(url).text
    assert "Kết quả: <strong>Tốt</strong>, 95 điểm" in page
    assert reason in page


def test_rendered_pages_name_no_outside_host(run):
    from tests.unit.test_web_no_outside_hosts import outside_hosts

    client, slug, cell, url, _ = run
    opened(client, url, cell)
    for page in (
        f"/t/{slug}/",
        url,
        f"{url}/close",
        f"/t/{slug}/units/{cell.tree.cell_a}/members",
        f"/t/{slug}/units/{cell.tree.cell_a}/admissions",
        f"/t/{slug}/units/{cell.tree.cell_a}/meetings/new",
    ):
        response = client.get(page)
        assert response.status_code == 200, (page, response.text)
        assert outside_hosts(response.content) == [], page


def test_the_dues_form_names_each_member_paid_or_unpaid(run):
    """Issue 12 §5: a line per member; a blank line is in neither list, never 'unpaid'."""
    client, _, cell, url, app = run
    opened(client, url, cell)
    lines = {"member": [str(m) for m in cell.members]}
    lines.update({f"dues-{m}": "paid" for m in cell.members})
    lines[f"dues-{cell.members[2]}"] = "unpaid"
    lines[f"dues-{cell.members[3]}"] = ""
    paid = {**lines, "total_vnd": "200000"}
    saved = versioned(client, url, "dues", paid, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    from uuid import UUID

    meeting = app.repository.get(UUID(url.rsplit("/", 1)[1]))
    assert isinstance(meeting, Meeting)
    assert meeting.dues_unpaid_ids == (cell.members[2],)
    assert set(meeting.dues_payer_ids) == set(cell.members) - {cell.members[2], cell.members[3]}


def test_the_cell_votes_on_the_rating_and_the_superior_confirms_on_the_page(run):
    client, _, cell, url, _ = run
    opened(client, url, cell)
    superior = {"name": "Trần Văn Bình", "position": "Đảng ủy viên phụ trách", "is_superior": "on"}
    guest = versioned(client, url, "guests", superior, follow_redirects=False)
    assert guest.status_code == 303, guest.text
    minutes_recorded(client, url)
    fair = dict.fromkeys(("attendance", "preparation", "conduct", "principles"), "15")
    saved = versioned(
        client, url, "quality", {**fair, "implementation": "15"}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    page = client.get(url).text
    assert "Biểu quyết mức chất lượng" in page
    assert "Cấp ủy cấp trên xác nhận" not in page  # nothing to confirm before the vote
    too_many = client.post(
        f"{url}/quality/ballot",
        data={**form(client, url), "votes_for": "50", "against": "0", "abstain": "0"},
    )
    assert too_many.status_code == 422  # the page answers a refused form with 422
    assert "vượt số đảng viên chính thức có mặt" in too_many.text
    voted = client.post(
        f"{url}/quality/ballot",
        data={**form(client, url), "votes_for": "4", "against": "1", "abstain": "0"},
        follow_redirects=False,
    )
    assert voted.status_code == 303, voted.text
    page = client.get(url).text
    assert "4 tán thành, 1 không tán thành" in page
    guest_id = re.search(r'name="guest_id"><option value="([0-9a-f-]{36})"', page).group(1)
    confirmed = client.post(
        f"{url}/quality/confirm",
        data={**form(client, url), "guest_id": guest_id},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303, confirmed.text
    page = client.get(url).text
    assert "Đồng chí Trần Văn Bình (cấp ủy cấp trên dự sinh hoạt) đã xác nhận" in page
    assert 'id="quality-ballot-votes_for"' not in page


def test_the_check_before_closing_shows_the_weighted_score_and_the_warnings(run):
    from datetime import date

    from domain.base import SYSTEM
    from services.tenants.settings import SettingsChange, Weights, change

    client, _, cell, url, app = run
    weights = Weights(attendance=15, preparation=20, conduct=45, principles=20, implementation=0)
    change(app, SYSTEM, SettingsChange(effective_on=date(2025, 1, 1), quality_weights=weights))
    opened(client, url, cell)
    minutes_recorded(client, url)
    scores = {"attendance": "10", "preparation": "10", "conduct": "20", "principles": "10"}
    saved = versioned(
        client, url, "quality", {**scores, "implementation": "0"}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    check = client.get(f"{url}/close").text
    # 7,5 + 10 + 45 + 10 = 72,5 by the province's weights (the plain sum would be 50)
    assert "Khá (72,5 điểm theo trọng số) — <strong>2 cảnh báo</strong>" in check


def test_the_self_criticism_section_names_who_replaces_an_absent_member_due(run):
    """Issue 12 §5: while the meeting runs, the member due but absent is replaced by the next
    in line, and the page says whom the replacement stands for; the form suggests them."""
    client, _, cell, url, app = run
    # The first in the cycle's order (by given name), read as the page will read it.
    absent = schedule_for(app, cell.tree.cell_a, date(2025, 3, 5), SYSTEM).queue()[0]
    due = cell.names[cell.members.index(absent)]
    chair, secretary = [m for m in cell.members if m != absent][:2]
    response = client.post(
        f"{url}/open",
        data={
            **form(client, url),
            "started_day": "2025-03-05",
            "started_time": "14:00",
            "chair_id": str(chair),
            "secretary_id": str(secretary),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    marks = {"member": [str(m) for m in cell.members]}
    marks.update({f"mark-{m}": "present" for m in cell.members})
    marks.update({f"mark-{absent}": "excused", f"reason-{absent}": "Ốm"})
    saved = versioned(client, url, "attendance", marks, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(url).text
    stand_in = re.search(r"đến lượt: <strong>([^<]+)</strong>", page).group(1)
    assert stand_in != due
    assert f"Thay đ/c {due} vắng mặt tại buổi sinh hoạt này" in page
    suggested = cell.members[cell.names.index(stand_in)]
    assert re.search(rf'<option value="{suggested}" selected', page)
