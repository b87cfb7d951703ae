"""SQL of the meeting register projection (:mod:`projections.meetings`); ``{s}`` = schema.

Streaks of consecutive absences are kept incrementally: ``meeting_absence_state`` holds each
member's latest regular meeting (by period, day, id) and the streak there. Seats that come
after it (the normal case, and every rebuild) are inserted with their streak continued from
that state by one window over the batch's own rows; a member with a seat before the state (a
back-dated meeting) or a mark changed on a meeting of an earlier batch has the whole history
recomputed (``RECOMPUTE_SQL``).
"""

from __future__ import annotations

TABLES = ("meeting_absence_state", "meeting_cell_month", "meeting_attendance", "meetings")

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.meetings (id uuid PRIMARY KEY, cell_id uuid NOT NULL,"
    " kind text NOT NULL, year int NOT NULL, month int NOT NULL, scheduled_at timestamptz,"
    " topic text, started_at timestamptz, held_on date, ended_at timestamptz,"
    " is_late boolean NOT NULL DEFAULT false, closed boolean NOT NULL DEFAULT false,"
    " rating text, score_total int, expected int NOT NULL DEFAULT 0,"
    " present int NOT NULL DEFAULT 0, excused int NOT NULL DEFAULT 0,"
    " unexcused int NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS meetings_cell_period ON {s}.meetings (cell_id, year, month)",
    "CREATE TABLE IF NOT EXISTS {s}.meeting_attendance (meeting_id uuid NOT NULL,"
    " member_id uuid NOT NULL, exempted boolean NOT NULL, mark text, cell_id uuid, kind text,"
    " year int, month int, held_on date, streak int NOT NULL DEFAULT 0,"
    " PRIMARY KEY (meeting_id, member_id))",
    "CREATE INDEX IF NOT EXISTS meeting_attendance_member ON {s}.meeting_attendance (member_id)",
    "CREATE INDEX IF NOT EXISTS meeting_attendance_streak ON {s}.meeting_attendance"
    " (cell_id, year, month) WHERE streak >= 3",
    "CREATE TABLE IF NOT EXISTS {s}.meeting_cell_month (cell_id uuid NOT NULL, year int NOT NULL,"
    " month int NOT NULL, regular_held boolean NOT NULL, on_time boolean NOT NULL,"
    " late boolean NOT NULL, thematic_held int NOT NULL, meetings_held int NOT NULL,"
    " expected int NOT NULL, present int NOT NULL, excused int NOT NULL, unexcused int NOT NULL,"
    " rating text, absent3 int NOT NULL, PRIMARY KEY (cell_id, year, month))",
    "CREATE TABLE IF NOT EXISTS {s}.meeting_absence_state (member_id uuid PRIMARY KEY,"
    " year int NOT NULL, month int NOT NULL, held_on date NOT NULL, meeting_id uuid NOT NULL,"
    " streak int NOT NULL)",
)

