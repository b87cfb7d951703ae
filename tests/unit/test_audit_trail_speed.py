"""The fast audit trail writes exactly the rows the per-event code before it wrote.

``reference_rows`` is that code (generic JSON decode into a dict per event, ``fromisoformat``,
the sentence from the dict), kept here only as the yardstick. Both run over the events of a
tiny synthetic province and over hand-made states of every event topic of the domain with the
odd cases a dict lookup met: fields absent or null, empty unit ids, names of the wrong type,
unknown roles, reasons that are no text, timestamps msgspec reads as no datetime, and phrases
with placeholders of every shape. Rows are compared value by value and type by type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from functools import cache
from string import Formatter
from typing import Any
from uuid import UUID, uuid5

import msgspec
import pytest

from bench.synthetic import Shape, generate
from infra.mapper import MsgspecMapper
from projections import audit_trail
from projections.audit_labels import CODED
from projections.audit_sentences import PHRASES, ROLE_VI, actor_name, phrase_of
from projections.audit_trail import (
    NAME_FIELDS,
    NAMING_KINDS,
    UNIT_FIELDS,
    SubjectRow,
    TrailBatch,
    event_topics,
    kind_of,
)
from projections.base import StoredEventRow

pytestmark = pytest.mark.unit

Subject = tuple[str | None, UUID | None]
Load = Callable[[set[UUID]], dict[UUID, Subject]]


# --- The reference: the audit trail's apply before the speed-up, minus the database. --------


def reference_rows(
    events: Sequence[StoredEventRow], load: Load
) -> tuple[list[tuple[Any, ...]], list[tuple[UUID, str | None, UUID | None]]]:
    decoded = [msgspec.json.decode(row.state) for row in events]
    stated_units = [_stated(fields) for fields in decoded]
    referenced = {row.originator_id for row in events}
    referenced.update(u for u in stated_units if u is not None)
    referenced.update(a for fields in decoded if (a := _account_of(fields.get("actor"))))
    subjects = load(referenced)
    subjects.update(load({u for _, u in subjects.values() if u} - referenced))
    changed: dict[UUID, Subject] = {}
    trail = []
    nobody = (None, None)
    for row, fields, stated in zip(events, decoded, stated_units, strict=True):
        aggregate_type, kind = kind_of(row.topic)
        naming = kind.endswith(NAMING_KINDS)
        originator = row.originator_id
        name, unit = subjects.get(originator, nobody)
        if naming:
            named = next((v for f in NAME_FIELDS if isinstance(v := fields.get(f), str)), None)
            if named:
                name = named
        event_unit = originator if aggregate_type == "OrgUnit" else stated or unit
        if aggregate_type == "OrgUnit":
            unit = originator
        elif to_cell := fields.get("to_cell_id"):
            unit = _as_uuid(to_cell)
        elif unit is None:
            unit = stated
        subjects[originator] = changed[originator] = (name, unit)
        unit_name = subjects.get(event_unit, nobody)[0] if event_unit else None
        reason = fields.get("reason")
        actor_role = fields.get("actor_role", "")
        account = _account_of(fields.get("actor"))
        account_name = subjects.get(account, nobody)[0] if account else None
        actor = fields.get("actor", "?")
        trail.append((
            row.notification_id, originator, row.originator_version, aggregate_type,
            kind, fields.get("actor", ""), actor_role,
            fields.get("request_id", ""), datetime.fromisoformat(fields["timestamp"]),
            event_unit, reason if isinstance(reason, str) else None,
            reference_sentence(kind, actor, actor_role, fields, name, unit_name, account_name),
            actor_name(actor, account_name)[0],
        ))  # fmt: skip
    return trail, [(k, n, u) for k, (n, u) in changed.items()]


def reference_sentence(kind: str, actor: str, role: str, fields: dict[str, Any],
                       subject: str | None, unit: str | None,
                       account_name: str | None) -> str:  # fmt: skip
    try:
        template = PHRASES[kind]
        values = {
            n: (subject or "") if n == "subject" else _text(_words(kind, n, fields[n]))
            for n in _placeholders(template)
        }
        phrase = template.format_map(values)
    except (KeyError, IndexError):
        phrase = f"ghi nhận thay đổi «{kind}»" + (f" của «{subject}»" if subject else "")
    where = f" tại {unit}" if unit else ""
    given = _words(kind, "reason", fields.get("reason"))
    reason = f"; lý do: {given}" if isinstance(given, str) and given else ""  # "" says none
    name, title = actor_name(actor, account_name)
    who = (
        f"{name}"
        if not title and role == "system"
        else f"{title}{name} ({ROLE_VI.get(role, role)})"
    )
    return f"{who} {phrase}{where}{reason}."


def _words(kind: str, field: str, value: Any) -> Any:
    """A code of the kind's field in words (``projections.audit_labels``), else the value."""
    table = CODED.get((kind, field), {})
    return table.get(value, value) if isinstance(value, str) else value


