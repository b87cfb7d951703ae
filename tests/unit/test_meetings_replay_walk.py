"""The streak walk of the meetings projection, without a database."""

from __future__ import annotations

from array import array
from datetime import date

from projections.meetings_streaks import rewalk, walk


def seats(members: str, marks: str) -> tuple[list[str], bytearray, array[int], bytearray]:
    """One meeting's seats: one member per letter, marks as p / e / u / - (unmarked)."""
    size = len(members)
    return list(members), bytearray(marks.encode()), array("i", [0]) * size, bytearray(size)


def key(month: int, day: int, meeting: str, year: int = 2025) -> tuple[int, int, date, str]:
    return (year, month, date(year, month, day), meeting)


def test_streaks_continue_from_the_saved_state_and_stop_at_attendance():
    january = key(1, 6, "m0")
    states = {"a": (january, 2), "b": (january, 0)}
    feb, mar = seats("abc", "eue"), seats("abc", "p-e")
    meetings = [(key(2, 3, "m2"), *feb), (key(3, 3, "m3"), *mar)]
    moved, fresh = walk(meetings, states, set())
    # Only an excused absence continues a streak (HD 12 criterion 1); unexcused ends it.
    assert list(feb[2]) == [3, 0, 1]
    # Present or unmarked both end a streak; c, new here, counts from its first absence.
    assert list(mar[2]) == [0, 0, 2]
    assert states["a"] == (key(3, 3, "m3"), 0)
    assert states["c"] == (key(3, 3, "m3"), 2)
    # Each member's state moves to its last seat: 1 where it had a state, 2 where it had none.
    assert (list(feb[3]), list(mar[3])) == ([0, 0, 0], [1, 1, 2])
    assert (moved, fresh) == (2, 1)


def test_a_new_year_starts_the_count_anew():
    """Issue 12 §3: "more than 3 times in a row" is counted within the year."""
    december = key(12, 1, "m0", year=2024)
    states = {"a": (december, 3)}
    jan, feb = seats("a", "e"), seats("a", "e")
    walk([(key(1, 3, "m1"), *jan), (key(2, 3, "m2"), *feb)], states, set())
    assert (list(jan[2]), list(feb[2])) == ([1], [2])
    again = {"a": (december, 3)}
    assert rewalk([(key(1, 3, "m1"), *jan)], again, {"a"}) == []
    assert again["a"] == (key(1, 3, "m1"), 1)


def test_a_seat_not_after_the_saved_state_sends_the_member_to_a_full_recompute():
    states = {"a": (key(3, 3, "m3"), 1), "b": (key(1, 3, "m1"), 1)}
    slow = {"c"}
    feb = seats("abc", "eee")
    moved, fresh = walk([(key(2, 3, "m2"), *feb)], states, slow)
    assert slow == {"a", "c"}
    assert list(feb[2]) == [0, 2, 0]  # a and c: left for RECOMPUTE_SQL
    assert states["a"] == (key(3, 3, "m3"), 1)  # unchanged
    assert "c" not in states
    assert list(feb[3]) == [0, 1, 0]
    assert (moved, fresh) == (1, 0)


def test_members_at_one_meeting_with_one_streak_share_their_state():
    states: dict = {}
    mar = seats("abcd", "pepe")
    walk([(key(3, 3, "m3"), *mar)], states, set())
    assert states["a"] is states["c"]
    assert states["b"] is states["d"]


def test_a_replay_walk_records_the_states_before_and_a_rewalk_starts_from_them():
    january = key(1, 6, "m0")
    states = {"a": (january, 2), "b": (january, 0)}
    feb, mar = seats("abc", "eue"), seats("abc", "eee")
    meetings = [(key(2, 3, "m2"), *feb), (key(3, 3, "m3"), *mar)]
    before: dict = {}
    walk(meetings, states, set(), before)
    assert list(mar[2]) == [4, 1, 2]
    assert before == {"a": (january, 2), "b": (january, 0), "c": None}
    assert list(mar[3]) == [0, 0, 0]  # a replay marks no moves
    # February's marks change for a and c (the next batch's marks): walked again from before.
    feb[1][0], feb[1][2] = ord("p"), ord("u")
    for member in "ac":
        if before[member] is None:
            states.pop(member)
        else:
            states[member] = before[member]
    changed = rewalk(meetings, states, {"a", "c"})
    assert list(feb[2]) == [0, 0, 0]
    assert list(mar[2]) == [1, 1, 1]
    assert sorted(changed) == [("m2", "a", 0), ("m2", "c", 0), ("m3", "a", 1), ("m3", "c", 1)]
    assert states["a"] == (key(3, 3, "m3"), 1)
    assert states["c"] == (key(3, 3, "m3"), 1)
