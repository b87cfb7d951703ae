"""SQL of the meeting register projection (:mod:`projections.meetings`); ``{s}`` = schema.

Streaks of consecutive excused absences within a year are kept incrementally: ``meeting_absence_state`` holds each
member's latest regular meeting (by period, day, id) and the streak there. Seats that come
after it (the normal case, and every rebuild) get their streak continued from that state in
Python (:mod:`projections.meetings_streaks`) and go in with it; a member with a seat before
the state (a back-dated meeting) or a mark changed on a regular meeting of an earlier batch
has the whole history recomputed here (``RECOMPUTE_SQL``). ``meeting_absence_cache`` says
whether a replay left the state table stale (``STATES_FROM_SEATS_SQL`` makes it exact again).
"""

from __future__ import annotations

from infra.application import EVENTS_TABLE

TABLES = (
    "meeting_absence_cache",
    "meeting_absence_state",
    "meeting_cell_month",
    "meeting_attendance",
    "meetings",
)

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.meetings (id uuid PRIMARY KEY, cell_id uuid NOT NULL,"
    " kind text NOT NULL, year int NOT NULL, month int NOT NULL, scheduled_at timestamptz,"
    " topic text, started_at timestamptz, held_on date, ended_at timestamptz,"
    " is_late boolean NOT NULL DEFAULT false, closed boolean NOT NULL DEFAULT false,"
    " rating text, score_total double precision, expected int NOT NULL DEFAULT 0,"
    " present int NOT NULL DEFAULT 0, excused int NOT NULL DEFAULT 0,"
    " unexcused int NOT NULL DEFAULT 0)",
    # The weighted score (issue 12 §4) has a decimal: a table made when it was the plain sum
    # of integers widens in place (a no-op once it is double precision).
    "ALTER TABLE {s}.meetings ALTER COLUMN score_total TYPE double precision",
    "CREATE INDEX IF NOT EXISTS meetings_cell_period ON {s}.meetings (cell_id, year, month)",
    "CREATE TABLE IF NOT EXISTS {s}.meeting_attendance (meeting_id uuid NOT NULL,"
    " member_id uuid NOT NULL, exempted boolean NOT NULL, mark text, cell_id uuid, kind text,"
    " year int, month int, held_on date, streak int NOT NULL DEFAULT 0,"
    " special_duty boolean NOT NULL DEFAULT false, PRIMARY KEY (meeting_id, member_id))",
    # A table made before special duty (version 3) gets the column here, so that the index
    # below installs and ``chibo migrate`` reaches the rebuild the version asks for; without
    # it the install failed on every earlier province, which then was never migrated.
    "ALTER TABLE {s}.meeting_attendance ADD COLUMN IF NOT EXISTS special_duty boolean NOT NULL"
    " DEFAULT false",
    "CREATE INDEX IF NOT EXISTS meeting_attendance_member ON {s}.meeting_attendance (member_id)",
    "CREATE INDEX IF NOT EXISTS meeting_attendance_over_3_in_year ON {s}.meeting_attendance"
    " (cell_id, year, month) WHERE streak > 3 AND NOT exempted AND NOT special_duty",
    "CREATE TABLE IF NOT EXISTS {s}.meeting_cell_month (cell_id uuid NOT NULL, year int NOT NULL,"
    " month int NOT NULL, regular_held boolean NOT NULL, on_time boolean NOT NULL,"
    " late boolean NOT NULL, thematic_held int NOT NULL, meetings_held int NOT NULL,"
    " expected int NOT NULL, present int NOT NULL, excused int NOT NULL, unexcused int NOT NULL,"
    " rating text, absent3 int NOT NULL, PRIMARY KEY (cell_id, year, month))",
    # The log position of the batch that last rewrote the row: the per-node rollup
    # (projections.rollup) recomputes the cell-months changed after its own checkpoint.
    "ALTER TABLE {s}.meeting_cell_month ADD COLUMN IF NOT EXISTS position bigint NOT NULL"
    " DEFAULT 0",
    "CREATE INDEX IF NOT EXISTS meeting_cell_month_position ON {s}.meeting_cell_month (position)",
    # Most rows are rewritten by each batch of a replay: with room left on its page the new
    # version goes there (a HOT update) and the primary key is left alone. (A table made
    # before this setting gets it at its next rebuild.)
    "CREATE TABLE IF NOT EXISTS {s}.meeting_absence_state (member_id uuid PRIMARY KEY,"
    " year int NOT NULL, month int NOT NULL, held_on date NOT NULL, meeting_id uuid NOT NULL,"
    " streak int NOT NULL) WITH (fillfactor = 50)",
    # Whether meeting_absence_state may be behind meeting_attendance: a replay stops writing
    # it and flushes its memory at the end (projections.meetings_streaks). A new table is
    # exact: empty, as the seats are.
    "CREATE TABLE IF NOT EXISTS {s}.meeting_absence_cache (id int PRIMARY KEY CHECK (id = 1),"
    " stale boolean NOT NULL)",
    "INSERT INTO {s}.meeting_absence_cache VALUES (1, false) ON CONFLICT (id) DO NOTHING",
)

