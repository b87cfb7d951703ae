"""Columns a release adds to a read-model table reach the provinces made before it (issue 14 §4).

``CREATE TABLE IF NOT EXISTS`` leaves an existing table as an earlier release made it, so a
column added to the statement is missing there, and an index naming it fails the install:
``chibo migrate`` and the server's start then stop on that province before the version
rebuild (the bug of 6af2c70 and 3245922). :data:`FIRST_COLUMNS` freezes each table's columns
as its first release made them (from ``git log -p projections/``); every column beyond those
needs an ``ALTER TABLE … ADD COLUMN IF NOT EXISTS`` in the projection's ``ddl``. A new table
is listed with all its columns.
"""

from __future__ import annotations

import re

from projections.registry import all_projections

FIRST_COLUMNS = {
    "audit_subjects": "aggregate_id name org_unit_id",
    "audit_trail": "actor actor_role aggregate_id aggregate_type aggregate_version kind"
    " notification_id occurred_at org_unit_id reason request_id sentence",
    "deadline_items": "cell_id due_on kind rule_set since source_id subject_id subject_name",
    "deadline_noted": "kind member_id month",
    "deadline_steps": "cell_id done_on due_on kind opened_on since source_id subject_id"
    " subject_name",
    "deadline_subjects": "active cell_id id name",
    "meeting_absence_cache": "id stale",
    "meeting_absence_state": "held_on meeting_id member_id month streak year",
    "meeting_attendance": "cell_id exempted held_on kind mark meeting_id member_id month streak"
    " year",
    "meeting_cell_month": "absent3 cell_id excused expected late meetings_held month on_time"
    " present rating regular_held thematic_held unexcused year",
    "meeting_papers": "cell_id first_posted_at kind last_posted_at meeting_id paper_id title"
    " versions",
    "meetings": "cell_id closed ended_at excused expected held_on id is_late kind month present"
    " rating scheduled_at score_total started_at topic unexcused year",
    "members": "admitted_on birth_date cell_id departed_on departure_reason exempted_from"
    " exempted_until full_name gender id joined_cell_on official_on status suspended",
    "org_closure": "ancestor_id depth descendant_id",
    "org_closure_history": "ancestor_id depth descendant_id valid_from valid_to",
    "org_links": "parent_id unit_id valid_from valid_to",
    "org_units": "dissolved_on founded_on id level name parent_id window_first_day window_last_day",
    "paper_sets": "cell_id id meeting_id",
    "rollup_cell_spans": "cell_id first_month last_month node_id prev_last",
    "rollup_node_month": "absent3 absent3_new_q absent3_new_y excused expected held late month"
    " node_id on_time present rated_kem rated_kha rated_tot rated_trung_binh thematic_cells"
    " thematic_held thematic_new unexcused unrated year",
    "rollup_state": "full_pending id",
    "roster_changes": "cell_id change member_id on_day position",
    "rosters": "cell_id id",
    "sup_assignments": "assignee_id assignee_name assignment_id attended_on cell_id"
    " contacted_on meeting_id month petitions plan_id role state unplanned",
    "sup_petition_spans": "answered_on due_on opened_on petition_id seq",
    "sup_petitions": "answered_on category cell_id competent_level due_on forwarded_to"
    " petition_id raised_on reopen_count source state",
    "sup_plans": "committee_id plan_id quarter year",
    "sup_rotation": "carried dropped member_id schedule_id taken_on",
    "sup_schedules": "cell_id cycle_end cycle_start schedule_id",
    "user_accounts": "disabled display_name id locked_until member_id opened_at role"
    " scope_unit_id username",
}
CREATE = re.compile(r"CREATE (?:UNLOGGED )?TABLE IF NOT EXISTS \{s\}\.(\w+) \((.*)\)", re.S)
ADD = re.compile(r"ALTER TABLE \{s\}\.(\w+) ADD COLUMN IF NOT EXISTS (\w+)")
NOT_COLUMNS = {"PRIMARY", "UNIQUE", "CONSTRAINT", "FOREIGN", "CHECK", "EXCLUDE"}


def columns(body: str) -> set[str]:
    """The column names of a CREATE TABLE's parenthesised body (top-level commas only)."""
    depth, parts, part = 0, [], ""
    for ch in body:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(part)
            part = ""
        else:
            part += ch
    words = [p.split() for p in [*parts, part]]
    return {w[0] for w in words if w and w[0].upper() not in NOT_COLUMNS}


def tables() -> dict[str, tuple[str, set[str], set[str]]]:
    """Table → (its projection, columns it is created with, columns added by ALTER)."""
    found: dict[str, tuple[str, set[str], set[str]]] = {}
    for projection in all_projections():
        ddl = getattr(projection, "ddl", ())
        for statement in ddl:
            made = CREATE.match(statement.split(" WITH (")[0])
            if made:
                found[made.group(1)] = (projection.name, columns(made.group(2)), set())
        for statement in ddl:
            added = ADD.match(statement)
            if added:
                found[added.group(1)][2].add(added.group(2))
    return found


def added_since_first() -> list[tuple[str, str, str]]:
    """(projection, table, column) for every column a release added to a table after its first."""
    return sorted(
        (name, t, column)
        for t, (name, made, _) in tables().items()
        for column in made - set(FIRST_COLUMNS.get(t, "").split())
    )


def test_every_table_is_known_with_its_first_columns():
    known = tables()
    # A new table goes into FIRST_COLUMNS with all its columns.
    assert sorted(known) == sorted(FIRST_COLUMNS)
    for t, (_, made, altered) in known.items():
        assert set(FIRST_COLUMNS[t].split()) <= made | altered, t


def test_a_column_added_after_a_tables_first_release_is_added_to_existing_tables():
    known = tables()
    missing = [(t, c) for _, t, c in added_since_first() if c not in known[t][2]]
    assert missing == [], (
        "cột thêm sau cần ALTER TABLE … ADD COLUMN IF NOT EXISTS"
        " / a column added later needs ADD COLUMN IF NOT EXISTS"
    )
    assert ("audit_trail", "actor_name") in {(t, c) for _, t, c in added_since_first()}