def _account_of(actor: Any) -> UUID | None:
    if isinstance(actor, str):
        try:
            return UUID(actor)
        except ValueError:
            return None
    return None


@cache
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple({name for _, name, _, _ in Formatter().parse(template) if name is not None})


def _text(value: Any) -> str:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return str(value)


def _stated(fields: dict[str, Any]) -> UUID | None:
    for f in UNIT_FIELDS:
        if value := fields.get(f):
            return _as_uuid(value)
    return None


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


# --- Running both over the same batches. ------------------------------------------------------


def typed(row: Sequence[Any]) -> tuple[Any, ...]:
    """A row as (type, value) pairs, with each datetime's offset: 1 == True == 1.0 otherwise."""
    return tuple(
        (type(v).__name__, v, v.utcoffset() if isinstance(v, datetime) else None) for v in row
    )


def assert_same_tables(events: Sequence[StoredEventRow], batch_sizes: Iterable[int],
                       seed: dict[UUID, Subject] | None = None) -> None:  # fmt: skip
    """Both codes, batch after batch over ``events``, write the same rows to both tables."""
    for size in batch_sizes:
        old_table, new_table = dict(seed or {}), dict(seed or {})
        for start in range(0, len(events), size):
            batch = events[start : start + size]
            old_trail, old_subjects = reference_rows(batch, _loader(old_table))
            fast = TrailBatch(batch, _rows_of(new_table))
            new_trail = list(fast.rows())
            assert [typed(r) for r in new_trail] == [typed(r) for r in old_trail]
            old_table.update((k, (n, u)) for k, n, u in old_subjects)
            new_table.update((k, (n, u)) for k, n, u in fast.subject_rows())
            assert new_table == old_table
            assert {k: typed(v) for k, v in new_table.items()} == {
                k: typed(v) for k, v in old_table.items()
            }


def _loader(table: dict[UUID, Subject]) -> Load:
    def load(ids: Iterable[UUID]) -> dict[UUID, Subject]:
        return {i: table[i] for i in ids if i in table}

    return load


def _rows_of(table: dict[UUID, Subject]) -> Callable[[list[UUID]], list[SubjectRow]]:
    def load(ids: list[UUID]) -> list[SubjectRow]:
        return [(i, *table[i]) for i in ids if i in table]

    return load


def stored(states: Iterable[tuple[UUID, str, dict[str, Any] | bytes]]) -> list[StoredEventRow]:
    versions: dict[UUID, int] = {}
    rows = []
    for position, (originator, topic, state) in enumerate(states, start=1):
        versions[originator] = versions.get(originator, 0) + 1
        body = state if isinstance(state, bytes) else msgspec.json.encode(state)
        rows.append(StoredEventRow(position, originator, versions[originator], topic, body))
    return rows


# --- A tiny synthetic province: the events the domain really writes. -------------------------


