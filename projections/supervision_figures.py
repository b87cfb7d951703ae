"""Supervision in the per-level view and the inspection lists (giám sát trong báo cáo theo cấp).

Figure sources over the ``supervision`` read model (:mod:`projections.supervision`), joined to
the cell-months of :mod:`projections.rollups` so each figure rolls up along the tree as it stood:

- superior attendance (cấp ủy viên dự sinh hoạt chi bộ): assignments due in a month of the
  period are planned; fulfilled when attended by ``as_of``; missed when declared missed or
  when their month ended without attendance; pending otherwise. Unplanned visits count in the
  month they happened;
- rotation coverage (độ bao phủ tự phê bình xoay vòng): members of the cycle running in the
  period (not dropped from it) and those who took their turn by the period's end;
- petitions (kiến nghị) as of the period's end: open, overdue (past the working-day due date
  of the open span, not answered back), raised and resolved (answered back) within the period.

Lists: ``missed_superior_attendance`` and ``overdue_petitions``.
"""

from __future__ import annotations

from projections.lists import (
    ASSIGNEE,
    CATEGORY,
    CELL,
    CELL_MONTHS,
    DAYS_OVERDUE,
    KEY,
    PARENT,
    PERIOD,
    ROLE,
    STATUS,
    Column,
    ListSpec,
)
from projections.rollups import FigureSource

TREE_AND_SUPERVISION = ("org_tree", "supervision")


def month_of(day: str) -> str:
    """The ``year`` and ``month`` columns of a figure's row: those of ``day`` (SQL)."""
    return f"extract(year FROM {day})::int AS year, extract(month FROM {day})::int AS month"


AT_END = month_of("$7::date")
"""State figures sit in the month of the day the period is judged at (see rollups)."""

SUPERIOR_FIGURES = FigureSource(
    name="superior_attendance",
    relation=f"(SELECT cell_id, {month_of('month')}, assignment_id, state,"
    " coalesce(attended_on <= $4::date, false) AS attended,"
    " CASE WHEN attended_on <= $4::date THEN date_trunc('month', attended_on) END AS round"
    " FROM {s}.sup_assignments WHERE NOT unplanned)",
    projections=TREE_AND_SUPERVISION,
    figures=(
        ("superior_planned", "count(f.assignment_id)"),
        # Seed 003: "số đợt giám sát", the months in which planned visits took place.
        ("superior_rounds", "count(DISTINCT f.round)"),
        ("superior_fulfilled", "count(*) FILTER (WHERE f.attended)"),
        (
            "superior_missed",
            "count(*) FILTER (WHERE NOT f.attended AND (f.state = 'missed' OR cm.ended))",
        ),
        (
            "superior_pending",
            "count(*) FILTER (WHERE NOT f.attended AND f.state <> 'missed' AND NOT cm.ended)",
        ),
    ),
    ratios=(("superior_fulfilment_rate", "superior_fulfilled", "superior_planned"),),
)

UNPLANNED_FIGURES = FigureSource(
    name="superior_unplanned",
    relation=f"(SELECT cell_id, {month_of('attended_on')}, assignment_id"
    " FROM {s}.sup_assignments WHERE unplanned AND attended_on <= $4::date)",
    projections=TREE_AND_SUPERVISION,
    figures=(("superior_unplanned", "count(f.assignment_id)"),),
)

ROTATION_FIGURES = FigureSource(
    name="rotation",
    relation=f"(SELECT s.cell_id, {AT_END}, r.member_id,"
    " coalesce(r.taken_on <= $7::date, false) AS taken"
    " FROM {s}.sup_schedules AS s JOIN {s}.sup_rotation AS r"
    " ON r.schedule_id = s.schedule_id AND NOT r.dropped"
    " WHERE s.cycle_start <= $7::date AND s.cycle_end >= $6::date)",
    projections=TREE_AND_SUPERVISION,
    figures=(
        ("rotation_cells", "count(DISTINCT f.cell_id)"),
        ("rotation_eligible", "count(f.member_id)"),
        ("rotation_taken", "count(*) FILTER (WHERE f.taken)"),
    ),
    ratios=(("rotation_coverage", "rotation_taken", "rotation_eligible"),),
)

