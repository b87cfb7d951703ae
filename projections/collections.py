"""Collections of the query API (danh mục): units as a tree, members, meetings, admission
cases, petitions, attendance plans and assignments, user accounts.

Each is a :class:`~projections.lists.ListSpec` over the read models, paged, filtered by name
and sorted by :func:`projections.lists.page`, like the inspection lists. They are not
inspection lists (not registered in :func:`projections.registry.list_specs`): their own
parameters come first ($1 is always the org unit whose subtree is shown) and every query keeps
to that subtree, which the route's policy has checked against the caller's scope.
"""

from __future__ import annotations

from projections.deadlines import STEP_KINDS
from projections.lists import (
    ASSIGNEE,
    CATEGORY,
    CELL,
    FULL_NAME,
    HELD_ON,
    KEY,
    KIND,
    PARENT,
    PERIOD,
    RATING,
    ROLE,
    STATE,
    Column,
    ListSpec,
)

# $1 the unit (NULL: every root), $2 the depth below it, $3 a level or NULL, $4 include the
# dissolved. ``tree_order`` sorts a unit after its parent and before the parent's next sibling.
# Members are counted once per cell of the subtree (``per_cell``, from the index of present
# members), then summed per listed unit over the closure: counting each listed unit's whole
# subtree again (the root counting the province, every committee its part) read 370,000 member
# rows for the audit page's picker at 6,000 cells. The second ``per_cell`` branch (every root)
# is pruned at planning whenever $1 is given, and the first finds nothing when it is not.
# Only the units of the level asked for are summed (a move form lists the province's
# committees of one level out of the whole tree).
UNITS = ListSpec(
    name="units",
    title_vi="Cây tổ chức đảng",
    title_en="Org tree",
    columns=(
        KEY,
        Column("name", "Tên tổ chức", "Name"),
        Column("level", "Cấp", "Level"),
        Column("depth", "Độ sâu", "Depth", "int"),
        PARENT,
        Column("children", "Số tổ chức trực thuộc", "Units under it", "int"),
        Column("members", "Số đảng viên", "Members", "int"),
        Column("tree_order", "Thứ tự cây", "Tree order"),
    ),
    sql="""
WITH RECURSIVE t AS (
  SELECT u.id, u.name, u.level, u.parent_id, u.founded_on, u.dissolved_on, 0 AS depth,
         ARRAY[u.name]::text[] AS path, lower(u.name) || chr(1) || u.id::text AS tree_order
  FROM {s}.org_units AS u
  WHERE (u.id = $1::uuid OR ($1::uuid IS NULL AND u.parent_id IS NULL))
  UNION ALL
  SELECT c.id, c.name, c.level, c.parent_id, c.founded_on, c.dissolved_on, t.depth + 1,
         t.path || c.name, t.tree_order || chr(2) || lower(c.name) || chr(1) || c.id::text
  FROM t JOIN {s}.org_units AS c ON c.parent_id = t.id
  WHERE t.depth < $2::int AND ($4::boolean OR c.dissolved_on IS NULL)
), per_cell AS (
  SELECT m.cell_id, count(*) AS n
  FROM {s}.org_closure AS d JOIN {s}.members AS m ON m.cell_id = d.descendant_id
  WHERE d.ancestor_id = $1::uuid AND m.departed_on IS NULL
  GROUP BY m.cell_id
  UNION ALL
  SELECT m.cell_id, count(*) AS n FROM {s}.members AS m
  WHERE $1::uuid IS NULL AND m.departed_on IS NULL
  GROUP BY m.cell_id
), sums AS (
  SELECT d.ancestor_id, sum(pc.n)::int AS n
  FROM t JOIN {s}.org_closure AS d ON d.ancestor_id = t.id
  JOIN per_cell AS pc ON pc.cell_id = d.descendant_id
  WHERE $3::text IS NULL OR t.level = $3::text
  GROUP BY d.ancestor_id
)
SELECT t.id::text AS key, t.id, t.name, t.level, t.depth, t.parent_id,
       coalesce(p.name, '') AS parent_name, t.path, t.founded_on, t.dissolved_on,
       (SELECT count(*) FROM {s}.org_units AS k
        WHERE k.parent_id = t.id AND k.dissolved_on IS NULL)::int AS children,
       coalesce(s.n, 0) AS members,
       t.tree_order
FROM t LEFT JOIN {s}.org_units AS p ON p.id = t.parent_id
LEFT JOIN sums AS s ON s.ancestor_id = t.id
WHERE $3::text IS NULL OR t.level = $3::text""",
    search="name",
    sorts=("tree_order", "name", "level", "members"),
    projections=("org_tree", "roster"),
)