# One row per meeting opened in the batch, its seats packed into text the server splits:
# ``members`` the ids joined by commas, ``exempted`` and ``special_duty`` t/f, ``marks`` p(resent), e(xcused),
# u(nexcused) or - (unmarked), and ``moves`` 0/1/2, one character per seat. The server parses
# that in half the time of uuid[] and text[] literals. The streaks are already worked out
# (projections.meetings_streaks); ``moves`` marks each member's last regular seat of the
# batch, where its saved state moves to: 1 if it had one before, 2 if not.
STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS chibo_meeting_seats (meeting_id uuid NOT NULL,"
    " cell_id uuid NOT NULL, kind text NOT NULL, year int NOT NULL, month int NOT NULL,"
    " held_on date NOT NULL, members text NOT NULL, exempted text NOT NULL,"
    " special_duty text NOT NULL, marks text NOT NULL, streaks int[] NOT NULL, moves text NOT NULL) ON COMMIT DELETE ROWS"
)
STAGED = (
    "meeting_id", "cell_id", "kind", "year", "month", "held_on", "members", "exempted",
    "special_duty", "marks", "streaks", "moves",
)  # fmt: skip
UNPACK = (
    "CROSS JOIN unnest(string_to_array(o.members, ','), o.streaks) WITH ORDINALITY"
    " AS u(member_id, streak, n)"
)
SEATS_SQL = f"""
INSERT INTO {{s}}.meeting_attendance
  (meeting_id, member_id, exempted, special_duty, mark, cell_id, kind, year, month, held_on,
   streak)
SELECT o.meeting_id, u.member_id::uuid, substr(o.exempted, u.n::int, 1) = 't',
       substr(o.special_duty, u.n::int, 1) = 't',
       CASE substr(o.marks, u.n::int, 1) WHEN 'p' THEN 'present' WHEN 'e' THEN 'excused'
       WHEN 'u' THEN 'unexcused' END,
       o.cell_id, o.kind, o.year, o.month, o.held_on, u.streak
FROM pg_temp.chibo_meeting_seats AS o {UNPACK}
"""
MOVED = f"""
  SELECT u.member_id::uuid AS member_id, o.year, o.month, o.held_on, o.meeting_id, u.streak
  FROM pg_temp.chibo_meeting_seats AS o {UNPACK}
  WHERE strpos(o.moves, '{{move}}') > 0 AND substr(o.moves, u.n::int, 1) = '{{move}}'
"""
# States move only where the values differ (always, in practice: the meeting is new).
MOVE_STATES_SQL = f"""
UPDATE {{s}}.meeting_absence_state AS st SET year = s.year, month = s.month,
  held_on = s.held_on, meeting_id = s.meeting_id, streak = s.streak
FROM ({MOVED.format(move=1)}) AS s
WHERE st.member_id = s.member_id AND (st.year, st.month, st.held_on, st.meeting_id, st.streak)
  IS DISTINCT FROM (s.year, s.month, s.held_on, s.meeting_id, s.streak)
"""
NEW_STATES_SQL = f"""
INSERT INTO {{s}}.meeting_absence_state AS st {MOVED.format(move=2)}
ON CONFLICT (member_id) DO UPDATE SET year = excluded.year, month = excluded.month,
  held_on = excluded.held_on, meeting_id = excluded.meeting_id, streak = excluded.streak
WHERE (st.year, st.month, st.held_on, st.meeting_id, st.streak) IS DISTINCT FROM
  (excluded.year, excluded.month, excluded.held_on, excluded.meeting_id, excluded.streak)
"""
# Where the meetings of a batch that were scheduled in an earlier one sit.
PLACES_SQL = "SELECT id, cell_id, kind, year, month FROM {s}.meetings WHERE id = ANY(%(meetings)s)"
# Recounted only for meetings of earlier batches whose marks changed; a meeting opened in the
# batch gets its counts from Python with its row.
COUNTS_SQL = (
    "UPDATE {s}.meetings AS m SET expected = c.expected, present = c.present,"
    " excused = c.excused, unexcused = c.unexcused FROM (SELECT meeting_id,"
    "  count(*) FILTER (WHERE NOT exempted OR mark = 'present') AS expected,"
    "  count(*) FILTER (WHERE mark = 'present') AS present,"
    "  count(*) FILTER (WHERE mark = 'excused') AS excused,"
    "  count(*) FILTER (WHERE mark = 'unexcused') AS unexcused"
    "  FROM {s}.meeting_attendance WHERE meeting_id = ANY(%(meetings)s) GROUP BY meeting_id) AS c"
    " WHERE m.id = c.meeting_id"
)
# The state table, exact again from the seats: each member's latest regular seat.
STALE_SQL = "SELECT stale FROM {s}.meeting_absence_cache"
MARK_STALE_SQL = (
    "INSERT INTO {s}.meeting_absence_cache VALUES (1, %(stale)s)"
    " ON CONFLICT (id) DO UPDATE SET stale = excluded.stale"
    " WHERE meeting_absence_cache.stale <> excluded.stale"
)
CLEAR_STATES_SQL = "TRUNCATE {s}.meeting_absence_state"
STATES_FROM_SEATS_SQL = (
    "INSERT INTO {s}.meeting_absence_state SELECT DISTINCT ON (member_id) member_id, year,"
    " month, held_on, meeting_id, streak FROM {s}.meeting_attendance WHERE kind = 'regular'"
    " ORDER BY member_id, year DESC, month DESC, held_on DESC, meeting_id DESC"
)
STATE_COLUMNS = ("member_id", "year", "month", "held_on", "meeting_id", "streak")
# Whether a replay's states still hold at a checkpoint past its last batch.
TOPICS_BETWEEN_SQL = (
    f"SELECT EXISTS (SELECT FROM {{s}}.{EVENTS_TABLE} WHERE notification_id > %(after)s"
    " AND notification_id <= %(upto)s AND topic = ANY(%(topics)s))"
)
LOAD_STATE_SQL = (
    "SELECT member_id::text, year, month, held_on, meeting_id::text, streak"
    " FROM {s}.meeting_absence_state"
)
OF_MEMBERS = " WHERE member_id = ANY(%(members)s::uuid[])"
ORDER = "year, month, held_on, meeting_id"
ABSENT = "coalesce(mark = 'excused', false)"
RECOMPUTE_SQL = f"""
WITH ordered AS (
  SELECT meeting_id, member_id, year, month, held_on, {ABSENT} AS absent,
         count(*) FILTER (WHERE NOT {ABSENT}) OVER (PARTITION BY member_id, year ORDER BY {ORDER}
         ROWS UNBOUNDED PRECEDING) AS run
  FROM {{s}}.meeting_attendance WHERE member_id = ANY(%(slow)s::uuid[]) AND kind = 'regular'
), streaks AS (
  SELECT ordered.*, CASE WHEN absent THEN count(*) FILTER (WHERE absent) OVER (PARTITION BY
         member_id, year, run ORDER BY {ORDER} ROWS UNBOUNDED PRECEDING) ELSE 0 END AS streak
  FROM ordered
), saved AS (
  INSERT INTO {{s}}.meeting_absence_state
  SELECT DISTINCT ON (member_id) member_id, year, month, held_on, meeting_id, streak
  FROM streaks ORDER BY member_id, year DESC, month DESC, held_on DESC, meeting_id DESC
  ON CONFLICT (member_id) DO UPDATE SET year = excluded.year, month = excluded.month,
  held_on = excluded.held_on, meeting_id = excluded.meeting_id, streak = excluded.streak
)
UPDATE {{s}}.meeting_attendance AS a SET streak = s.streak FROM streaks AS s
WHERE a.meeting_id = s.meeting_id AND a.member_id = s.member_id AND a.streak <> s.streak
RETURNING a.cell_id, a.year, a.month
"""