# One row per meeting opened in the batch; its seats travel as three arrays (written as array
# literals straight from msgspec's JSON) that the server unnests: far cheaper than one Python
# row per seat.
STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS chibo_opened_seats (meeting_id uuid NOT NULL,"
    " held_on date NOT NULL, members uuid[] NOT NULL, exempted boolean[] NOT NULL,"
    " marks text[] NOT NULL) ON COMMIT DELETE ROWS"
)
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
ORDER = "year, month, held_on, meeting_id"
ABSENT = "coalesce(mark IN ('excused', 'unexcused'), false)"
SEATS = """
  SELECT o.meeting_id, u.member_id, u.exempted, u.mark, m.cell_id, m.kind, m.year, m.month,
         o.held_on
  FROM pg_temp.chibo_opened_seats AS o JOIN {s}.meetings AS m ON m.id = o.meeting_id
  CROSS JOIN unnest(o.members, o.exempted, o.marks) AS u(member_id, exempted, mark)
"""
# Members with a new regular seat that does not come after their saved state.
OUT_OF_ORDER_SQL = f"""
WITH seats AS ({SEATS})
SELECT DISTINCT seats.member_id FROM seats
JOIN {{s}}.meeting_absence_state AS st ON st.member_id = seats.member_id
WHERE seats.kind = 'regular'
  AND (seats.year, seats.month, seats.held_on, seats.meeting_id)
   <= (st.year, st.month, st.held_on, st.meeting_id)
"""
# The seats go in with their streak already computed, in one pass. A streak is the number of
# absences since the last attendance: rows are grouped by how many attended meetings precede
# them (``run``); the streak is the absences so far in the group, plus the saved streak while
# no attendance has been seen in this batch (run = 0). Only regular seats of members not
# recomputed in full (``tracked``) count.
SEATS_SQL = f"""
WITH slow AS (SELECT DISTINCT unnest(%(slow)s::uuid[]) AS member_id), seats AS (
  SELECT seats.*, seats.kind = 'regular' AND slow.member_id IS NULL AS tracked,
         {ABSENT} AS absent, coalesce(st.streak, 0) AS carried
  FROM ({SEATS}) AS seats
  LEFT JOIN slow ON slow.member_id = seats.member_id
  LEFT JOIN {{s}}.meeting_absence_state AS st ON st.member_id = seats.member_id
), runs AS (
  SELECT seats.*, count(*) FILTER (WHERE tracked AND NOT absent) OVER (PARTITION BY member_id
         ORDER BY {ORDER} ROWS UNBOUNDED PRECEDING) AS run FROM seats
), streaks AS (
  SELECT runs.*, CASE WHEN tracked AND absent THEN count(*) FILTER (WHERE tracked AND absent)
         OVER (PARTITION BY member_id, run ORDER BY {ORDER} ROWS UNBOUNDED PRECEDING)
         + CASE WHEN run = 0 THEN carried ELSE 0 END ELSE 0 END AS streak FROM runs
), saved AS (
  INSERT INTO {{s}}.meeting_absence_state
  SELECT DISTINCT ON (member_id) member_id, year, month, held_on, meeting_id, streak
  FROM streaks WHERE tracked
  ORDER BY member_id, year DESC, month DESC, held_on DESC, meeting_id DESC
  ON CONFLICT (member_id) DO UPDATE SET year = excluded.year, month = excluded.month,
  held_on = excluded.held_on, meeting_id = excluded.meeting_id, streak = excluded.streak
)
INSERT INTO {{s}}.meeting_attendance
  (meeting_id, member_id, exempted, mark, cell_id, kind, year, month, held_on, streak)
SELECT meeting_id, member_id, exempted, mark, cell_id, kind, year, month, held_on, streak
FROM streaks
"""
RECOMPUTE_SQL = f"""
WITH ordered AS (
  SELECT meeting_id, member_id, year, month, held_on, {ABSENT} AS absent,
         count(*) FILTER (WHERE NOT {ABSENT}) OVER (PARTITION BY member_id ORDER BY {ORDER}
         ROWS UNBOUNDED PRECEDING) AS run
  FROM {{s}}.meeting_attendance WHERE member_id = ANY(%(slow)s::uuid[]) AND kind = 'regular'
), streaks AS (
  SELECT ordered.*, CASE WHEN absent THEN count(*) FILTER (WHERE absent) OVER (PARTITION BY
         member_id, run ORDER BY {ORDER} ROWS UNBOUNDED PRECEDING) ELSE 0 END AS streak
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
FACTS_SQL = (
    "INSERT INTO {s}.meeting_cell_month SELECT m.cell_id, m.year, m.month,"
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
    "  WHERE a.cell_id = m.cell_id AND a.year = m.year AND a.month = m.month AND a.streak >= 3)"
    " FROM {s}.meetings AS m JOIN unnest(%(cells)s::uuid[], %(years)s::int[], %(months)s::int[])"
    "  AS k(cell_id, year, month) ON (m.cell_id, m.year, m.month) = (k.cell_id, k.year, k.month)"
    " GROUP BY m.cell_id, m.year, m.month"
    " ON CONFLICT (cell_id, year, month) DO UPDATE SET regular_held = excluded.regular_held,"
    " on_time = excluded.on_time, late = excluded.late, thematic_held = excluded.thematic_held,"
    " meetings_held = excluded.meetings_held, expected = excluded.expected,"
    " present = excluded.present, excused = excluded.excused, unexcused = excluded.unexcused,"
    " rating = excluded.rating, absent3 = excluded.absent3"
)
TOUCHED_SQL = "SELECT DISTINCT cell_id, year, month FROM {s}.meetings WHERE id = ANY(%(meetings)s)"
