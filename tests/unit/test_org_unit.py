"""Rules of organisation units: levels fit parents, no cycles, dissolution, meeting windows."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain import org_unit_errors as errors
from domain.base import SYSTEM, InvalidValue
from domain.org_unit import Level, MeetingWindow, OrgUnit

pytestmark = pytest.mark.unit
D = date(2020, 1, 1)


def found(name: str, level: Level, parent: OrgUnit | None = None) -> OrgUnit:
    return OrgUnit.found(uuid4(), name, level, parent, D, SYSTEM)


@pytest.fixture
def tree() -> dict[str, OrgUnit]:
    root = found("Tỉnh", Level.PROVINCE)
    commune = found("Xã A", Level.DIRECT, root)
    grassroots = found("Đảng bộ xã A", Level.GRASSROOTS_COMMITTEE, commune)
    sub = found("Đảng bộ bộ phận", Level.SUB_COMMITTEE, grassroots)
    cell = found("Chi bộ 1", Level.CELL, sub)
    return {"root": root, "commune": commune, "grassroots": grassroots, "sub": sub, "cell": cell}


def test_founding_attaches_the_child_to_its_parent(tree):
    assert tree["cell"].id in tree["sub"].child_ids
    assert tree["cell"].parent_id == tree["sub"].id


@pytest.mark.parametrize(
    ("level", "parent_key"),
    [
        (Level.CELL, "root"),
        (Level.CELL, "commune"),
        (Level.SUB_COMMITTEE, "commune"),
        (Level.DIRECT, "grassroots"),
        (Level.GRASSROOTS_COMMITTEE, "cell"),
    ],
)
def test_a_level_must_fit_its_parent(tree, level, parent_key):
    with pytest.raises(errors.LevelDoesNotFitParent):
        found("Sai cấp", level, tree[parent_key])


def test_only_the_province_level_has_no_parent():
    with pytest.raises(errors.LevelDoesNotFitParent) as refused:
        found("Chi bộ mồ côi", Level.CELL)
    assert (
        refused.value.vi == "Cấp «Chi bộ trực thuộc» không thể trực thuộc gốc (không có cấp trên)"
    )


def test_the_refusal_names_the_levels_in_words_not_codes(tree):
    """Issue 12 §5: a person reads «Đảng bộ trực thuộc tỉnh», never "direct"."""
    with pytest.raises(errors.LevelDoesNotFitParent) as refused:
        found("Sai cấp", Level.CELL, tree["commune"])
    assert refused.value.vi == (
        "Cấp «Chi bộ trực thuộc» không thể trực thuộc cấp «Đảng bộ trực thuộc tỉnh»"
    )
    assert refused.value.details == {"level": "cell"}


def test_a_unit_cannot_move_under_its_descendant(tree):
    # commune → under its own grassroots committee: a cycle, refused before the level check.
    with pytest.raises(errors.MoveWouldCreateCycle):
        tree["grassroots"].move(
            tree["commune"], tree["sub"], {tree["grassroots"].id, tree["commune"].id}, D, SYSTEM
        )


def test_move_checks_the_level_fits_the_new_parent(tree):
    with pytest.raises(errors.LevelDoesNotFitParent):
        tree["cell"].move(tree["sub"], tree["commune"], {tree["root"].id}, D, SYSTEM)


def test_move_reattaches_the_child(tree):
    other = found("Đảng bộ xã B", Level.GRASSROOTS_COMMITTEE, tree["commune"])
    tree["cell"].move(tree["sub"], other, {tree["commune"].id, tree["root"].id}, D, SYSTEM)
    assert tree["cell"].parent_id == other.id
    assert tree["cell"].id in other.child_ids
    assert tree["cell"].id not in tree["sub"].child_ids


def test_dissolution_is_refused_with_children_or_members(tree):
    with pytest.raises(errors.UnitStillHasChildren):
        tree["sub"].dissolve(tree["grassroots"], 0, D, "Sáp nhập", SYSTEM)
    with pytest.raises(errors.UnitStillHasMembers):
        tree["cell"].dissolve(tree["sub"], 3, D, "Sáp nhập", SYSTEM)
    tree["cell"].dissolve(tree["sub"], 0, D, "Sáp nhập", SYSTEM)
    assert not tree["cell"].is_active
    assert tree["cell"].id not in tree["sub"].child_ids


def test_a_dissolved_unit_refuses_commands_and_children(tree):
    tree["cell"].dissolve(tree["sub"], 0, D, "Sáp nhập", SYSTEM)
    with pytest.raises(errors.UnitIsDissolved):
        tree["cell"].rename("Tên mới", SYSTEM)
    tree["sub"].dissolve(tree["grassroots"], 0, D, "Sáp nhập", SYSTEM)
    with pytest.raises(errors.UnitIsDissolved):
        found("Chi bộ mới", Level.CELL, tree["sub"])


def test_empty_names_and_reasons_are_refused(tree):
    with pytest.raises(InvalidValue):
        tree["cell"].rename("   ", SYSTEM)
    with pytest.raises(InvalidValue):
        tree["cell"].dissolve(tree["sub"], 0, D, " ", SYSTEM)


def test_meeting_window_belongs_to_cells_and_is_validated(tree):
    tree["cell"].set_meeting_window(MeetingWindow(3, 3), SYSTEM)
    assert tree["cell"].meeting_window == MeetingWindow(3, 3)
    assert tree["cell"].meeting_window.contains(date(2025, 3, 3))
    assert not tree["cell"].meeting_window.contains(date(2025, 3, 4))
    with pytest.raises(errors.NotACell):
        tree["grassroots"].set_meeting_window(MeetingWindow(1, 5), SYSTEM)
    with pytest.raises(errors.InvalidMeetingWindow):
        MeetingWindow(6, 2)
    with pytest.raises(errors.InvalidMeetingWindow):
        MeetingWindow(0, 5)
    tree["cell"].set_meeting_window(None, SYSTEM)
    assert tree["cell"].meeting_window is None


def test_events_carry_the_actor_and_request():
    from domain.base import Actor

    actor = Actor("u-7", "secretary", "req-42")
    unit = OrgUnit.found(uuid4(), "Tỉnh", Level.PROVINCE, None, D, actor)
    (event,) = unit.collect_events()
    assert (event.actor, event.actor_role, event.request_id) == ("u-7", "secretary", "req-42")
