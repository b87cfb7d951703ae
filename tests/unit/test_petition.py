"""Petitions (ý kiến, kiến nghị): the path to the written answer, deadlines, reopening."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.base import InvalidValue
from domain.calendar import WEEKENDS_ONLY, WorkingCalendar
from domain.petition import CompetentLevel, Petition, PetitionSource, PetitionState
from domain.petition_errors import (
    ForwardedToWrongLevel,
    OnlyOriginatingCellMayReopen,
    PetitionNeedsSource,
    PetitionStepOutOfOrder,
)
from tests.builders import SECRETARY as BY
from tests.unit.test_mapper_roundtrip import rebuilt_through_the_mapper

pytestmark = pytest.mark.unit

CELL = uuid4()


def raised(level: CompetentLevel = CompetentLevel.COMMUNE_DISTRICT, **kw: object) -> Petition:
    args: dict[str, object] = {
        "id": uuid4(),
        "cell_id": CELL,
        "source": PetitionSource.MEETING,
        "content": "Đề nghị sửa cống thoát nước thôn Tùy Sơn",
        "category": "hạ tầng",
        "competent_level": level,
        "raised_on": date(2025, 3, 3),
        "response_days": 15,
        "calendar": WEEKENDS_ONLY,
        "by": BY,
        "meeting_id": uuid4(),
    }
    args.update(kw)
    return Petition.raise_(**args)  # type: ignore[arg-type]  # the test passes loosely typed keyword arguments


def answered(petition: Petition) -> Petition:
    unit = uuid4()
    petition.forward(unit, petition.competent_level, date(2025, 3, 4), BY)
    petition.accept(date(2025, 3, 5), BY)
    petition.resolve("Đã giao UBND huyện sửa cống", "123-CV/HU", date(2025, 3, 20), BY)
    petition.answer_back(date(2025, 3, 21), BY)
    return petition


def test_full_path_to_the_answer() -> None:
    p = answered(raised())
    assert p.state is PetitionState.ANSWERED
    assert p.response == "Đã giao UBND huyện sửa cống"
    assert p.answered_on == date(2025, 3, 21)
    assert not p.state.is_open


def test_deadline_counts_working_days_from_raising() -> None:
    p = raised(response_days=5)  # Monday 3 March 2025 + 5 working days
    assert p.due_on == date(2025, 3, 10)


def test_deadline_skips_public_holidays() -> None:
    tet = frozenset(date(2025, 1, d) for d in range(27, 32))  # Tết 2025
    p = raised(raised_on=date(2025, 1, 24), response_days=2, calendar=WorkingCalendar(tet))
    assert p.due_on == date(2025, 2, 4)


def test_overdue_only_while_open() -> None:
    p = raised(response_days=5)
    assert not p.is_overdue(date(2025, 3, 10))
    assert p.is_overdue(date(2025, 3, 11))
    answered(p)
    assert not p.is_overdue(date(2026, 1, 1))


def test_meeting_petition_needs_meeting() -> None:
    with pytest.raises(PetitionNeedsSource):
        raised(meeting_id=None)


def test_report_petition_needs_assignment() -> None:
    with pytest.raises(PetitionNeedsSource):
        raised(source=PetitionSource.ATTENDANCE_REPORT, meeting_id=None, plan_id=uuid4())
    p = raised(
        source=PetitionSource.ATTENDANCE_REPORT,
        meeting_id=None,
        plan_id=uuid4(),
        assignment_id=uuid4(),
    )
    assert p.source is PetitionSource.ATTENDANCE_REPORT


def test_empty_content_is_refused() -> None:
    with pytest.raises(InvalidValue):
        raised(content="   ")


def test_forward_only_to_the_competent_level() -> None:
    p = raised(CompetentLevel.GRASSROOTS)
    with pytest.raises(ForwardedToWrongLevel):
        p.forward(uuid4(), CompetentLevel.PROVINCE, date(2025, 3, 4), BY)


def test_steps_must_follow_the_path() -> None:
    p = raised()
    with pytest.raises(PetitionStepOutOfOrder):
        p.accept(date(2025, 3, 4), BY)
    with pytest.raises(PetitionStepOutOfOrder):
        p.resolve("x", "1", date(2025, 3, 4), BY)
    with pytest.raises(PetitionStepOutOfOrder):
        p.answer_back(date(2025, 3, 4), BY)
    with pytest.raises(PetitionStepOutOfOrder):
        p.reopen(CELL, "chưa thỏa đáng", date(2025, 3, 4), 15, WEEKENDS_ONLY, BY)


def test_step_dates_cannot_go_backwards() -> None:
    p = raised()
    with pytest.raises(InvalidValue):
        p.forward(uuid4(), p.competent_level, date(2025, 3, 1), BY)


def test_resolution_needs_a_written_response() -> None:
    p = raised()
    p.forward(uuid4(), p.competent_level, date(2025, 3, 4), BY)
    p.accept(date(2025, 3, 5), BY)
    with pytest.raises(InvalidValue):
        p.resolve("", "1-CV", date(2025, 3, 6), BY)
    with pytest.raises(InvalidValue):
        p.resolve("Trả lời", " ", date(2025, 3, 6), BY)


def test_reclassify_sends_it_back_to_be_forwarded() -> None:
    p = raised(CompetentLevel.GRASSROOTS)
    p.forward(uuid4(), CompetentLevel.GRASSROOTS, date(2025, 3, 4), BY)
    p.reclassify(CompetentLevel.COMMUNE_DISTRICT, "Thuộc thẩm quyền UBND xã", BY)
    assert p.state is PetitionState.RAISED
    p.forward(uuid4(), CompetentLevel.COMMUNE_DISTRICT, date(2025, 3, 5), BY)
    p.accept(date(2025, 3, 5), BY)
    with pytest.raises(PetitionStepOutOfOrder):
        p.reclassify(CompetentLevel.PROVINCE, "x", BY)


def test_reopen_by_the_originating_cell_with_a_new_deadline() -> None:
    p = answered(raised())
    with pytest.raises(OnlyOriginatingCellMayReopen):
        p.reopen(uuid4(), "chưa thỏa đáng", date(2025, 3, 24), 5, WEEKENDS_ONLY, BY)
    p.reopen(CELL, "Cống vẫn ngập", date(2025, 3, 24), 5, WEEKENDS_ONLY, BY)
    assert p.state is PetitionState.REOPENED
    assert p.due_on == date(2025, 3, 31)
    assert p.reopen_count == 1
    p.resolve("Đã nạo vét lại", "130-CV/HU", date(2025, 3, 28), BY)
    p.answer_back(date(2025, 3, 28), BY)
    assert not p.is_overdue(date(2025, 12, 31))


def test_district_or_above_split_of_seed_003() -> None:
    above = {lvl for lvl in CompetentLevel if lvl.district_or_above}
    assert above == {CompetentLevel.COMMUNE_DISTRICT, CompetentLevel.PROVINCE}


def test_events_round_trip_through_the_mapper() -> None:
    p = answered(raised())
    p.reopen(CELL, "Cống vẫn ngập", date(2025, 3, 24), 5, WEEKENDS_ONLY, BY)
    copy = rebuilt_through_the_mapper(p)
    assert isinstance(copy, Petition)
    assert copy.state is PetitionState.REOPENED
    assert copy.cell_id == CELL
    assert isinstance(copy.id, UUID)


def test_refusals_name_levels_states_and_steps_in_words_not_codes() -> None:
    """Issue 12 §5: a person reads "cấp cơ sở", "đã tiếp nhận", never "grassroots", "raised"."""
    p = raised(CompetentLevel.GRASSROOTS)
    with pytest.raises(ForwardedToWrongLevel) as wrong:
        p.forward(uuid4(), CompetentLevel.COMMUNE_DISTRICT, date(2025, 3, 4), BY)
    assert wrong.value.vi == (
        "Kiến nghị thuộc thẩm quyền cấp cơ sở, không chuyển cho cấp xã, huyện"
    )
    with pytest.raises(PetitionStepOutOfOrder) as early:
        p.answer_back(date(2025, 3, 4), BY)
    assert early.value.vi == (
        "Kiến nghị đang ở bước «đã tiếp nhận», chưa thể «trả lời chi bộ» (cần: «đã giải quyết»)"
    )
    assert early.value.details == {"state": "raised"}
    codes = [c.value for c in (*CompetentLevel, *PetitionState)] + ["answer_back"]
    assert not [c for c in codes if c in wrong.value.vi + early.value.vi]