# $1 the unit, $2 a status or NULL, $3 include members who left.
MEMBERS = ListSpec(
    name="members",
    title_vi="Đảng viên",
    title_en="Members",
    columns=(
        KEY,
        FULL_NAME,
        CELL,
        Column("status", "Loại đảng viên", "Status"),
        Column("admitted_on", "Ngày vào Đảng", "Admitted on", "date"),
        Column("official_on", "Ngày chính thức", "Official on"),
        Column("joined_cell_on", "Ngày về chi bộ", "Joined the cell on", "date"),
    ),
    sql="""
SELECT m.id::text AS key, m.id, m.full_name, m.cell_id, u.name AS cell_name, m.status,
       m.gender, m.admitted_on, coalesce(to_char(m.official_on, 'YYYY-MM-DD'), '') AS official_on,
       m.joined_cell_on, m.suspended,
       (m.exempted_from IS NOT NULL AND (m.exempted_until IS NULL
        OR m.exempted_until >= current_date)) AS exempted,
       m.departed_on, m.departure_reason
FROM {s}.org_closure AS d JOIN {s}.members AS m ON m.cell_id = d.descendant_id
JOIN {s}.org_units AS u ON u.id = m.cell_id
WHERE d.ancestor_id = $1::uuid AND ($2::text IS NULL OR m.status = $2::text)
  AND ($3::boolean OR m.departed_on IS NULL)""",
    search="full_name",
    sorts=("full_name", "cell_name", "admitted_on", "joined_cell_on"),
    projections=("org_tree", "roster"),
)

# $1 the unit (a cell, or a committee: its cells' meetings), $2 and $3 the period's first and
# last day, $4 a kind or NULL.
MEETINGS = ListSpec(
    name="meetings",
    title_vi="Các cuộc sinh hoạt chi bộ",
    title_en="Meetings",
    columns=(
        KEY,
        CELL,
        PERIOD,
        KIND,
        Column("scheduled_at", "Thời gian dự kiến", "Scheduled at", "timestamptz"),
        HELD_ON,
        RATING,
    ),
    sql="""
SELECT g.id::text AS key, g.id, g.cell_id, u.name AS cell_name,
       to_char(make_date(g.year, g.month, 1), 'YYYY-MM') AS period, g.kind,
       coalesce(g.scheduled_at, make_date(g.year, g.month, 1)::timestamptz) AS scheduled_at,
       coalesce(g.topic, '') AS topic, coalesce(to_char(g.held_on, 'YYYY-MM-DD'), '') AS held_on,
       g.closed, g.is_late, coalesce(g.rating, '') AS rating, g.score_total, g.expected,
       g.present, g.excused, g.unexcused
FROM {s}.org_closure AS d JOIN {s}.meetings AS g ON g.cell_id = d.descendant_id
JOIN {s}.org_units AS u ON u.id = g.cell_id
WHERE d.ancestor_id = $1::uuid
  AND make_date(g.year, g.month, 1) BETWEEN date_trunc('month', $2::date)::date AND $3::date
  AND ($4::text IS NULL OR g.kind = $4::text)""",
    search="cell_name",
    sorts=("scheduled_at", "period", "cell_name", "kind", "rating"),
    projections=("org_tree", "meetings"),
)

STEP_ORDER = ", ".join(f"'{kind}'" for kind in STEP_KINDS)

