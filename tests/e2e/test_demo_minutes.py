"""A closed meeting of the demo province: its minutes lock and download as DOCX and PDF that
match its record (the issue's first acceptance line)."""

from __future__ import annotations

import io
import random
import re

import docx
import pytest
from psycopg import sql
from pypdf import PdfReader

from domain.member import Member
from domain.voting import MotionKind
from infra.application import EVENTS_TABLE
from services.demo import seed_province
from services.documents import labels
from services.documents.model import vn_time, vnd
from services.meetings.commands import load_meeting

pytestmark = pytest.mark.e2e


def first_closed_meeting(container, tenant):
    query = sql.SQL(
        "SELECT originator_id FROM {} WHERE topic LIKE %s ORDER BY notification_id LIMIT 1"
    ).format(sql.Identifier(tenant.schema, EVENTS_TABLE))
    with container.database.connect() as conn:
        row = conn.execute(query, ("%Meeting.Closed",)).fetchone()
    assert row is not None
    return row[0]


def test_a_closed_demo_meeting_downloads_as_its_record(client, tenant, container):
    app = container.applications.get(tenant.slug)
    seed_province(app, random.Random(2025))
    meeting = load_meeting(app, first_closed_meeting(container, tenant))
    motion = next(m for m in meeting.motions.values() if m.kind is MotionKind.MINUTES)
    url = f"/api/v1/t/{tenant.slug}/meetings/{meeting.id}/documents/minutes"
    approved = client.post(f"{url}/approve", json={"motion_id": str(motion.id)})
    assert approved.status_code == 201, approved.text

    def name(member_id):
        member = app.repository.get(member_id)
        assert isinstance(member, Member)
        return member.full_name

    present = len(meeting.present & set(meeting.roster))
    expected = [
        f"Chủ trì: đồng chí {name(meeting.chair_id)}",
        f"Thư ký: đồng chí {name(meeting.secretary_id)}",
        f"Có mặt: {present}/{len(meeting.roster)} đồng chí",
        f"xếp loại: {labels.label(meeting.quality_rating)}",
        vnd(meeting.dues_total_vnd),
        vn_time(meeting.ended_at),
        *(name(o.speaker_id) for o in meeting.opinions),
    ]
    for fmt in ("pdf", "docx"):
        response = client.get(f"{url}/file", params={"format": fmt, "version": 1})
        assert response.status_code == 200, response.text
        assert response.headers["x-content-sha256"] == approved.json()["sha256"]
        if fmt == "pdf":
            pages = PdfReader(io.BytesIO(response.content)).pages
            text = "\n".join(p.extract_text() for p in pages)
        else:
            document = docx.Document(io.BytesIO(response.content))
            cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
            text = "\n".join([p.text for p in document.paragraphs] + cells)
        text = re.sub(r"\s+", " ", text)
        for line in expected:
            assert line in text, (fmt, line)
