"""Absence streaks (chuỗi vắng liên tiếp) walked in Python, and a replay's in-memory state.

A member's streak at a regular seat is the number of regular meetings in a row, up to that
one and within its year, the member was absent from **with a reason** (vắng có lý do), in the
order ``(year, month, held_on, meeting_id)``: HD 12-HD/BTCTW criterion 1 counts excused
absences "more than 3 times in a row within the year" (issue 12 §3); an unexcused absence fails
the criterion by itself and ends the run, and a new year starts a new count. ``meeting_absence_state`` keeps, per member, the latest regular seat and the
streak there, so a batch's new seats continue it (:func:`walk`). A member with a new seat that
does not come after the state (a back-dated meeting), or with a mark changed on a meeting of
an earlier batch, is "slow": the whole history is recomputed in SQL (``RECOMPUTE_SQL``).

The state is a cache of ``meeting_attendance``: whenever ``meeting_absence_cache.stale`` is
false it equals the latest regular seat of each member and the true streak there, whoever
applied the batches and however they were cut. A replay keeps it in memory
(:class:`ReplayState`) instead of reading it back at every batch, as long as the checkpoint
shows nobody else moved it, and instead of writing it: it marks the table stale in each batch
and writes it once caught up (``flush``, from ``settle``). Anyone else finding it stale (an
ordinary batch, a replay whose memory is not valid, a settle) first rebuilds it from the
seats (:func:`make_exact`), so an interrupted replay or another runner stays exact.

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
from projections.sets import copy_rows, run_sql

Key = tuple[int, int, date, str]
"""(year, month, held_on, meeting id): the order of a member's regular seats."""
State = tuple[Key, int]
"""A member's latest regular seat and the streak there."""
ABSENT = frozenset(b"e")
"""The mark letter of an absence that continues a streak (excused), as ``Seats.marks`` holds."""
_encode = msgspec.json.Encoder().encode
_JSON_TO_ARRAY = bytes.maketrans(b"[]", b"{}")


def array_literal(values: list[Any]) -> str:
    """A PostgreSQL array literal of ids, booleans, numbers, dates or plain words, via msgspec.

    ``["6f1…", "0a2…"]`` becomes ``{6f1…,0a2…}`` and ``null`` stays a NULL element; valid only
    for values without commas, quotes, braces or spaces, which is all that is passed here.
    """
    return _encode(values).translate(_JSON_TO_ARRAY, b'"').decode()


def load(conn: psycopg.Connection[Any], schema: str, members: str | None) -> dict[str, State]:
    """The saved state of ``members`` (an array literal), or of everyone when None.

    Keys of one meeting are shared, so a whole province's state costs one dict entry and
    one interned pair per member.
    """
    if members is None:
        cursor = run_sql(conn, schema, sql.LOAD_STATE_SQL)
    else:
        cursor = run_sql(conn, schema, sql.LOAD_STATE_SQL + sql.OF_MEMBERS, members=members)
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
    before: dict[str, State | None] | None = None,
) -> tuple[int, int]:
    """Continue streaks over regular meetings sorted by key.

    Each meeting is (key, members, marks, streaks and moves to fill). ``states`` is updated in
    place; each member's last seat here gets move 1 (its saved state moves there) or 2 (it
    had none). A member whose first seat here does not come after the saved state joins
    ``slow``: its seats keep 0 until ``RECOMPUTE_SQL``. Seats come sorted, so a member's later
    seat always comes after the state the walk itself moved. With ``before`` (a replay, which
    saves no states) no moves are marked; instead ``before`` gets each walked member's state
    before its first seat here, None if it had none (see :func:`rewalk`). Returns how many
    states move and how many are new.
    """
    replay = before is not None
    firsts = before if before is not None else {}
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
            elif state[0] < key:
                carried = state[1] if state[0][0] == key[0] else 0  # a new year starts anew
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
            if replay:  # no moves: a replay does not save states
                if member not in firsts:
                    firsts[member] = state
            else:
                if state is None:
                    fresh.add(member)  # only ever at its first seat here
                last[member] = at | i
    for member, seat in last.items():
        moves_of[seat >> 20][seat & 0xFFFFF] = 2 if member in fresh else 1
    return len(last) - len(fresh), len(fresh)


def rewalk(
    meetings: Iterable[
        tuple[Key, Sequence[str], bytes | bytearray, MutableSequence[int], bytearray]
    ],
    states: dict[str, State],
    members: set[str],
) -> list[tuple[str, str, int]]:
    """Walk ``meetings`` again for ``members`` only, their marks changed since the first walk.

    ``states`` must hold each member's state from before its first seat there (a walk's
    ``before``). Streaks are set again, 0 included; returns the (meeting id, member, streak)
    of every seat whose streak changed.
    """
    changed: list[tuple[str, str, int]] = []
    for key, seated, marks, streaks, _ in meetings:
        for i, member in enumerate(seated):
            if member not in members:
                continue
            if marks[i] in ABSENT:
                state = states.get(member)
                same_year = state is not None and state[0][0] == key[0]
                streak = (state[1] if state is not None and same_year else 0) + 1
            else:
                streak = 0
            states[member] = (key, streak)
            if streaks[i] != streak:
                streaks[i] = streak
                changed.append((key[3], member, streak))
    return changed