# $1 the unit, $2 today (Vietnam), $3 a step or NULL, $4 only overdue, $5 'open'/'ended'/NULL.
ADMISSION_CASES = ListSpec(
    name="admission_cases",
    title_vi="Hồ sơ kết nạp đảng viên",
    title_en="Admission cases",
    columns=(
        KEY,
        Column("applicant_name", "Người được xét kết nạp", "Applicant"),
        CELL,
        Column("step", "Bước hiện tại", "Current step"),
        Column("opened_on", "Ngày mở hồ sơ", "Opened on", "date"),
        Column("due_on", "Hạn của bước", "Step due on"),
        STATE,
    ),
    sql=f"""
SELECT * FROM (
  SELECT s.source_id::text AS key, s.source_id AS case_id, min(s.cell_id::text)::uuid AS cell_id,
         min(u.name) AS cell_name,
         (array_agg(s.subject_name ORDER BY s.opened_on, array_position(ARRAY[{STEP_ORDER}], s.kind)))[1]
           AS applicant_name,
         min(s.opened_on) AS opened_on,
         coalesce((array_agg(s.kind ORDER BY array_position(ARRAY[{STEP_ORDER}], s.kind) DESC)
           FILTER (WHERE s.done_on IS NULL))[1], '') AS step,
         coalesce(to_char((array_agg(s.due_on ORDER BY array_position(ARRAY[{STEP_ORDER}], s.kind) DESC)
           FILTER (WHERE s.done_on IS NULL))[1], 'YYYY-MM-DD'), '') AS due_on,
         CASE WHEN bool_or(s.done_on IS NULL) THEN 'open' ELSE 'ended' END AS state,
         coalesce(bool_or(s.done_on IS NULL AND s.due_on < $2::date), false) AS overdue,
         (array_agg(s.kind ORDER BY array_position(ARRAY[{STEP_ORDER}], s.kind) DESC))[1]
           AS last_step
  FROM {{s}}.org_closure AS d JOIN {{s}}.deadline_steps AS s ON s.cell_id = d.descendant_id
  JOIN {{s}}.org_units AS u ON u.id = s.cell_id
  WHERE d.ancestor_id = $1::uuid
  GROUP BY s.source_id
) AS c
WHERE ($3::text IS NULL OR c.step = $3::text) AND (NOT $4::boolean OR c.overdue)
  AND ($5::text IS NULL OR c.state = $5::text)""",
    search="applicant_name",
    sorts=("opened_on", "applicant_name", "cell_name", "step", "due_on", "state"),
    projections=("org_tree", "deadlines"),
)

# $1 the unit, $2 today, $3 a state or NULL, $4 only overdue.
PETITIONS = ListSpec(
    name="petitions",
    title_vi="Kiến nghị",
    title_en="Petitions",
    columns=(
        KEY,
        CELL,
        CATEGORY,
        Column("raised_on", "Ngày tiếp nhận", "Raised on", "date"),
        Column("due_on", "Hạn trả lời", "Due on", "date"),
        STATE,
    ),
    sql="""
SELECT p.petition_id::text AS key, p.petition_id, p.cell_id, u.name AS cell_name, p.source,
       p.competent_level, p.category, p.raised_on, p.due_on, p.state,
       coalesce(f.name, '') AS forwarded_to_name, p.answered_on, p.reopen_count,
       (p.state <> 'answered' AND p.due_on < $2::date) AS overdue
FROM {s}.org_closure AS d JOIN {s}.sup_petitions AS p ON p.cell_id = d.descendant_id
JOIN {s}.org_units AS u ON u.id = p.cell_id
LEFT JOIN {s}.org_units AS f ON f.id = p.forwarded_to
WHERE d.ancestor_id = $1::uuid AND ($3::text IS NULL OR p.state = $3::text)
  AND (NOT $4::boolean OR (p.state <> 'answered' AND p.due_on < $2::date))""",
    search="category",
    sorts=("raised_on", "due_on", "cell_name", "state", "category"),
    projections=("org_tree", "supervision"),
)