@cache
def synthetic() -> list[StoredEventRow]:
    mapper = MsgspecMapper()
    events = (
        mapper.to_stored_event(e) for save in generate(Shape(seed=7, scale=0.003)) for e in save
    )
    return stored((e.originator_id, e.topic, e.state) for e in events)


def test_a_synthetic_province_gives_the_same_rows_in_any_batching() -> None:
    events = synthetic()
    assert len({e.topic for e in events}) >= 20
    assert_same_tables(events, (len(events), 997, 50))


def test_stored_timestamps_read_by_msgspec_are_the_fromisoformat_datetimes() -> None:
    for event in synthetic():
        text = msgspec.json.decode(event.state)["timestamp"]
        read = msgspec.json.decode(msgspec.json.encode(text), type=datetime)
        assert (read, read.utcoffset()) == (
            datetime.fromisoformat(text),
            datetime.fromisoformat(text).utcoffset(),
        )


# --- Hand-made states of every topic, with the odd cases. ------------------------------------

NS = UUID("6f1c1a55-8b4e-4d43-9f55-2f2b8c0e1d10")
CELL_A, CELL_B, CELL_C = (uuid5(NS, n) for n in ("cell-a", "cell-b", "cell-c"))
ACCOUNT = uuid5(NS, "account-hoa")
"""An account the trail already named (its ``UserAccount.Opened`` in an earlier batch)."""
KNOWN_UNITS: dict[UUID, Subject] = {
    ACCOUNT: ("Nguyễn Thị Hoa", CELL_A),
    CELL_A: ("Chi bộ thôn Đông", None),
    CELL_B: ("Chi bộ thôn Tây", CELL_C),
    CELL_C: ("Đảng bộ xã Hợp Lý", None),
}
BASE = {
    "timestamp": "2025-03-01T02:03:04.567000Z",
    "actor": "bt-hoa",
    "actor_role": "secretary",
    "request_id": "req-42",
}
ODD_VALUES = (
    None,
    "",
    "2024-02-29",
    "2024-2-29",
    "2024-12345",
    "20240-2-29",
    0,
    False,
    1,
    1.0,
    True,
    17,
    1.5,
    [1, "a"],
    {"k": "v"},
    "«x»",
)
TIMESTAMPS = (
    "2025-03-01T02:03:04Z",  # no fraction
    "2025-03-01T09:03:04.000001+07:00",
    "2025-03-01T02:03:04.5",  # naive
    "2025-03-01 02:03:04",
    "2025-03-01",  # no datetime for msgspec: read as text, like before
)


def placeholders(kind: str) -> list[str]:
    template = PHRASES.get(kind, "")
    names = {n for _, n, _, _ in Formatter().parse(template) if n is not None}
    return sorted(names - {"subject"})


def variants(kind: str) -> Iterator[dict[str, Any]]:
    fields = placeholders(kind)
    full = {**BASE, **{f: f"giá trị {f}" for f in fields if f not in BASE}}
    yield full
    yield {**full, "cell_id": str(CELL_A)}
    yield {**full, "from_cell_id": str(CELL_A), "to_cell_id": str(CELL_B), "cell_id": str(CELL_C)}
    yield {**full, "from_cell_id": "", "cell_id": None, "committee_id": str(CELL_B)}
    yield {**full, "scope_unit_id": str(CELL_C), "to_cell_id": ""}
    yield {**full, "to_cell_id": str(CELL_A)}
    yield {**full, "reason": "Tuổi cao, sức yếu"}
    for (coded_kind, field), table in CODED.items():  # a code shown in words
        if coded_kind == kind:
            yield {**full, field: next(iter(table))}
    yield {**full, "reason": 3}
    yield {**full, "reason": None}
    yield {**full, "full_name": None, "name": "Tên mới", "title": "Bỏ qua"}
    yield {**full, "full_name": "", "name": "Không dùng"}
    yield {**full, "name": 5, "title": "Tiêu đề"}
    yield {**full, "title": ["không", "phải", "chữ"]}
    yield {k: v for k, v in full.items() if k != "actor"}
    yield {k: v for k, v in full.items() if k not in ("actor_role", "request_id")}
    yield {**full, "actor": None, "actor_role": "chairman"}
    yield {**full, "actor": 7, "actor_role": None}
    yield {**full, "actor": str(ACCOUNT)}
    yield {**full, "actor": str(uuid5(NS, "account-unknown"))}
    yield {**full, "actor": "system", "actor_role": "system"}
    yield {**full, "actor": "cli:root", "actor_role": "system"}
    yield {**full, "actor": "job:seal", "actor_role": "system"}
    yield {**full, "actor": "system:login-guard", "actor_role": "system"}
    yield {**full, "display_name": "Trần Văn Tư", "actor": str(uuid5(NS, "UserAccount-0"))}
    for ts in TIMESTAMPS:
        yield {**full, "timestamp": ts}
    for f in fields:
        if f == "timestamp":  # every row needs one: TIMESTAMPS above vary it
            continue
        yield {k: v for k, v in full.items() if k != f}
        for value in ODD_VALUES:
            yield {**full, f: value}


