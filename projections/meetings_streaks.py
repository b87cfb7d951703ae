"""Absence streaks (chuỗi vắng liên tiếp) walked in Python, and a replay's in-memory state.

A member's streak at a regular seat is the number of regular meetings in a row, up to that
one, the member was absent from (excused or not), in the order ``(year, month, held_on,
meeting_id)``. ``meeting_absence_state`` keeps, per member, the latest regular seat and the
streak there, so a batch's new seats continue it (:func:`walk`). A member with a new seat that
does not come after the state (a back-dated meeting), or with a mark changed on a meeting of
an earlier batch, is "slow": the whole history is recomputed in SQL (``RECOMPUTE_SQL``).

The state is a cache of ``meeting_attendance``: after every batch it equals the latest regular
seat of each member and the true streak there, whoever applied the batches and however they
were cut. That is what lets a replay keep it in memory (:class:`ReplayState`) instead of
reading it back at every batch, as long as the checkpoint shows nobody else moved it.

Member and meeting ids are their canonical text (as msgspec stores them and PostgreSQL
prints them): text orders as the UUIDs' bytes do, hashes in C, and goes into array literals
as is.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableSequence, Sequence
from datetime import date
from typing import Any

import msgspec
import psycopg

from projections import meetings_sql as sql
from projections import tracking

Key = tuple[int, int, date, str]
"""(year, month, held_on, meeting id): the order of a member's regular seats."""
State = tuple[Key, int]
"""A member's latest regular seat and the streak there."""
ABSENT = frozenset(b"eu")
"""The mark letters of an absence (excused, unexcused), as ``Seats.marks`` holds them."""
_encode = msgspec.json.Encoder().encode
_JSON_TO_ARRAY = bytes.maketrans(b"[]", b"{}")


def array_literal(values: list[Any]) -> str:
    """A PostgreSQL array literal of ids, booleans, numbers, dates or plain words, via msgspec.

    ``["6f1…", "0a2…"]`` becomes ``{6f1…,0a2…}`` and ``null`` stays a NULL element; valid only
    for values without commas, quotes, braces or spaces, which is all that is passed here.
    """
    return _encode(values).translate(_JSON_TO_ARRAY, b'"').decode()


def _run(conn: psycopg.Connection[Any], schema: str, statement: str, **params: Any) -> Any:
    quoted = psycopg.sql.Identifier(schema).as_string(conn)
    return conn.execute(statement.replace("{s}", quoted).encode(), params)


def load(conn: psycopg.Connection[Any], schema: str, members: str | None) -> dict[str, State]:
    """The saved state of ``members`` (an array literal), or of everyone when None.

    Keys of one meeting are shared, so a whole province's state costs one dict entry and
    one interned pair per member.
    """
    if members is None:
        cursor = _run(conn, schema, sql.LOAD_STATE_SQL)
    else:
        cursor = _run(conn, schema, sql.LOAD_STATE_SQL + sql.OF_MEMBERS, members=members)
    keys: dict[str, Key] = {}
    pairs: dict[tuple[str, int], State] = {}
    states: dict[str, State] = {}
    for member, year, month, held_on, meeting, streak in cursor:
        key = keys.get(meeting)
        if key is None:
            key = keys[meeting] = (year, month, held_on, meeting)
        pair = pairs.get((meeting, streak))
        if pair is None:
            pair = pairs[meeting, streak] = (key, streak)
        states[member] = pair
    return states


def walk(
    meetings: Iterable[
        tuple[Key, Sequence[str], bytes | bytearray, MutableSequence[int], bytearray]
    ],
    states: dict[str, State],
    slow: set[str],
) -> tuple[int, int]:
    """Continue streaks over regular meetings sorted by key.

    Each meeting is (key, members, marks, streaks and moves to fill). ``states`` is updated in
    place; each member's last seat here gets move 1 (its saved state moves there) or 2 (it
    had none). A member whose first seat here does not come after the saved state joins
    ``slow``: its seats keep 0 until ``RECOMPUTE_SQL``. Seats come sorted, so a member's later
    seat always comes after the state the walk itself moved. Returns how many states move
    and how many are new.
    """
    moves_of: list[bytearray] = []
    last: dict[str, int] = {}  # member: its last seat, as meeting number << 20 | seat number
    fresh: set[str] = set()
    for number, (key, members, marks, streaks, moves) in enumerate(meetings):
        moves_of.append(moves)
        pairs = [(key, 0)]  # every member at this meeting with streak n shares one pair
        at = number << 20
        for i, member in enumerate(members):
            if slow and member in slow:
                continue
            state = states.get(member)
            if state is None:
                carried = 0
                fresh.add(member)  # only ever at its first seat here
            elif state[0] < key:
                carried = state[1]
            else:
                slow.add(member)
                continue
            if marks[i] in ABSENT:
                streak = carried + 1
                while len(pairs) <= streak:
                    pairs.append((key, len(pairs)))
                streaks[i] = streak
                states[member] = pairs[streak]
            else:
                states[member] = pairs[0]
            last[member] = at | i
    for member, seat in last.items():
        moves_of[seat >> 20][seat & 0xFFFFF] = 2 if member in fresh else 1
    return len(last) - len(fresh), len(fresh)


def save(conn: psycopg.Connection[Any], schema: str, moved: int, fresh: int) -> None:
    """Move the saved states to the seats ``walk`` marked (staged in ``chibo_meeting_seats``)."""
    if moved:
        _run(conn, schema, sql.MOVE_STATES_SQL)
    if fresh:
        _run(conn, schema, sql.NEW_STATES_SQL)


class ReplayState:
    """Every member's state, kept between the batches of one replay of one schema.

    ``position`` is the notification id of the last event of the last batch applied through
    it, or None when unknown. A batch trusts the states only if the checkpoint it runs from
    is that position: otherwise another runner moved the checkpoint, or the previous batch
    rolled back, and the states are read again from the table (which then is the truth).
    """

    __slots__ = ("position", "schema", "states")

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.position: int | None = None
        self.states: dict[str, State] = {}

    def begin(self, conn: psycopg.Connection[Any], schema: str, name: str) -> dict[str, State]:
        """The states at the batch's start (read again if the checkpoint is not ours)."""
        if tracking.read_position(conn, schema, name) != self.position:
            self.states = {}  # drop first: the old dict is garbage while the new one loads
            self.states = load(conn, schema, None)
        # Believed invalid until the batch has run to its end.
        self.position = None
        return self.states

    def end(self, position: int) -> None:
        self.position = position

    def forget(self) -> None:
        self.position = None
        self.states = {}