# $1 the unit, $2 a year or NULL.
PLANS = ListSpec(
    name="attendance_plans",
    title_vi="Kế hoạch dự sinh hoạt chi bộ",
    title_en="Attendance plans",
    columns=(
        KEY,
        Column("committee_name", "Cấp ủy lập kế hoạch", "Committee"),
        Column("year", "Năm", "Year", "int"),
        Column("quarter", "Quý", "Quarter"),
    ),
    sql="""
SELECT p.plan_id::text AS key, p.plan_id, p.committee_id, u.name AS committee_name, p.year,
       coalesce(p.quarter::text, '') AS quarter,
       (SELECT count(*) FROM {s}.sup_assignments AS a WHERE a.plan_id = p.plan_id)::int
         AS assignments,
       (SELECT count(*) FROM {s}.sup_assignments AS a WHERE a.plan_id = p.plan_id
        AND a.state IN ('attended', 'reported'))::int AS fulfilled,
       (SELECT count(*) FROM {s}.sup_assignments AS a WHERE a.plan_id = p.plan_id
        AND a.state = 'missed')::int AS missed
FROM {s}.org_closure AS d JOIN {s}.sup_plans AS p ON p.committee_id = d.descendant_id
JOIN {s}.org_units AS u ON u.id = p.committee_id
WHERE d.ancestor_id = $1::uuid AND ($2::int IS NULL OR p.year = $2::int)""",
    search="committee_name",
    sorts=("year", "committee_name"),
    projections=("org_tree", "supervision"),
)

ASSIGNMENT_SELECT = """
SELECT a.assignment_id::text AS key, a.assignment_id, a.plan_id, a.cell_id,
       u.name AS cell_name, a.assignee_id, a.assignee_name, a.role,
       coalesce(a.month, make_date(1, 1, 1)) AS month, a.unplanned, a.state, a.contacted_on,
       a.meeting_id, a.attended_on, a.petitions
FROM {s}.sup_assignments AS a JOIN {s}.org_units AS u ON u.id = a.cell_id"""
ASSIGNMENT_COLUMNS = (
    KEY,
    ASSIGNEE,
    CELL,
    Column("month", "Tháng", "Month", "date"),
    STATE,
)

# $1 the unit, $2 a plan or NULL, $3 a state or NULL, $4 an assignee or NULL.
ASSIGNMENTS = ListSpec(
    name="assignments",
    title_vi="Phân công dự sinh hoạt chi bộ",
    title_en="Attendance assignments",
    columns=ASSIGNMENT_COLUMNS,
    sql=ASSIGNMENT_SELECT
    + """
JOIN {s}.org_closure AS d ON d.descendant_id = a.cell_id
WHERE d.ancestor_id = $1::uuid AND ($2::uuid IS NULL OR a.plan_id = $2::uuid)
  AND ($3::text IS NULL OR a.state = $3::text) AND ($4::text IS NULL OR a.assignee_id = $4::text)""",
    search="assignee_name",
    sorts=("month", "assignee_name", "cell_name", "state"),
    projections=("org_tree", "supervision"),
)

# $1 the caller's account (as text), $2 a state or NULL.
MY_ASSIGNMENTS = ListSpec(
    name="my_assignments",
    title_vi="Phân công của tôi",
    title_en="My assignments",
    columns=ASSIGNMENT_COLUMNS,
    sql=ASSIGNMENT_SELECT
    + """
WHERE a.assignee_id = $1::text AND ($2::text IS NULL OR a.state = $2::text)""",
    search="cell_name",
    sorts=("month", "cell_name", "state"),
    projections=("org_tree", "supervision"),
)

# $1 the unit (NULL: the whole province, tenant-wide accounts included), $2 a role or NULL.
USERS = ListSpec(
    name="users",
    title_vi="Tài khoản người dùng",
    title_en="User accounts",
    columns=(
        KEY,
        Column("username", "Tên đăng nhập", "Username"),
        Column("display_name", "Họ tên", "Name"),
        ROLE,
        Column("scope_name", "Phạm vi", "Scope"),
    ),
    sql="""
SELECT a.id::text AS key, a.id, a.username, a.display_name, a.role, a.scope_unit_id,
       coalesce(u.name, '') AS scope_name, a.member_id, coalesce(m.full_name, '') AS member_name,
       a.locked_until, a.disabled
FROM {s}.user_accounts AS a LEFT JOIN {s}.org_units AS u ON u.id = a.scope_unit_id
LEFT JOIN {s}.members AS m ON m.id = a.member_id
WHERE ($1::uuid IS NULL OR a.scope_unit_id IN (
        SELECT descendant_id FROM {s}.org_closure WHERE ancestor_id = $1::uuid))
  AND ($2::text IS NULL OR a.role = $2::text)""",
    search="display_name",
    sorts=("username", "display_name", "role", "scope_name"),
    projections=("org_tree", "roster", "users"),
)
