"""Rotating self-criticism: order, carry-over, roster changes, limits, coverage, explanations."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.rotation import (
    CarryReason,
    InvalidCycle,
    MeetingAlreadySettled,
    MeetingOutsideCycle,
    MemberNotInRotation,
    RotationSchedule,
    SecondTurnBeforeEveryone,
    TooManyTurnsAtMeeting,
    TurnAlreadyTaken,
    TurnsOnlyAtRegularMeetings,
    schedule_id,
)
from tests.builders import SECRETARY as BY
from tests.unit.test_mapper_roundtrip import rebuilt_through_the_mapper

pytestmark = pytest.mark.unit

CELL = uuid4()
A, B, C, D = (uuid4() for _ in range(4))


def schedule(*order: UUID) -> RotationSchedule:
    return RotationSchedule.open(CELL, date(2025, 1, 1), date(2025, 12, 31), order or (A, B, C), BY)


def meeting(
    s: RotationSchedule,
    month: int,
    took: tuple[UUID, ...],
    turns: int = 1,
    absent: set[UUID] | None = None,
    exempted: set[UUID] | None = None,
) -> UUID:
    mid, held = uuid4(), date(2025, month, 3)
    for member in took:
        s.take_turn(member, mid, held, True, turns, BY)
    s.settle_meeting(mid, held, True, turns, absent or set(), exempted or set(), BY)
    return mid


def due(s: RotationSchedule, turns: int = 1, exempted: set[UUID] | None = None) -> list[UUID]:
    return [t.member_id for t in s.next_turns(turns, exempted or set())]


def test_one_schedule_per_cell_and_cycle() -> None:
    s = schedule()
    assert s.id == schedule_id(CELL, date(2025, 1, 1))
    with pytest.raises(InvalidCycle):
        RotationSchedule.open(CELL, date(2025, 1, 1), date(2024, 1, 1), (A,), BY)


def test_members_take_turns_in_order() -> None:
    s = schedule()
    assert due(s) == [A]
    meeting(s, 1, (A,))
    assert due(s) == [B]
    assert due(s, turns=2) == [B, C]


def test_absent_member_is_carried_to_the_next_meeting() -> None:
    s = schedule()
    meeting(s, 1, (B,), absent={A})  # A due but absent; B takes the slot
    (turn,) = s.next_turns(1, set())
    assert turn.member_id == A
    assert (turn.carried_from, turn.carried_reason) == (date(2025, 1, 3), CarryReason.ABSENT)
    vi, en = turn.why()
    assert "vắng mặt" in vi
    assert "carried over" in en


def test_an_absent_due_member_is_replaced_by_the_next_in_line() -> None:
    """Issue 12 §5: the turn is not lost; the absentee keeps their place."""
    s = schedule()
    assert [t.member_id for t in s.next_turns(1, set(), {A})] == [B]
    meeting(s, 1, (), absent={A})
    assert s.carried[A][1] is CarryReason.ABSENT
    assert s.carried[B][1] is CarryReason.NOT_TAKEN  # B was due in A's stead
    assert C not in s.carried
    assert due(s) == [A]
    t = schedule()
    meeting(t, 1, (B,), absent={A})
    assert (t.carried[A][1], C in t.carried) == (CarryReason.ABSENT, False)
    assert due(t) == [A]


def test_the_replacement_names_the_absent_member_it_stands_for() -> None:
    """At a meeting under way the list says who replaces whom (issue 12 §5)."""
    s = schedule(A, B, C, D)
    (turn,) = s.next_turns(1, set(), {A})
    assert (turn.member_id, turn.replaces) == (B, A)
    # Two turns, the first due absent: B was due anyway, C comes in for A.
    assert [(t.member_id, t.replaces) for t in s.next_turns(2, set(), {A})] == [(B, None), (C, A)]
    # Two due absent: each newcomer stands for one, in order.
    assert [(t.member_id, t.replaces) for t in s.next_turns(2, set(), {A, B})] == [(C, A), (D, B)]
    # Nobody absent: nobody replaces anybody.
    assert [t.replaces for t in s.next_turns(2, set())] == [None, None]


def test_exempted_member_keeps_place_and_is_skipped_meanwhile() -> None:
    s = schedule()
    assert due(s, exempted={A}) == [B]
    meeting(s, 1, (B,), exempted={A})
    assert s.carried[A][1] is CarryReason.EXEMPTED
    (turn,) = s.next_turns(1, {A})
    assert (turn.member_id, turn.skipped_exempted) == (C, (A,))
    assert due(s) == [A]  # exemption over: A is first again


def test_due_member_present_but_not_taking_turn_is_carried() -> None:
    s = schedule()
    meeting(s, 1, ())
    assert s.carried[A][1] is CarryReason.NOT_TAKEN
    assert due(s) == [A]


def test_new_member_joins_the_end_and_leavers_drop_out() -> None:
    s = schedule()
    s.sync_roster(
        {A: date(2020, 1, 1), C: date(2020, 1, 1), D: date(2025, 2, 10)}, date(2025, 3, 1), BY
    )
    assert s.queue() == [A, C, D]
    assert B in s.dropped
    meeting(s, 3, (A,))
    meeting(s, 4, (C,))
    (turn,) = s.next_turns(1, set())
    assert (turn.member_id, turn.joined_on) == (D, date(2025, 2, 10))
    assert "new member" in turn.why()[1]


def test_sync_is_idempotent() -> None:
    s = schedule()
    s.sync_roster(
        {A: date(2020, 1, 1), B: date(2020, 1, 1), C: date(2020, 1, 1)}, date(2025, 3, 1), BY
    )
    assert s.collect_events()[1:] == []


def test_member_who_returns_does_not_take_a_second_turn() -> None:
    s = schedule()
    meeting(s, 1, (A,))
    s.sync_roster({B: date(2020, 1, 1), C: date(2020, 1, 1)}, date(2025, 2, 1), BY)
    s.sync_roster(
        {A: date(2025, 3, 1), B: date(2020, 1, 1), C: date(2020, 1, 1)}, date(2025, 3, 1), BY
    )
    assert s.queue() == [B, C]
    assert s.coverage().taken == 1


def test_turn_taken_once_per_cycle() -> None:
    s = schedule()
    meeting(s, 1, (A,))
    with pytest.raises(TurnAlreadyTaken):
        s.take_turn(A, uuid4(), date(2025, 2, 3), True, 1, BY)


def test_everyone_performs_before_anyone_performs_twice() -> None:
    """Issue 12 §5: A performed in January; while B or C, able to perform at this meeting,
    has not, A does not perform again. Members unable to (exempted, away) do not hold A back,
    and once everyone has performed A may again."""
    s = schedule()
    meeting(s, 1, (A,))
    s.check_second_turn(B, {A, B, C})  # a first turn is never held back
    with pytest.raises(SecondTurnBeforeEveryone) as refused:
        s.check_second_turn(A, {A, B, C})
    assert refused.value.details["waiting"] == [str(B), str(C)]
    assert "lần thứ hai" in refused.value.vi
    s.check_second_turn(A, {A})  # B and C exempted or away at this meeting
    meeting(s, 2, (B, C), turns=2)
    s.check_second_turn(A, {A, B, C})


def test_unknown_or_departed_member_cannot_take_a_turn() -> None:
    s = schedule()
    with pytest.raises(MemberNotInRotation):
        s.take_turn(D, uuid4(), date(2025, 2, 3), True, 1, BY)
    s.sync_roster({A: date(2020, 1, 1)}, date(2025, 2, 1), BY)
    with pytest.raises(MemberNotInRotation):
        s.take_turn(B, uuid4(), date(2025, 2, 3), True, 1, BY)


def test_turns_per_meeting_limit() -> None:
    s = schedule()
    mid = uuid4()
    s.take_turn(A, mid, date(2025, 1, 3), True, 2, BY)
    s.take_turn(B, mid, date(2025, 1, 3), True, 2, BY)
    with pytest.raises(TooManyTurnsAtMeeting):
        s.take_turn(C, mid, date(2025, 1, 3), True, 2, BY)


def test_only_regular_meetings_inside_the_cycle() -> None:
    s = schedule()
    with pytest.raises(TurnsOnlyAtRegularMeetings):
        s.take_turn(A, uuid4(), date(2025, 1, 3), False, 1, BY)
    with pytest.raises(MeetingOutsideCycle):
        s.take_turn(A, uuid4(), date(2026, 1, 3), True, 1, BY)


def test_a_meeting_is_settled_once_and_closes_its_turns() -> None:
    s = schedule()
    mid = meeting(s, 1, (A,))
    with pytest.raises(MeetingAlreadySettled):
        s.settle_meeting(mid, date(2025, 1, 3), True, 1, set(), set(), BY)
    with pytest.raises(MeetingAlreadySettled):
        s.take_turn(B, mid, date(2025, 1, 3), True, 1, BY)


def test_two_turns_per_meeting_carry_both_absentees() -> None:
    s = schedule(A, B, C, D)
    meeting(s, 1, (C,), turns=2, absent={A})
    # A absent (carried); B present but not taken (carried); C volunteered.
    assert {m: r for m, (_, r) in s.carried.items()} == {
        A: CarryReason.ABSENT,
        B: CarryReason.NOT_TAKEN,
    }
    assert due(s, turns=2) == [A, B]


def test_coverage_at_cycle_end() -> None:
    s = schedule(A, B, C, D)
    meeting(s, 1, (A,))
    meeting(s, 2, (B,))
    s.sync_roster(
        {A: date(2020, 1, 1), B: date(2020, 1, 1), C: date(2020, 1, 1)}, date(2025, 3, 1), BY
    )
    cov = s.coverage()
    assert (cov.eligible, cov.taken, cov.not_taken) == (3, 2, (C,))
    assert cov.rate == pytest.approx(2 / 3)


def test_events_round_trip_through_the_mapper() -> None:
    s = schedule()
    meeting(s, 1, (B,), absent={A})
    s.sync_roster(
        {A: date(2020, 1, 1), B: date(2020, 1, 1), D: date(2025, 2, 1)}, date(2025, 2, 1), BY
    )
    copy = rebuilt_through_the_mapper(s)
    assert isinstance(copy, RotationSchedule)
    assert copy.queue() == s.queue() == [A, D]