def save(conn: psycopg.Connection[Any], schema: str, moved: int, fresh: int) -> None:
    """Move the saved states to the seats ``walk`` marked (staged in ``chibo_meeting_seats``)."""
    if moved:
        run_sql(conn, schema, sql.MOVE_STATES_SQL)
    if fresh:
        run_sql(conn, schema, sql.NEW_STATES_SQL)


def make_exact(conn: psycopg.Connection[Any], schema: str) -> None:
    """Bring ``meeting_absence_state`` back in line with the seats if a replay left it stale
    (stopped before its end, or overtaken by another runner): one pass over the seats."""
    row = run_sql(conn, schema, sql.STALE_SQL).fetchone()
    if row is not None and not row[0]:
        return
    run_sql(conn, schema, sql.CLEAR_STATES_SQL)
    run_sql(conn, schema, sql.STATES_FROM_SEATS_SQL)
    run_sql(conn, schema, sql.MARK_STALE_SQL, stale=False)


class Carried:
    """The regular meetings the last batch of a replay opened, their seats still in memory.

    Nearly every cut of a replay falls between a meeting's opening and its marks, so the next
    batch changes marks of a meeting of this one: for the members marked there,
    :func:`rewalk` walks these meetings again from ``before`` (a walk's) instead of
    recomputing their whole history in SQL. ``seats`` are by meeting (UUID int), ``cells``
    the (cell, year, month) by meeting id text; ``slow`` are the members that batch recomputed in SQL, whose states
    did not come from the walk.
    """

    __slots__ = ("before", "cells", "meetings", "seats", "slow")

    def __init__(
        self,
        meetings: list[Any],
        seats: dict[int, Any],
        cells: dict[str, Any],
        before: dict[str, State | None],
        slow: set[str],
    ) -> None:
        self.meetings, self.seats, self.cells = meetings, seats, cells
        self.before, self.slow = before, slow


class ReplayState:
    """Every member's state, kept between the batches of one replay of one schema.

    ``position`` is the notification id of the last event of the last batch applied through
    it, or None when unknown. A batch trusts the states only if the checkpoint it runs from
    is that position: otherwise another runner moved the checkpoint, or the previous batch
    rolled back, and the states are read again from the table (made exact first, from the
    seats, if stale). Each batch marks the table stale and leaves it as it was; ``flush``
    writes the states once the replay has caught up.
    """

    __slots__ = ("carried", "position", "schema", "states", "topics")

    def __init__(self, schema: str, topics: Sequence[str]) -> None:
        self.schema, self.topics = schema, topics
        self.position: int | None = None
        self.states: dict[str, State] = {}
        self.carried: Carried | None = None

    def begin(self, conn: psycopg.Connection[Any], schema: str, name: str) -> dict[str, State]:
        """The states at the batch's start (read again if the checkpoint is not ours)."""
        if not self._ours(conn, schema, name):
            self.states, self.carried = {}, None  # the old dict is garbage while the new loads
            make_exact(conn, schema)
            self.states = load(conn, schema, None)
        run_sql(conn, schema, sql.MARK_STALE_SQL, stale=True)
        # Believed invalid until the batch has run to its end.
        self.position = None
        return self.states

    def end(self, position: int, carried: Carried | None) -> None:
        self.position, self.carried = position, carried

    def forget(self) -> None:
        self.position = None
        self.states = {}
        self.carried = None

    def flush(self, conn: psycopg.Connection[Any], schema: str, name: str) -> bool:
        """Write the states into the table and clear its stale flag, if the states are those
        at the checkpoint; False if they are not (then the table is left as it is)."""
        if not self._ours(conn, schema, name):
            return False
        row = run_sql(conn, schema, sql.STALE_SQL).fetchone()
        if row is not None and not row[0]:
            return True  # written already
        run_sql(conn, schema, sql.CLEAR_STATES_SQL)
        copy_rows(
            conn, schema, "meeting_absence_state", sql.STATE_COLUMNS,
            ((member, *key, streak) for member, (key, streak) in self.states.items()),
        )  # fmt: skip
        run_sql(conn, schema, sql.MARK_STALE_SQL, stale=False)
        return True

    def _ours(self, conn: psycopg.Connection[Any], schema: str, name: str) -> bool:
        """Whether the states are those at the checkpoint: it is where the last batch applied
        through here left it, or past it over no event of the projection's ``topics`` (the engine moves it
        to the head of the log after a short batch)."""
        if self.position is None:
            return False
        at = tracking.read_position(conn, schema, name)
        if at == self.position:
            return True
        if at < self.position:
            return False
        row = run_sql(conn, schema, sql.TOPICS_BETWEEN_SQL, after=self.position, upto=at,
                      topics=list(self.topics)).fetchone()  # fmt: skip
        return row is not None and not row[0]