def over_3(seat: str) -> str:
    """A seat counted by "absent with a reason more than 3 times in a row" (HD 12-HD/BTCTW
    criterion 1, issue 12 §3): the 4th excused absence in a row within the year or later, of a
    member neither exempted from meetings (miễn sinh hoạt) nor on special duty with the armed
    forces (làm nhiệm vụ đặc biệt) at that meeting."""
    return f"{seat}.streak > 3 AND NOT {seat}.exempted AND NOT {seat}.special_duty"


# Per cell-month through the (cell_id, year, month) index: a join grouped by cell-month sorted
# the whole ``meetings`` table at every batch of a replay.
FACTS_SQL = (
    "INSERT INTO {s}.meeting_cell_month (cell_id, year, month, regular_held, on_time, late,"
    " thematic_held, meetings_held, expected, present, excused, unexcused, rating, absent3,"
    " position) SELECT k.cell_id, k.year, k.month, f.*, %(position)s"
    " FROM unnest(%(cells)s::uuid[], %(years)s::int[], %(months)s::int[])"
    "  AS k(cell_id, year, month) CROSS JOIN LATERAL (SELECT"
    " bool_or(m.kind = 'regular' AND m.held_on IS NOT NULL),"
    " bool_or(m.kind = 'regular' AND m.held_on IS NOT NULL AND NOT m.is_late),"
    " bool_or(m.kind = 'regular' AND m.held_on IS NOT NULL)"
    "  AND NOT bool_or(m.kind = 'regular' AND m.held_on IS NOT NULL AND NOT m.is_late),"
    " count(*) FILTER (WHERE m.kind = 'thematic' AND m.held_on IS NOT NULL),"
    " count(*) FILTER (WHERE m.held_on IS NOT NULL),"
    " coalesce(sum(m.expected) FILTER (WHERE m.kind = 'regular'), 0),"
    " coalesce(sum(m.present) FILTER (WHERE m.kind = 'regular'), 0),"
    " coalesce(sum(m.excused) FILTER (WHERE m.kind = 'regular'), 0),"
    " coalesce(sum(m.unexcused) FILTER (WHERE m.kind = 'regular'), 0),"
    " (array_agg(m.rating ORDER BY m.held_on DESC) FILTER (WHERE m.kind = 'regular'"
    "  AND m.rating IS NOT NULL))[1],"
    " (SELECT count(DISTINCT a.member_id) FROM {s}.meeting_attendance AS a"
    "  WHERE a.cell_id = k.cell_id AND a.year = k.year AND a.month = k.month AND "
    + over_3("a")
    + ")"
    " FROM {s}.meetings AS m WHERE m.cell_id = k.cell_id AND m.year = k.year AND m.month = k.month"
    " HAVING count(*) > 0) AS f"
    " ON CONFLICT (cell_id, year, month) DO UPDATE SET regular_held = excluded.regular_held,"
    " on_time = excluded.on_time, late = excluded.late, thematic_held = excluded.thematic_held,"
    " meetings_held = excluded.meetings_held, expected = excluded.expected,"
    " present = excluded.present, excused = excluded.excused, unexcused = excluded.unexcused,"
    " rating = excluded.rating, absent3 = excluded.absent3, position = excluded.position"
)
