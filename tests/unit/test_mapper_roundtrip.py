"""Every event type of the domain survives the msgspec mapper unchanged, field by field.

Event classes are discovered by importing every module of ``domain/``, so a new event type is
covered the moment it exists; sample values are generated from its type hints.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types
import typing
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

import pytest

import domain
from domain.base import ChiboAggregate
from infra.mapper import MsgspecMapper

pytestmark = pytest.mark.unit


def rebuilt_through_the_mapper(aggregate: Any) -> Any:
    """The aggregate rebuilt from its pending events, each stored by the mapper and read back;
    every event must read back equal, field for field."""
    mapper = MsgspecMapper()
    copy = None
    for event in aggregate.collect_events():
        back = mapper.to_domain_event(mapper.to_stored_event(event))
        assert vars(back) == vars(event)
        copy = back.mutate(copy)
    return copy


def all_event_classes() -> list[type]:
    for info in pkgutil.iter_modules(domain.__path__):
        importlib.import_module(f"domain.{info.name}")
    found: dict[str, type] = {}
    stack = [ChiboAggregate.Event]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("domain."):
            found[f"{cls.__module__}:{cls.__qualname__}"] = cls
    return [found[key] for key in sorted(found)]


def sample(hint: Any, depth: int = 0) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)), depth)
    if origin is typing.Literal:
        return args[0]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return (sample(args[0], depth + 1), sample(args[0], depth + 1))
        return tuple(sample(a, depth + 1) for a in args)
    if origin is typing.Annotated:
        return sample(args[0], depth)
    simple: dict[Any, Any] = {
        str: "Chi bộ thôn Tùy Sơn — ý kiến",
        int: 7,
        float: 2.5,
        bool: True,
        date: date(2025, 2, 3),
        datetime: datetime(2025, 2, 3, 8, 30, tzinfo=UTC),
        bytes: b"\x00\x01",
    }
    if hint in simple:
        return simple[hint]
    if hint is UUID or isinstance(hint, typing.TypeVar):  # originator ids are generic
        return uuid4()
    if isinstance(hint, type) and issubclass(hint, Enum):
        return list(hint)[-1]
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        values = {f.name: sample(hints[f.name], depth + 1) for f in dataclasses.fields(hint)}
        try:
            return hint(**values)
        except Exception:  # a value object that validates itself: its defaults are valid
            return hint()
    raise AssertionError(f"no sample for type {hint!r}: is it msgspec-serialisable?")


def make_event(cls: type) -> Any:
    hints = typing.get_type_hints(cls)
    event = object.__new__(cls)
    values = {f.name: sample(hints[f.name]) for f in dataclasses.fields(cls)}
    values["originator_version"] = 3
    object.__setattr__(event, "__dict__", values)
    return event


EVENTS = all_event_classes()


def test_the_domain_has_events_to_check():
    names = {cls.__qualname__ for cls in EVENTS}
    assert {"OrgUnit.Founded", "Member.Enrolled", "CellRoster.Changed"} <= names


@pytest.mark.parametrize("event_class", EVENTS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_event_round_trips_through_the_mapper(event_class: type):
    mapper = MsgspecMapper()
    event = make_event(event_class)
    stored = mapper.to_stored_event(event)
    assert str(event.originator_id).encode() not in stored.state  # a column, not repeated
    restored = mapper.to_domain_event(stored)
    assert type(restored) is event_class
    assert vars(restored) == vars(event)
    for name, value in vars(event).items():
        assert type(getattr(restored, name)) is type(value), name


def test_a_corrupted_state_is_reported_with_topic_and_version():
    from eventsourcing.persistence import MapperDeserialisationError

    mapper = MsgspecMapper()
    stored = mapper.to_stored_event(make_event(EVENTS[0]))
    broken = type(stored)(stored.originator_id, stored.originator_version, stored.topic, b"{")
    with pytest.raises(MapperDeserialisationError, match="Cannot decode"):
        mapper.to_domain_event(broken)