# One row per petition raised by the period's end, with its state on that day.
OPEN_ON_END = "(s.answered_on IS NULL OR s.answered_on > $7::date)"
PETITION_FIGURES = FigureSource(
    name="petitions",
    relation=f"(SELECT p.cell_id, {AT_END}, p.petition_id, p.raised_on >= $6::date AS raised,"
    " p.competent_level IN ('commune_district', 'province') AS upper,"
    " p.competent_level = 'grassroots' AS grassroots,"
    f" bool_or({OPEN_ON_END}) AS open,"
    f" bool_or({OPEN_ON_END} AND s.due_on < $7::date) AS overdue,"
    " bool_or(s.answered_on BETWEEN $6::date AND $7::date) AS answered"
    " FROM {s}.sup_petitions AS p JOIN {s}.sup_petition_spans AS s"
    " ON s.petition_id = p.petition_id AND s.opened_on <= $7::date"
    # A span answered before the period counts in no figure: skip it early.
    " AND (s.answered_on IS NULL OR s.answered_on >= $6::date)"
    " GROUP BY p.petition_id)",
    projections=TREE_AND_SUPERVISION,
    figures=(
        ("petitions_raised", "count(*) FILTER (WHERE f.raised)"),
        # Seed 003: by the level competent to resolve them (district or above / grassroots).
        ("petitions_raised_district_or_above", "count(*) FILTER (WHERE f.raised AND f.upper)"),
        ("petitions_raised_grassroots", "count(*) FILTER (WHERE f.raised AND f.grassroots)"),
        ("petitions_open", "count(*) FILTER (WHERE f.open)"),
        ("petitions_overdue", "count(*) FILTER (WHERE f.overdue)"),
        ("petitions_resolved", "count(*) FILTER (WHERE f.answered AND NOT f.open)"),
    ),
)

SOURCES = (SUPERIOR_FIGURES, UNPLANNED_FIGURES, ROTATION_FIGURES, PETITION_FIGURES)

MISSED_SUPERIOR = ListSpec(
    name="missed_superior_attendance",
    title_vi="Phân công dự sinh hoạt chi bộ không thực hiện",
    title_en="Superior attendance assignments missed",
    columns=(
        KEY,
        ASSIGNEE,
        ROLE,
        Column("committee_name", "Cấp ủy phân công", "Assigning committee"),
        CELL,
        PARENT,
        PERIOD,
        STATUS,
        Column("contacted_on", "Ngày liên hệ trước", "Contacted on"),
    ),
    sql=CELL_MONTHS
    + """
SELECT a.assignment_id::text AS key, a.assignee_name, a.role, k.name AS committee_name,
       c.cell_name, coalesce(c.parent_name, '') AS parent_name,
       to_char(c.first_day, 'YYYY-MM') AS period,
       CASE WHEN a.state = 'missed' THEN 'missed' ELSE 'not_attended' END AS status,
       coalesce(to_char(a.contacted_on, 'YYYY-MM-DD'), '') AS contacted_on
FROM cells AS c
JOIN {s}.sup_assignments AS a ON a.cell_id = c.cell_id AND a.month = c.first_day
JOIN {s}.sup_plans AS pl ON pl.plan_id = a.plan_id
JOIN {s}.org_units AS k ON k.id = pl.committee_id
WHERE NOT a.unplanned AND NOT coalesce(a.attended_on <= $4::date, false)
  AND (a.state = 'missed' OR c.last_day < $4::date)""",
    search="assignee_name",
    sorts=("period", "assignee_name", "cell_name", "committee_name", "status"),
    projections=TREE_AND_SUPERVISION,
)

# The period is judged at least($3, $4): the cells are those of the month holding that day.
OVERDUE_PETITIONS = ListSpec(
    name="overdue_petitions",
    title_vi="Kiến nghị quá hạn chưa trả lời",
    title_en="Petitions overdue and not answered",
    columns=(
        KEY,
        CELL,
        PARENT,
        CATEGORY,
        Column("competent_level", "Cấp có thẩm quyền", "Competent level"),
        Column("raised_on", "Ngày tiếp nhận", "Raised on"),
        Column("due_on", "Hạn trả lời", "Due on"),
        DAYS_OVERDUE,
        Column("reopen_count", "Số lần đề nghị xem xét lại", "Times reopened", "int"),
    ),
    sql=CELL_MONTHS
    + """
SELECT p.petition_id::text AS key, c.cell_name, coalesce(c.parent_name, '') AS parent_name,
       p.category, p.competent_level, to_char(p.raised_on, 'YYYY-MM-DD') AS raised_on,
       to_char(s.due_on, 'YYYY-MM-DD') AS due_on,
       least($3::date, $4::date) - s.due_on AS days_overdue,
       (SELECT count(*) FROM {s}.sup_petition_spans AS r
        WHERE r.petition_id = p.petition_id AND r.seq > 1
          AND r.opened_on <= least($3::date, $4::date))::int AS reopen_count
FROM cells AS c
JOIN {s}.sup_petitions AS p ON p.cell_id = c.cell_id
JOIN {s}.sup_petition_spans AS s ON s.petition_id = p.petition_id
 AND s.opened_on <= least($3::date, $4::date) AND s.due_on < least($3::date, $4::date)
 AND (s.answered_on IS NULL OR s.answered_on > least($3::date, $4::date))
WHERE least($3::date, $4::date) BETWEEN c.first_day AND c.last_day""",
    search="cell_name",
    sorts=("due_on", "days_overdue", "cell_name", "raised_on", "category"),
    projections=TREE_AND_SUPERVISION,
)

LISTS = (MISSED_SUPERIOR, OVERDUE_PETITIONS)
