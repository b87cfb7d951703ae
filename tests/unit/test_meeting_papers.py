"""A meeting's papers: the one-day rule (across a weekend and a holiday), locking, corrections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.meeting_papers import MeetingPapers, PaperFile, PaperKind, papers_id, posted_in_time
from domain.meeting_papers_errors import (
    CorrectionNeedsReason,
    DuplicatePaper,
    PapersLocked,
    UnknownPaper,
)
from tests.builders import ICT
from tests.builders import SECRETARY as BY

pytestmark = pytest.mark.unit

PDF = PaperFile("bao-cao.pdf", "application/pdf", 1234, "a" * 64)
DOCX = PaperFile(
    "du-thao.docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    4321,
    "b" * 64,
)


def at(day: int, month: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ICT)


def papers() -> MeetingPapers:
    return MeetingPapers.start(uuid4(), uuid4(), BY)


def test_the_aggregate_id_is_derived_from_the_meeting():
    meeting_id = uuid4()
    assert MeetingPapers.start(meeting_id, uuid4(), BY).id == papers_id(meeting_id)
    assert papers_id(meeting_id) != papers_id(uuid4())


@pytest.mark.parametrize(
    ("posted", "meeting", "in_time"),
    [
        # Friday 08:00 for Monday 08:00 across the weekend: three days, in time
        (at(4, 12, 8), at(7, 12, 8), True),
        # Saturday 09:00 for Sunday 08:00: 23 hours, the weekend does not help
        (at(5, 12, 9), at(6, 12, 8), False),
        # exactly 24 hours before: in time
        (at(5, 12, 8), at(6, 12, 8), True),
        # one minute less: late
        (at(5, 12, 8, 1), at(6, 12, 8), False),
        # National Day 02/09 (a holiday) 14:00 for 03/09 14:00: calendar time counts, in time
        (at(2, 9, 14), at(3, 9, 14), True),
        # posted on the holiday evening for the next morning: late, holiday or not
        (at(2, 9, 20), at(3, 9, 7, 30), False),
        # Tết: posted 28/12 for a meeting on 02/01 across New Year's Day
        (at(28, 12, 10, year=2025), at(2, 1, 10), True),
    ],
)
def test_the_one_day_rule_counts_calendar_time(posted, meeting, in_time):
    assert posted_in_time(posted, meeting) is in_time
    p = papers()
    p.attach(uuid4(), PaperKind.AGENDA, "Chương trình", PDF, posted, meeting, False, BY)
    (paper,) = p.papers.values()
    assert paper.current.in_time is in_time


def test_time_zones_do_not_change_the_rule():
    meeting = at(6, 12, 8)
    posted_utc = (meeting - timedelta(hours=24, minutes=1)).astimezone(UTC)
    assert posted_in_time(posted_utc, meeting)


def test_no_new_paper_once_the_meeting_has_opened():
    p = papers()
    with pytest.raises(PapersLocked):
        p.attach(uuid4(), PaperKind.REPORT, "Báo cáo", PDF, at(1, 12, 8), at(6, 12, 8), True, BY)


def test_a_replacement_after_opening_is_a_correction_with_its_reason_and_keeps_the_old():
    p = papers()
    paper_id = uuid4()
    p.attach(
        paper_id, PaperKind.DRAFT_RESOLUTION, "Dự thảo", PDF, at(1, 12, 8), at(6, 12, 8), False, BY
    )
    with pytest.raises(CorrectionNeedsReason):
        p.replace(paper_id, DOCX, at(6, 12, 9), at(6, 12, 8), True, "  ", BY)
    p.replace(paper_id, DOCX, at(6, 12, 9), at(6, 12, 8), True, "Sửa số liệu mục 2", BY)
    versions = p.papers[paper_id].versions
    assert [v.file.sha256 for v in versions] == [PDF.sha256, DOCX.sha256]
    assert versions[1].reason == "Sửa số liệu mục 2"
    assert p.holds(PDF.sha256)
    assert p.holds(DOCX.sha256)


def test_a_replacement_before_opening_needs_no_reason():
    p = papers()
    paper_id = uuid4()
    p.attach(paper_id, PaperKind.REPORT, "Báo cáo", PDF, at(1, 12, 8), at(6, 12, 8), False, BY)
    p.replace(paper_id, DOCX, at(2, 12, 8), at(6, 12, 8), False, "", BY)
    assert p.papers[paper_id].current.file == DOCX


def test_the_same_file_twice_and_unknown_papers_are_refused():
    p = papers()
    paper_id = uuid4()
    p.attach(paper_id, PaperKind.REPORT, "Báo cáo", PDF, at(1, 12, 8), at(6, 12, 8), False, BY)
    with pytest.raises(DuplicatePaper):
        p.attach(uuid4(), PaperKind.OTHER, "Lần nữa", PDF, at(1, 12, 9), at(6, 12, 8), False, BY)
    with pytest.raises(DuplicatePaper):
        p.replace(paper_id, PDF, at(1, 12, 9), at(6, 12, 8), False, "", BY)
    with pytest.raises(UnknownPaper):
        p.replace(uuid4(), DOCX, at(1, 12, 9), at(6, 12, 8), False, "", BY)
