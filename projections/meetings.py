"""The meeting register (sổ sinh hoạt chi bộ) per cell per month, and the facts rollups sum.

Tables:

- ``meetings``: one row per meeting: cell, kind, period (year, month), when it was held, late
  or on time, closed, quality rating, and its attendance counts;
- ``meeting_attendance``: one row per member on the roster frozen at opening, with the mark
  (present / excused / unexcused; NULL while unmarked) and ``streak``: how many regular
  meetings in a row, up to this one, the member has been absent from (excused or not);
- ``meeting_cell_month``: one row per (cell, year, month) with a meeting: whether a regular
  meeting was held, on time or late, thematic meetings held, attendance sums over regular
  meetings, the regular meeting's rating, and members at ≥ 3 consecutive absences;
- ``meeting_absence_state``: each member's latest regular meeting and streak there, so new
  meetings continue the streak without rereading history (see
  :mod:`projections.meetings_streaks`). A cache read only here: exact whenever
  ``meeting_absence_cache.stale`` is false; a replay marks it stale and writes it once caught
  up (``settle``), and whoever finds it stale without that memory rebuilds it from the seats.

A meeting is "held" once it is opened. Attendance counts follow ``Meeting.quality_evidence``:
an exempted member who stays away is not expected. Each batch folds its events in memory
(decoding only the fields read here), works out the counts and streaks of the seats it opens
in Python, writes rows set-based, then recomputes in SQL only what depends on earlier
batches: members recomputed in full, counts of meetings whose marks changed, and the
cell-month facts of what the batch touched. During a rebuild (``replaying``) the streak
states stay in memory between batches instead of being read back and written at each one,
and marks on a meeting opened by the previous batch (a batch cut between a meeting's opening
and its marks) walk its members again in memory rather than recompute them in SQL. Marks on a
thematic meeting change no streak.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg

from projections import meetings_sql as sql
from projections import meetings_streaks as streaks
from projections.base import StoredEventRow
from projections.meetings_batch import (
    TOPICS,
    Batch,
    Seats,
    fold,
)
from projections.meetings_sql import DDL, TABLES
from projections.meetings_streaks import Carried, ReplayState, array_literal
from projections.sets import OwnTables, copy_rows, run_sql, update_rows

__all__ = ["MEETINGS", "MeetingsProjection", "array_literal"]

COUNTS = ("expected", "present", "excused", "unexcused")
MEETING_COLUMNS = (
    "id", "cell_id", "kind", "year", "month", "scheduled_at", "topic", "started_at",
    "held_on", "ended_at", "is_late", "closed", "rating", "score_total", *COUNTS,
)  # fmt: skip
MEETING_TYPES = (
    "uuid", "uuid", "text", "int4", "int4", "timestamptz", "text", "timestamptz", "date",
    "timestamptz", "bool", "bool", "text", "float8", "int4", "int4", "int4", "int4",
)  # fmt: skip
DEFAULTS = {"is_late": False, "closed": False, "expected": 0, "present": 0, "excused": 0,
            "unexcused": 0}  # fmt: skip


class MeetingsProjection(OwnTables):
    name = "meetings"
    # 2: streaks of excused absences within the year (issue 12 §3, projections.meetings_streaks)
    # and the weighted quality score in meetings.score_total (issue 12 §4)
    # 3: seats on special duty (armed forces) left out of the absent-over-3 figure (issue 12 §3)
    version = 3  # bump when the tables or what apply writes change (projections.versions)
    ddl = DDL
    tables = TABLES
    topics: tuple[str, ...] = TOPICS
    # Half the cost of writing a replay's seats. Only RECOMPUTE_SQL reads it, for the few
    # members recomputed in full; a replay's batches rarely have any (a batch boundary between
    # a meeting's opening and its marks), and it works without it, by a scan.
    deferred_indexes = ("meeting_attendance_member",)

    def __init__(self) -> None:
        # Per thread: a worker thread applying batches of the same province must not see the
        # state of a replay running in another thread.
        self._local = threading.local()

    @contextmanager
    def replaying(self, schema: str) -> Iterator[None]:
        """Keep every member's streak state in memory between the batches applied by this
        thread to ``schema`` (a rebuild's replay), instead of reading it at every batch."""
        outer = getattr(self._local, "replay", None)
        self._local.replay = ReplayState(schema, self.topics)
        try:
            yield
        finally:
            self._local.replay = outer

    def settle(self, conn: psycopg.Connection[Any], schema: str) -> None:
        """Caught up: write the streak states a replay kept in memory, or, if the table was
        left stale without them (a replay stopped mid-way), rebuild it from the seats."""
        replay = self._replay(schema)
        if replay is None or not replay.flush(conn, schema, self.name):
            streaks.make_exact(conn, schema)

    def settled_by_apply(self, schema: str) -> bool:
        """Asked by the engine right after ``apply``, in its transaction: outside a replay,
        ``apply`` made the streak table exact itself, so ``settle`` has nothing to do."""
        return self._replay(schema) is None

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        replay = self._replay(schema)
        if replay is None:
            streaks.make_exact(conn, schema)  # a replay may have left it stale
            self._apply(conn, schema, events, None)
            return
        try:
            # Checked first, whatever the batch holds: the states must be those at its start.
            replay.begin(conn, schema, self.name)
            carried = self._apply(conn, schema, events, replay)
        except BaseException:
            replay.forget()  # the batch rolls back: its states never happened
            raise
        replay.end(events[-1].notification_id, carried)

    def discard(self, schema: str) -> None:
        """The engine rolled a batch back (see ``engine.run_batch``): a replay's states may
        include it, so they are read again from the table at the next batch."""
        replay = self._replay(schema)
        if replay is not None:
            replay.forget()

    def _replay(self, schema: str) -> ReplayState | None:
        replay: ReplayState | None = getattr(self._local, "replay", None)
        return replay if replay is not None and replay.schema == schema else None

    def _apply(
        self,
        conn: psycopg.Connection[Any],
        schema: str,
        events: Sequence[StoredEventRow],
        replay: ReplayState | None,
    ) -> Carried | None:
        """Apply a batch; a replay's ``replay`` holds every member's streak state and the
        seats of its previous batch, otherwise the batch's members are read from the table.
        Returns what a replay carries to its next batch."""
        states = replay.states if replay is not None else None
        carried = replay.carried if replay is not None else None
        batch = fold(events)
        places = self._write_meetings(conn, schema, batch)
        keys = {(cell, year, month) for cell, _, year, month in places.values()}
        slow, again = self._marked(batch.marks, places, carried)
        if again and carried is not None and states is not None:
            keys |= self._walk_again(conn, schema, carried, again, states)
        walked = self._seats(conn, schema, batch.ids, batch.opened, places, slow, replay)
        self._write_marks(conn, schema, batch.marks)
        if slow:
            keys |= self._recompute(conn, schema, slow, states)
        if keys:
            cells, years, months = (list(column) for column in zip(*keys, strict=True))
            run_sql(conn, schema, sql.FACTS_SQL, cells=cells, years=years, months=months,
                    position=events[-1].notification_id)  # fmt: skip
        return walked

    @staticmethod
    def _write_meetings(
        conn: psycopg.Connection[Any], schema: str, batch: Batch
    ) -> dict[int, tuple[Any, str, int, int]]:
        """New meetings in one COPY, changes to earlier ones as UPDATEs, the seats' counts
        with them; returns (cell, kind, year, month) of every meeting the batch touched."""
        new, ids = batch.new, batch.ids
        places = {m: (f["cell_id"], f["kind"], f["year"], f["month"]) for m, f in new.items()}
        earlier = [meeting for key, meeting in ids.items() if key not in new]
        if earlier:
            rows = run_sql(conn, schema, sql.PLACES_SQL, meetings=earlier).fetchall()
            places.update((row[0].int, row[1:]) for row in rows)
        for meeting, seats in batch.opened.items():
            if meeting in new:
                new[meeting].update(seats.counts())
            else:
                batch.patches.set(ids[meeting], **seats.counts())
        copy_rows(
            conn, schema, "meetings", MEETING_COLUMNS,
            ([m.get(c, DEFAULTS.get(c)) for c in MEETING_COLUMNS] for m in new.values()),
            MEETING_TYPES,
        )  # fmt: skip
        batch.patches.flush(conn, schema, "meetings")
        return places

    @staticmethod
    def _write_marks(
        conn: psycopg.Connection[Any], schema: str, marks: dict[tuple[Any, str], str]
    ) -> None:
        """Marks on seats of earlier batches, then those meetings' counts again."""
        if not marks:
            return
        update_rows(
            conn, schema, "meeting_attendance",
            (("meeting_id", "uuid"), ("member_id", "uuid"), ("mark", "text")),
            ["meeting_id", "member_id"],
            [(m, UUID(p), value) for (m, p), value in marks.items()],
        )  # fmt: skip
        run_sql(conn, schema, sql.COUNTS_SQL, meetings=list({m for m, _ in marks}))

    @staticmethod
    def _recompute(
        conn: psycopg.Connection[Any],
        schema: str,
        slow: set[str],
        states: dict[str, streaks.State] | None,
    ) -> set[tuple[Any, int, int]]:
        """Members whose streaks the batch cannot continue in memory, recomputed in SQL;
        returns the cell-months whose facts change."""
        members = array_literal(list(slow))
        keys = set(run_sql(conn, schema, sql.RECOMPUTE_SQL, slow=members).fetchall())
        if states is not None:
            # Recomputed in SQL: take the states it saved (none if no regular seat).
            for member in slow:
                states.pop(member, None)
            states.update(streaks.load(conn, schema, members))
        return keys

    @staticmethod
    def _marked(
        marks: dict[tuple[Any, str], str],
        places: dict[int, tuple[Any, str, int, int]],
        carried: Carried | None,
    ) -> tuple[set[str], set[str]]:
        """The members whose marks changed on regular meetings of earlier batches: those to
        recompute in SQL, and those to walk again over a replay's previous batch (marked
        there in memory). Marks of a thematic meeting change no streak."""
        slow: set[str] = set()
        again: set[str] = set()
        for (meeting, member), value in marks.items():
            place = places.get(meeting.int)
            if place is not None and place[1] != "regular":
                continue
            seats = None if carried is None else carried.seats.get(meeting.int)
            if seats is None or carried is None or member in carried.slow:
                slow.add(member)
            else:
                seats.mark(member, value)
                again.add(member)
        return slow, again - slow

    @staticmethod
    def _walk_again(
        conn: psycopg.Connection[Any],
        schema: str,
        carried: Carried,
        again: set[str],
        states: dict[str, streaks.State],
    ) -> set[tuple[Any, int, int]]:
        """Streaks of ``again`` over the previous batch's meetings, from their states before
        it; the seats that changed are written. Returns their cell-months."""
        for member in again:
            if member in carried.before:
                before = carried.before[member]
                if before is None:
                    states.pop(member, None)
                else:
                    states[member] = before
        changed = streaks.rewalk(carried.meetings, states, again)
        if not changed:
            return set()
        update_rows(
            conn, schema, "meeting_attendance",
            (("meeting_id", "uuid"), ("member_id", "uuid"), ("streak", "int4")),
            ["meeting_id", "member_id"], changed,
        )  # fmt: skip
        return {carried.cells[meeting] for meeting, _, _ in changed}

    def _seats(
        self,
        conn: psycopg.Connection[Any],
        schema: str,
        ids: dict[int, UUID],
        opened: dict[int, Seats],
        places: dict[int, tuple[Any, str, int, int]],
        slow: set[str],
        replay: ReplayState | None,
    ) -> Carried | None:
        """Work out the streaks of the seats opened in the batch, then write the seats and
        (outside a replay) the states they moved. Returns what a replay carries."""
        regular_ids = [m for m in opened if places[m][1] == "regular"]
        regular = sorted(
            (
                (places[m][2], places[m][3], opened[m].held_on, str(ids[m])),
                opened[m].members, opened[m].marks, opened[m].streaks, opened[m].moves,
            )
            for m in regular_ids
        )  # fmt: skip
        if replay is None:
            members = {m for seat in regular for m in seat[1]} - slow
            states = streaks.load(conn, schema, array_literal(list(members))) if members else {}
            moved, fresh = streaks.walk(regular, states, slow)
        else:
            before: dict[str, streaks.State | None] = {}
            streaks.walk(regular, replay.states, slow, before)
        if opened:
            conn.execute(sql.STAGING)
            copy_rows(
                conn, "pg_temp", "chibo_meeting_seats", sql.STAGED,
                (
                    (ids[meeting], *places[meeting], seats.held_on, *seats.packed())
                    for meeting, seats in opened.items()
                ),
            )  # fmt: skip
            run_sql(conn, schema, sql.SEATS_SQL)
        if replay is None:
            if opened:
                streaks.save(conn, schema, moved, fresh)
            return None
        # ``slow`` grows until the batch's end (RECOMPUTE_SQL): carried as the same set.
        return Carried(
            regular, {m: opened[m] for m in regular_ids},
            {str(ids[m]): (places[m][0], *places[m][2:]) for m in regular_ids}, before, slow,
        )  # fmt: skip


MEETINGS = MeetingsProjection()
