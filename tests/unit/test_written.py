"""A route's call of its command (``run``) and its answer (``written_by``): the caller's
province and actor first, then the path's ids and the body's fields as keywords."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID, uuid4

import msgspec
import pytest

from services.context import RequestContext
from services.written import Written, run, written_by

pytestmark = pytest.mark.unit


class Rename(msgspec.Struct, kw_only=True):
    name: str
    expected_version: int | None = None


@dataclass
class Aggregate:
    id: UUID
    version: int


@dataclass
class Caller:
    app: str = "the province"
    actor: str = "the secretary"


def test_run_passes_the_caller_the_ids_and_the_body_as_keywords() -> None:
    heard: list[tuple[Any, ...]] = []
    unit_id = uuid4()

    def rename(app: str, actor: str, **given: Any) -> tuple[str, int]:
        heard.append((app, actor, given))
        return "done", 7

    ctx = cast(RequestContext, Caller())
    assert run(rename, ctx, Rename(name="Chi bộ 1", expected_version=3), unit_id=unit_id) == (
        "done",
        7,
    )
    assert heard == [
        ("the province", "the secretary", {"unit_id": unit_id, "name": "Chi bộ 1", "expected": 3})
    ]
    run(rename, ctx, unit_id=unit_id)  # no body: the ids only
    assert heard[-1] == ("the province", "the secretary", {"unit_id": unit_id})


def test_written_by_answers_what_the_command_wrote() -> None:
    aggregate = Aggregate(uuid4(), 4)

    def close(app: str, actor: str, *, reason: str) -> tuple[Aggregate, int]:
        assert reason == "đủ"
        return aggregate, 120

    answer = written_by(close, cast(RequestContext, Caller()), reason="đủ")
    assert answer == Written(id=aggregate.id, version=4, position=120)
