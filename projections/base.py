"""The contract every projection (read model) fulfils, so one engine can run them all.

A projection consumes a batch of stored events of one tenant and writes plain tables in that
tenant's schema, set-based (``executemany``/``COPY``/``INSERT … SELECT``), inside the engine's
transaction, which also advances its checkpoint: the effect is exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol
from uuid import UUID

import msgspec
import psycopg
from psycopg import sql

from infra.mapper import codec_for_topic


class StoredEventRow(NamedTuple):
    """One row of a tenant's events table, as read by the engine."""

    notification_id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


class Projection(Protocol):
    name: str
    """Stable snake_case name: the checkpoint key and the prefix of its tables."""
    version: int
    """Bumped by a release that changes its tables or what ``apply`` writes: every province
    then rebuilds it by itself (:mod:`projections.versions`)."""
    topics: tuple[str, ...]
    """Event topics it consumes (``module:Class.Event``); others are skipped cheaply."""

    def install(self, conn: psycopg.Connection[Any], schema: str) -> None:
        """CREATE … IF NOT EXISTS its tables and indexes in ``schema``."""

    def drop(self, conn: psycopg.Connection[Any], schema: str) -> None:
        """DROP its tables (a rebuild then installs and replays)."""

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        """Write the effect of ``events`` (already filtered to ``topics``, in log order)."""


def decode(row: StoredEventRow) -> msgspec.Struct:
    """The typed state of an event (fields as declared on the event class)."""
    state: msgspec.Struct = codec_for_topic(row.topic).decoder.decode(row.state)
    return state


def table(schema: str, name: str) -> sql.Composed:
    """A schema-qualified, quoted table name for composing SQL safely."""
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))
