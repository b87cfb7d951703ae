"""Every event kind has a Vietnamese sentence in the audit trail (issue 12 §5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from enum import Enum
from typing import Any, get_args, get_type_hints
from uuid import UUID, uuid4

from eventsourcing.utils import resolve_topic

from projections.audit_sentences import PHRASES, phrase_of, sentence
from projections.audit_trail import event_topics, kind_of

# Base classes the library re-creates under each aggregate: never recorded as such.
BASES = ("Event", "Created")


def recorded_kinds() -> list[str]:
    kinds = [kind_of(topic)[1] for topic in event_topics()]
    return sorted({k for k in kinds if k.rsplit(".", 1)[1] not in BASES})


def test_every_event_kind_has_a_phrase():
    missing = [kind for kind in recorded_kinds() if kind not in PHRASES]
    assert missing == []


def test_no_phrase_shows_a_class_name_or_an_english_word():
    for kind in recorded_kinds():
        phrase = phrase_of(kind)
        assert phrase.template is not None, kind
        assert kind not in phrase.template
        assert kind.rsplit(".", 1)[1] not in phrase.template, kind


# --- No raw codes: every kind rendered from realistic states (issue 12 §5) -----------------


def _enums(hint: Any) -> list[type[Enum]]:
    """The enums a field's type names (``Rating``, ``MotionResult | None``, tuples of them)."""
    if isinstance(hint, type) and issubclass(hint, Enum):
        return [hint]
    return [e for arg in get_args(hint) for e in _enums(arg)]


def _value(hint: Any, name: str) -> Any:
    """A stored JSON value of a field as the domain writes it (dates ISO, ids as text)."""
    plain = next((a for a in (hint, *get_args(hint)) if a is not type(None)), hint)
    if plain is bool:
        return True
    if plain is int or plain is float:
        return 3
    if plain is date:
        return "2025-03-04"
    if plain is datetime:
        return "2025-03-04T08:00:00+07:00"
    if plain is UUID:
        return str(uuid4())
    if plain is str:
        return "Nguyễn Văn Bình" if "name" in name else "nội dung ghi nhận"
    return []


def realistic_states() -> Iterator[tuple[str, dict[str, Any], list[type[Enum]]]]:
    """Per event kind, one state per value of its enum fields (each enum value shown once),
    and the enums the kind's fields hold."""
    for topic in event_topics():
        kind = kind_of(topic)[1]
        if kind.rsplit(".", 1)[1] in BASES:
            continue
        hints = get_type_hints(resolve_topic(topic))
        base = {name: _value(hint, name) for name, hint in hints.items() if not _enums(hint)}
        base |= {"actor": "system", "actor_role": "system", "request_id": "r-1"}
        coded = {name: _enums(hint) for name, hint in hints.items() if _enums(hint)}
        enums = [e for found in coded.values() for e in found]
        rounds = max((len(list(e)) for e in enums), default=1)
        for i in range(rounds):
            state = dict(base)
            for name, found in coded.items():
                members = list(found[0])
                state[name] = members[i % len(members)].value
            yield kind, state, enums


def test_no_sentence_shows_a_raw_code():
    """``kha``, ``passed``, ``enrolled_official``… are words in every sentence, whether the
    phrase names the field or the code is the event's ``reason`` (a departure, a carried
    turn). A new enum field in a phrase without words in ``audit_labels.CODED`` fails here."""
    shown = []
    for kind, state, enums in realistic_states():
        text = sentence(kind, "system", "system", state, "Trần Thị Hoa", "Chi bộ Thôn 1")
        codes = {m.value for e in enums for m in e}
        found = [c for c in codes if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
        if found:
            shown.append((kind, found, text))
    assert shown == []


def test_the_codes_a_secretary_meets_read_as_words():
    assert "Khá" in sentence(
        "Meeting.QualityAssessed", "system", "system", {"rating": "kha"}, None, None
    )
    decided = {"votes_for": 5, "against": 1, "abstain": 0, "result": "passed"}
    assert "được thông qua" in sentence("Meeting.MotionDecided", "s", "s", decided, None, None)
    changed = {"change": "enrolled_official", "on": "2025-03-04"}
    assert "đảng viên chính thức" in sentence("CellRoster.Changed", "s", "s", changed, None, None)
    carried = sentence("RotationSchedule.TurnCarried", "s", "s", {"reason": "absent"}, None, None)
    assert carried.endswith("lý do: vắng mặt.")