def hand_made(kinds: Iterable[tuple[str, str]]) -> list[StoredEventRow]:
    """Every variant of every topic, spread over a few aggregates of each aggregate type."""
    states = []
    for topic, kind in kinds:
        pool = [uuid5(NS, f"{kind_of(topic)[0]}-{i}") for i in range(3)]
        for i, state in enumerate(variants(kind)):
            states.append((pool[i % len(pool)], topic, state))
    return stored(states)


def test_every_topic_with_odd_states_gives_the_same_rows() -> None:
    topics = [(t, kind_of(t)[1]) for t in event_topics()]
    assert len(topics) > 90
    events = hand_made(topics)
    assert_same_tables(events, (len(events), 13, 1), seed=KNOWN_UNITS)


def test_a_json_value_msgspec_cannot_read_as_a_datetime_goes_the_slow_way_to_the_same_row() -> None:
    events = stored([(CELL_A, "domain.org_unit:OrgUnit.Renamed",
                      {**BASE, "timestamp": "2025-03-01", "name": "Chi bộ mới"})])  # fmt: skip
    assert_same_tables(events, (1,))


@pytest.fixture
def odd_phrases(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Phrases a feature might add: shown as stored, with format specs, attributes, indexes."""
    added = {
        "Test.Stamped": "ghi lúc {timestamp} bởi {actor} cho {subject}",
        "Test.Spec": "số {count:>5} và {label!r}",
        "Test.Dotted": "xem {item.name} và {items[0]}",
        "Test.Braces": "{{không phải ô}} {value} {{}}",
        "Test.OnlySubject": "của {subject}",
        "Test.Founded": "lập «{title}»",
    }
    for kind, template in added.items():
        monkeypatch.setitem(PHRASES, kind, template)
    _forget_plans()
    yield [(f"tests.fake:{kind}", kind) for kind in added]
    _forget_plans()


def _forget_plans() -> None:
    phrase_of.cache_clear()
    audit_trail._plans.clear()


def test_phrases_of_every_shape_give_the_same_sentences(odd_phrases: list[tuple[str, str]]) -> None:
    events = hand_made(odd_phrases)
    extra = stored([(CELL_A, topic, {**BASE, "count": 3, "label": "x", "item": {"name": "n"},
                                     "items": ["a"], "value": "v", "title": "Tổ 1"})
                    for topic, _ in odd_phrases])  # fmt: skip
    assert_same_tables(events + extra, (len(events) + len(extra), 5))


def test_a_rebuild_rewrites_only_the_subjects_that_changed() -> None:
    events = synthetic()
    table: dict[UUID, Subject] = {}
    first = TrailBatch(events, _rows_of(table))
    list(first.rows())
    table.update((k, (n, u)) for k, n, u in first.subject_rows())
    assert len(table) > 100
    again = TrailBatch(events, _rows_of(table))
    list(again.rows())
    assert again.subject_rows() == []
