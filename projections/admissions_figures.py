"""Admissions in the per-level view and the inspection lists (kết nạp đảng viên theo cấp).

Over ``deadline_steps`` of the ``deadlines`` read model (:mod:`projections.deadlines`): each
step of each case with the day it opened, its working-day due date and the day it was done.

- the pipeline as of the period's end: cases at each step (applicant before the cell's vote,
  awaiting the admission decision, awaiting the ceremony, probationary awaiting the recognition
  vote, awaiting the recognition decision);
- overdue deadlines on that day (a step still open past its due date), in all and by step;
- members admitted (ceremony held) within the period.

List: ``probationary_overdue_for_recognition`` (đảng viên dự bị quá hạn xét công nhận).
"""

from __future__ import annotations

from projections.deadlines import WHAT
from projections.lists import (
    CELL,
    CELL_MONTHS,
    DAYS_OVERDUE,
    FULL_NAME,
    KEY,
    PARENT,
    Column,
    ListSpec,
)
from projections.rollups import FigureSource
from projections.supervision_figures import AT_END, month_of

TREE_AND_DEADLINES = ("org_tree", "deadlines")
OVERDUE = "f.due_on < cm.period_end"


def open_steps(*kinds: str, overdue: bool = False) -> str:
    """Counts the steps still open at the period's end: of these kinds (all when none), and
    only the overdue ones if asked."""
    where = [OVERDUE] if overdue else []
    if len(kinds) == 1:
        where.append(f"f.kind = '{kinds[0]}'")
    elif kinds:
        where.append("f.kind IN ({})".format(", ".join(f"'{kind}'" for kind in kinds)))
    return f"count(*) FILTER (WHERE {' AND '.join(where)})"


PIPELINE_FIGURES = FigureSource(
    name="admissions",
    relation=f"(SELECT cell_id, {AT_END}, kind, due_on FROM {{s}}.deadline_steps"
    " WHERE opened_on <= $7::date AND (done_on IS NULL OR done_on > $7::date))",
    projections=TREE_AND_DEADLINES,
    figures=(
        ("admissions_applicants", open_steps("application")),
        ("admissions_awaiting_decision", open_steps("admission_decision")),
        ("admissions_awaiting_ceremony", open_steps("ceremony")),
        ("admissions_awaiting_recognition_vote", open_steps("recognition_vote")),
        ("admissions_awaiting_recognition_decision", open_steps("recognition_decision")),
        ("admissions_overdue", open_steps(overdue=True)),
        ("admissions_overdue_decision", open_steps("admission_decision", overdue=True)),
        ("admissions_overdue_ceremony", open_steps("ceremony", overdue=True)),
        (
            "admissions_overdue_recognition",
            open_steps("recognition_vote", "recognition_decision", overdue=True),
        ),
    ),
)

ADMITTED_FIGURES = FigureSource(
    name="admitted",
    relation=f"(SELECT cell_id, {month_of('opened_on')}, source_id FROM {{s}}.deadline_steps"
    " WHERE kind = 'recognition_vote' AND opened_on <= $4::date)",
    projections=TREE_AND_DEADLINES,
    figures=(("admissions_admitted", "count(f.source_id)"),),
)

SOURCES = (PIPELINE_FIGURES, ADMITTED_FIGURES)

STEP_LABEL = (
    "CASE d.kind "
    + " ".join(
        f"WHEN '{kind}' THEN '{WHAT[kind]}'"
        for kind in ("recognition_vote", "recognition_decision")
    )
    + " END"
)

PROBATIONARY_OVERDUE = ListSpec(
    name="probationary_overdue_for_recognition",
    title_vi="Đảng viên dự bị quá hạn xét công nhận chính thức",
    title_en="Probationary members overdue for recognition",
    columns=(
        KEY,
        FULL_NAME,
        CELL,
        PARENT,
        Column("step", "Việc chưa làm", "Step outstanding"),
        Column("since", "Từ ngày", "Since"),
        Column("due_on", "Hạn", "Due on"),
        DAYS_OVERDUE,
    ),
    sql=CELL_MONTHS
    + f"""
SELECT d.source_id::text || ':' || d.kind AS key, d.subject_name AS full_name, c.cell_name,
       coalesce(c.parent_name, '') AS parent_name, {STEP_LABEL} AS step,
       to_char(d.since, 'YYYY-MM-DD') AS since, to_char(d.due_on, 'YYYY-MM-DD') AS due_on,
       least($3::date, $4::date) - d.due_on AS days_overdue
FROM cells AS c
JOIN {{s}}.deadline_steps AS d ON d.cell_id = c.cell_id
 AND d.kind IN ('recognition_vote', 'recognition_decision')
 AND d.opened_on <= least($3::date, $4::date) AND d.due_on < least($3::date, $4::date)
 AND (d.done_on IS NULL OR d.done_on > least($3::date, $4::date))
WHERE least($3::date, $4::date) BETWEEN c.first_day AND c.last_day""",
    search="full_name",
    sorts=("due_on", "days_overdue", "full_name", "cell_name"),
    projections=TREE_AND_DEADLINES,
)

LISTS = (PROBATIONARY_OVERDUE,)
