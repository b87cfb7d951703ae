"""Event topics are part of the stored log: every event class's topic is frozen in a list.

A topic (``domain.meeting:Meeting.MotionDecided``) is stored in every event row, hashed into the
audit chain and used by the projections to select events. Moving or renaming an event class
silently breaks history, so the topics of every ``DomainEvent`` class under ``domain/`` are
compared with ``tests/unit/event_topics.txt``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest
from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic

import domain

pytestmark = pytest.mark.unit

FROZEN = Path(__file__).with_name("event_topics.txt")

HOW_A_TOPIC_MAY_CHANGE = """
Event topics are stored in every event row and hashed into the audit chain: never move or
rename an event class (events stay nested in their aggregate, in the aggregate's module).
- A NEW event class: add its topic to tests/unit/event_topics.txt.
- A topic MISSING from the code is history that no longer loads. If a class really must move,
  keep the old topic working: register it with
  eventsourcing.utils.register_topic("<old module>:<Old.Qualname>", NewClass)
  at import time of the new module, keep the old line in the list (the new topic goes in as
  well), and add a test that stores a row under the old topic and loads it through the
  repository (see docs/architecture.md, "Event topics").
"""


def classes_in(namespace: object, module: str) -> list[type]:
    """Classes defined in ``module``, nested ones included (events live inside aggregates)."""
    found = []
    for value in vars(namespace).values():
        if inspect.isclass(value) and value.__module__ == module and value is not namespace:
            found.append(value)
            found += classes_in(value, module)
    return found


def domain_modules() -> list[ModuleType]:
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(domain.__path__, "domain.")
    ]


def event_topics() -> set[str]:
    return {
        get_topic(cls)
        for module in domain_modules()
        for cls in classes_in(module, module.__name__)
        if issubclass(cls, DomainEvent)
    }


def frozen_topics() -> set[str]:
    lines = FROZEN.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_the_discovery_finds_the_events_of_every_aggregate():
    topics = event_topics()
    assert "domain.meeting:Meeting.MotionDecided" in topics
    assert "domain.admission:AdmissionCase.CellVoted" in topics
    assert "domain.user:UserAccount.RoleGranted" in topics
    assert len(topics) >= 100


def test_no_event_topic_went_missing():
    missing = sorted(frozen_topics() - event_topics())
    assert missing == [], (
        f"event topics no longer defined (stored rows with them will not load): {missing}\n"
        + HOW_A_TOPIC_MAY_CHANGE
    )


def test_no_event_topic_is_unlisted():
    new = sorted(event_topics() - frozen_topics())
    assert new == [], f"event topics not in {FROZEN.name}: {new}\n" + HOW_A_TOPIC_MAY_CHANGE
