"""An aggregate's state as of a point is JSON for any attribute: a meeting holds plain objects
(its motions), which used to make ``GET …/audit/aggregates/{id}`` answer 500 for a meeting."""

from __future__ import annotations

from uuid import uuid4

import msgspec

from domain.voting import Motion, MotionKind
from infra.audit.timetravel import public_state


class Holder:
    def __init__(self) -> None:
        self.motions = {"m": Motion(uuid4(), MotionKind.MINUTES, "Thông qua biên bản", None)}
        self.version = 3
        self._private = object()


def test_plain_objects_inside_the_state_become_their_public_attributes():
    state = public_state(Holder())
    assert state["version"] == 3
    assert state["motions"]["m"]["title"] == "Thông qua biên bản"
    assert state["motions"]["m"]["kind"] == "minutes"
    assert "_private" not in state
    msgspec.json.encode(state)  # JSON as it stands


def test_dicts_keyed_by_tuples_get_text_keys():
    """Issue 12 §5: a member with a noted month (keys ``(kind, month)``) answered 500."""
    from datetime import date

    class Noted:
        def __init__(self) -> None:
            self.noted_months = {("dues_unpaid", date(2025, 3, 1)): True}
            self.inner = [Holder()]

    state = public_state(Noted())
    assert state["noted_months"] == {"dues_unpaid/2025-03-01": True}
    assert state["inner"][0]["motions"]["m"]["kind"] == "minutes"
    msgspec.json.encode(state)
