"""The member's pages on the demo province: from her page to her own cell's meetings (read
only), her turn and her record, and never a sibling cell's meeting.

(Run with an HTTP client, not a browser: what is checked is what the server sends.)
"""

from __future__ import annotations

import re

import pytest

from domain.user import account_id
from services.demo import DEMO_SLUG
from services.web.render import today
from tests.e2e.test_demo import fetch
from tests.e2e.test_web_roles import follow, signed_in

pytestmark = pytest.mark.e2e

MEETING_LINK = re.compile(r'<a href="(/t/[^/]+/meetings/[0-9a-f-]{36})">')
FORM = re.compile(r"<form [^>]*>(.{0,60})", re.S)


def test_a_member_opens_her_own_cells_meetings_from_her_page_read_only(seeded, database):
    app, tenant, *_ = seeded
    member = app.repository.get(app.repository.get(account_id("dangvien")).member_id)
    client = signed_in(seeded, "dangvien")
    mine = follow(client, f"/t/{DEMO_SLUG}/me")
    assert member.full_name in mine.text  # her record
    assert "Ngày vào Đảng" in mine.text
    assert "Lượt tự phê bình của tôi" in mine.text  # her turn
    hrefs = MEETING_LINK.findall(mine.text)
    held = fetch(
        database,
        f'SELECT id FROM "{tenant.schema}".meetings WHERE cell_id = $1 AND closed AND year = $2',
        member.cell_id,
        today().year,  # the page lists this year's
    )
    assert held
    assert {str(r["id"]) for r in held} <= {h.rsplit("/", 1)[-1] for h in hrefs}
    meeting = follow(client, hrefs[-1])
    assert "Điểm danh" in meeting.text
    assert "Chỉ xem" in meeting.text
    main = meeting.text.split("<main", 1)[-1]
    forms = FORM.findall(main)
    assert forms  # the records are shown in their sections …
    assert all(f.startswith('<fieldset class="readonly" disabled>') for f in forms), forms
    assert "Kiểm tra và bế mạc" not in main  # … and nothing can be sent from them
    # her cell's meetings in the JSON API too, and no sibling cell's meeting page
    sibling = fetch(
        database,
        f'SELECT id FROM "{tenant.schema}".meetings WHERE cell_id <> $1 LIMIT 1',
        member.cell_id,
    )[0]["id"]
    assert client.get(f"/t/{DEMO_SLUG}/meetings/{sibling}").status_code == 403


def test_the_secretary_still_records_her_meeting(seeded, database):
    app, tenant, *_ = seeded
    secretary = app.repository.get(account_id("bithu"))
    meeting = fetch(
        database,
        f'SELECT id FROM "{tenant.schema}".meetings WHERE cell_id = $1 LIMIT 1',
        secretary.scope_unit_id,
    )[0]["id"]
    client = signed_in(seeded, "bithu")
    page = follow(client, f"/t/{DEMO_SLUG}/meetings/{meeting}")
    assert 'class="readonly"' not in page.text
    assert "Chỉ xem" not in page.text
