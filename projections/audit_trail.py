"""The audit trail read model (nhật ký kiểm tra): one row per event, readable by an inspector.

``audit_trail`` has, for every event of the province: who (actor, role), from which request,
when, which aggregate and version, the kind of change, the org unit it concerns, the reason of
a correction, and a sentence in Vietnamese ("Đ/c … ghi nhận … tại Chi bộ …", built by
:mod:`projections.audit_sentences`). The org unit is the one the event names (``cell_id``,
``unit_id``…), else the one its aggregate last named, so a member's later events still sit
under their cell. ``audit_subjects`` keeps, per aggregate, its display name and unit, so this
model depends on no other projection's progress.

It consumes every event topic declared in ``domain/`` (found by walking the package), so a new
feature's events appear without touching this module; unknown kinds get a generic sentence.

Every event passes through here, so a rebuild's speed is this module's per-event cost. Each
topic gets a plan at its first event (:func:`plan_of`): a msgspec decoder for only the fields
the row and the sentence read, and the kind's phrase already parsed.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any, NamedTuple
from uuid import UUID

import msgspec
import psycopg
from psycopg import sql

import domain
from domain.base import ChiboAggregate
from projections.audit_sentences import (
    IMPORT_REQUEST,
    PHRASES,
    ROLE_VI,
    Phrase,
    closing,
    imported_from,
    opening,
    phrase_of,
    render,
    sentence,
    shown_name,
)
from projections.base import StoredEventRow, table
from projections.sets import OwnTables, copy_rows, upsert_rows

__all__ = [
    "AUDIT_TRAIL",
    "PHRASES",
    "ROLE_VI",
    "TABLES",
    "TrailBatch",
    "event_topics",
    "kind_of",
    "sentence",
]

TABLES = ("audit_trail", "audit_subjects")
DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.audit_trail (notification_id bigint PRIMARY KEY,"
    " aggregate_id uuid NOT NULL, aggregate_version bigint NOT NULL, aggregate_type text NOT NULL,"
    " kind text NOT NULL, actor text NOT NULL, actor_role text NOT NULL, request_id text NOT NULL,"
    " occurred_at timestamptz NOT NULL, org_unit_id uuid, reason text, sentence text NOT NULL,"
    " actor_name text NOT NULL)",
    # A trail made before actor names (version 3) gets the column here, so that the index on
    # it installs and ``chibo migrate`` reaches the rebuild the version asks for (which drops
    # this table and fills a fresh one); without it the install failed on those provinces.
    "ALTER TABLE {s}.audit_trail ADD COLUMN IF NOT EXISTS actor_name text NOT NULL DEFAULT ''",
    "CREATE INDEX IF NOT EXISTS audit_trail_time ON {s}.audit_trail (occurred_at)",
    "CREATE INDEX IF NOT EXISTS audit_trail_actor ON {s}.audit_trail (actor, notification_id)",
    "CREATE INDEX IF NOT EXISTS audit_trail_actor_name"
    " ON {s}.audit_trail (actor_name, notification_id)",
    "CREATE INDEX IF NOT EXISTS audit_trail_aggregate"
    " ON {s}.audit_trail (aggregate_id, aggregate_version)",
    "CREATE INDEX IF NOT EXISTS audit_trail_unit ON {s}.audit_trail (org_unit_id, notification_id)",
    "CREATE INDEX IF NOT EXISTS audit_trail_kind ON {s}.audit_trail (kind, notification_id)",
    "CREATE TABLE IF NOT EXISTS {s}.audit_subjects (aggregate_id uuid PRIMARY KEY, name text,"
    " org_unit_id uuid)",
)
TRAIL_COLUMNS = (
    "notification_id", "aggregate_id", "aggregate_version", "aggregate_type", "kind", "actor",
    "actor_role", "request_id", "occurred_at", "org_unit_id", "reason", "sentence", "actor_name",
)  # fmt: skip
TRAIL_TYPES = (
    "int8", "uuid", "int8", "text", "text", "text", "text", "text", "timestamptz", "uuid",
    "text", "text", "text",
)  # fmt: skip
SUBJECT_COLUMNS = (("aggregate_id", "uuid"), ("name", "text"), ("org_unit_id", "uuid"))

UNIT_FIELDS = ("from_cell_id", "cell_id", "committee_id", "scope_unit_id")
"""Event fields naming the org unit an event concerns, most specific first. (A petition's
``unit_id`` is where it was forwarded, not where it belongs, so it is not one of them.)"""
NAME_FIELDS = ("full_name", "name", "title", "display_name")
NAMING_KINDS = (".Founded", ".Renamed", ".Enrolled", ".Registered", "UserAccount.Opened")
"""Kinds that name their aggregate: an account is named by its holder's full name, which is how
the trail names whoever acts with it (``actor_name``)."""
BASE_FIELDS = ("actor", "actor_role", "request_id", "reason", *UNIT_FIELDS, "to_cell_id")
"""The fields every topic's row reads besides ``timestamp`` (names only for naming kinds)."""

SubjectRow = tuple[UUID, str | None, UUID | None]
"""(aggregate, display name, org unit): a row of ``audit_subjects``."""
LoadSubjects = Callable[[list[UUID]], Iterable[SubjectRow]]
"""Reads from ``audit_subjects`` the rows it has of the given aggregates."""
UNSET = msgspec.UNSET
"""A field the stored event does not have: falsy and not a str, as ``dict.get`` gave None."""


def event_topics() -> tuple[str, ...]:
    """Every event class declared under ``domain/`` (importing its modules, which do no I/O)."""
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(info.name)
    seen: set[str] = set()
    stack: list[type] = [ChiboAggregate.Event]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("domain.") and "." in cls.__qualname__:
            # The library re-creates inherited event classes in subclasses; the topic string
            # is what is stored, so duplicates collapse here.
            seen.add(f"{cls.__module__}:{cls.__qualname__}")
    return tuple(sorted(seen))


def kind_of(topic: str) -> tuple[str, str]:
    """("OrgUnit", "OrgUnit.Renamed") from "domain.org_unit:OrgUnit.Renamed"."""
    qualname = topic.partition(":")[2]
    return qualname.partition(".")[0], qualname


class Plan(NamedTuple):
    """How the events of one topic become rows."""

    decoder: msgspec.json.Decoder[Any]
    """Reads only the fields the row and the sentence need, each as its JSON value."""
    lax: msgspec.json.Decoder[Any]
    """The same with ``timestamp`` left as stored, for a text msgspec reads as no datetime."""
    aggregate_type: str
    kind: str
    is_org_unit: bool
    naming: bool
    """Whether the event names its aggregate (``NAME_FIELDS``): founded, renamed, enrolled…"""
    phrase: Phrase
    values: Callable[[Any], tuple[Any, ...]]
    """The decoded values of ``phrase.fields``, in order."""


_plans: dict[str, Plan] = {}


def plan_of(topic: str) -> Plan:
    plan = _plans.get(topic)
    if plan is None:
        plan = _plans[topic] = _plan(topic)
    return plan


def _plan(topic: str) -> Plan:
    aggregate_type, kind = kind_of(topic)
    naming = kind.endswith(NAMING_KINDS)
    phrase = phrase_of(kind)
    # JSON key → struct attribute. A phrase's field that is no base field gets an attribute
    # of its own (a key need not be a Python name); one that is (``name``, ``reason``) shares it.
    attrs = {key: key for key in ("timestamp", *BASE_FIELDS, *(NAME_FIELDS if naming else ()))}
    for i, key in enumerate(phrase.fields):
        attrs.setdefault(key, f"placeholder_{i}")
    # Every field is the JSON value as stored (``Any``, as the generic decode gave), UNSET when
    # absent, so "absent" and null stay apart as they did with a dict.
    fields = [(attr, Any, UNSET) for key, attr in attrs.items() if key != "timestamp"]
    rename = {attr: key for key, attr in attrs.items() if attr != key}
    strict, lax = (
        msgspec.json.Decoder(
            msgspec.defstruct(
                f"{kind}Audit", [("timestamp", time_type), *fields], rename=rename, gc=False
            )
        )
        for time_type in (datetime, Any)
    )
    # msgspec reads a stored timestamp (RFC 3339 that msgspec wrote from a datetime, so at most
    # six decimals) as the datetime ``fromisoformat`` gives, without a Python call. A phrase
    # naming ``timestamp`` shows the text as stored, so its topic keeps the text.
    decoder = lax if "timestamp" in phrase.fields else strict
    getters = [attrs[key] for key in phrase.fields]
    values: Callable[[Any], tuple[Any, ...]]
    if len(getters) > 1:
        values = attrgetter(*getters)
    else:  # attrgetter of one name gives the value itself, of none fails
        values = _as_tuple(attrgetter(*getters)) if getters else lambda state: ()
    return Plan(decoder, lax, aggregate_type, kind, aggregate_type == "OrgUnit", naming, phrase,
                values)  # fmt: skip


def _as_tuple(get: Callable[[Any], Any]) -> Callable[[Any], tuple[Any, ...]]:
    return lambda state: (get(state),)


class TrailBatch:
    """One batch of events on its way to ``audit_trail`` rows and ``audit_subjects`` changes.

    Built in two passes. The first (here) decodes every event and loads, in two queries, the
    subjects the batch reads: its aggregates, the units its events name, the units of those
    aggregates. The second (:meth:`rows`) yields the rows in log order straight into ``COPY``.
    :meth:`subject_rows` then gives the subjects that changed.

    Subjects are kept by ``UUID.int`` in two dicts (name, unit): a UUID hashes and compares
    in Python code, an int in C, and each event does a few dict operations. Few objects outlive
    an event (no row, no tuple per subject, one UUID per unit): every one that does lengthens
    the garbage collector's passes, which otherwise take a good part of a rebuild.
    """

    def __init__(self, events: Sequence[StoredEventRow], load: LoadSubjects) -> None:
        self.events = events
        self.uuids: dict[str, UUID] = {}
        self.plans: list[Plan] = []
        self.states: list[Any] = []
        self.stated: list[UUID | None] = []
        self.accounts: dict[str, int | None] = {}
        """Actor → the ``UUID.int`` of the account it names (None: the system, the console…)."""
        units = attrgetter(*UNIT_FIELDS)
        wanted: dict[int, UUID] = {}
        for row in events:
            plan = _plans.get(row.topic) or plan_of(row.topic)
            try:
                state = plan.decoder.decode(row.state)
            except msgspec.ValidationError:
                state = plan.lax.decode(row.state)  # its text is converted in rows()
            # The org unit the event names itself, if any (the first of ``UNIT_FIELDS`` it has).
            stated = next(filter(None, units(state)), None)
            if stated is not None:
                stated = _uuid(stated, self.uuids)
                wanted[stated.int] = stated
            originator = row.originator_id
            wanted[originator.int] = originator
            actor = state.actor
            if actor.__class__ is str and actor not in self.accounts:
                account = _account(actor)
                self.accounts[actor] = account.int if account else None
                if account:
                    wanted[account.int] = account
            self.plans.append(plan)
            self.states.append(state)
            self.stated.append(stated)
        self.names: dict[int, str | None] = {}
        self.units: dict[int, UUID | None] = {}
        self._read(load(list(wanted.values())))
        # The units the loaded aggregates belong to, for their names in the sentences.
        more = {u.int: u for u in self.units.values() if u and u.int not in wanted}
        if more:
            self._read(load(list(more.values())))
        self.loaded = self.names.copy(), self.units.copy()
        self.changed: dict[int, UUID] = {}

    def _read(self, rows: Iterable[SubjectRow]) -> None:
        same: dict[int, UUID] = {}  # one object per unit, not one per row
        for aggregate, name, unit in rows:
            key = aggregate.int
            self.names[key] = name
            self.units[key] = same.setdefault(unit.int, unit) if unit else unit

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """The ``audit_trail`` rows (``TRAIL_COLUMNS``), one per event, in log order."""
        names, units, changed, uuids = self.names, self.units, self.changed, self.uuids
        accounts = self.accounts
        naming_fields = attrgetter(*NAME_FIELDS)
        endings: dict[str | None, str] = {}  # " tại {unit}." per unit: most events give no reason
        for row, plan, state, stated in zip(
            self.events, self.plans, self.states, self.stated, strict=True
        ):
            # The plan's fields as locals, in ``Plan``'s order (one unpacking, not six lookups).
            _, _, aggregate_type, kind, is_org_unit, naming, phrase, values = plan
            originator = row.originator_id
            key = originator.int
            name = names.get(key)
            unit = units.get(key)
            if naming:
                for named in naming_fields(state):
                    if isinstance(named, str):
                        if named:
                            name = named
                        break
            # An aggregate belongs to the unit its first event names; only a transfer moves it.
            event_unit: UUID | None
            if is_org_unit:
                event_unit = unit = originator
            else:
                event_unit = stated or unit
                if to_cell := state.to_cell_id:
                    unit = _uuid(to_cell, uuids)
                elif unit is None:
                    unit = stated
            names[key] = name
            units[key] = unit
            changed[key] = originator
            unit_name = names.get(event_unit.int) if event_unit else None
            actor = state.actor
            role = state.actor_role
            if role is UNSET:
                role = ""
            if actor is UNSET:
                actor = "?"
            # The account's full name as of this event (an account opened earlier in the batch
            # is already named); the opening and the name are cached per actor and name.
            account = accounts.get(actor) if actor.__class__ is str else None
            account_name = names.get(account) if account is not None else None
            request_id = state.request_id
            reason = state.reason
            occurred = state.timestamp
            if occurred.__class__ is not datetime:
                occurred = datetime.fromisoformat(occurred)
            if phrase.fixed is None:
                found = values(state)
                text = render(phrase, None if UNSET in found else found, name)
            else:
                text = phrase.fixed
            if request_id.__class__ is str and request_id.startswith(IMPORT_REQUEST):
                ending = closing(unit_name, phrase.reason(reason), imported_from(request_id))
                reason = reason if isinstance(reason, str) else None
            elif isinstance(reason, str):
                ending = closing(unit_name, phrase.reason(reason))
            else:
                reason = None
                ending = endings.get(unit_name) or endings.setdefault(
                    unit_name, closing(unit_name, None)
                )
            yield (
                row.notification_id, originator, row.originator_version, aggregate_type, kind,
                "" if state.actor is UNSET else actor, role,
                "" if request_id is UNSET else request_id, occurred, event_unit, reason,
                f"{opening(actor, role, account_name)}{text}{ending}",
                shown_name(actor, account_name),
            )  # fmt: skip

    def subject_rows(self) -> list[SubjectRow]:
        """The ``audit_subjects`` rows the batch changed (after :meth:`rows` has run).

        Only what differs from the table is written: a rebuild meets most aggregates again
        in later batches, mostly with the same name and unit.
        """
        names, units = self.names, self.units
        old_names, old_units = self.loaded
        return [
            (aggregate, names[k], units[k])
            for k, aggregate in self.changed.items()
            if k not in old_units or old_names[k] != names[k] or old_units[k] != units[k]
        ]


def _account(actor: str) -> UUID | None:
    """The account id an actor is (a request's principal), or None (``system``, ``cli:…``)."""
    if len(actor) != 36:  # every account id is written as str(UUID)
        return None
    try:
        return UUID(actor)
    except ValueError:
        return None


def _uuid(value: Any, known: dict[str, UUID]) -> UUID:
    """The UUID an event field holds; the same few unit ids recur across a batch."""
    if value.__class__ is str:
        found = known.get(value)
        if found is None:
            found = known[value] = UUID(value)
        return found
    return value if isinstance(value, UUID) else UUID(str(value))


class AuditTrailProjection(OwnTables):
    name = "audit_trail"
    # Issue 12 §5: 2, a sentence for every kind (audit_sentences.PHRASES); 3, the actor by
    # full name and role (``actor_name``); 4, codes in words (projections.audit_labels).
    version = 4  # bump when the tables or what apply writes change (projections.versions)
    ddl = DDL
    tables = TABLES
    deferred_indexes = ("audit_trail_time", "audit_trail_actor", "audit_trail_actor_name",
                        "audit_trail_aggregate",
                        "audit_trail_unit", "audit_trail_kind")  # fmt: skip
    """Read by the inspectors' queries only; a rebuild builds them once at the end."""

    def __init__(self) -> None:
        self.topics = event_topics()

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        batch = TrailBatch(events, lambda ids: self._load(conn, schema, ids))
        copy_rows(conn, schema, "audit_trail", TRAIL_COLUMNS, batch.rows(), TRAIL_TYPES)
        upsert_rows(
            conn, schema, "audit_subjects", SUBJECT_COLUMNS, ("aggregate_id",),
            batch.subject_rows(),
        )  # fmt: skip

    def _load(
        self, conn: psycopg.Connection[Any], schema: str, ids: list[UUID]
    ) -> list[SubjectRow]:
        return conn.execute(
            sql.SQL(
                "SELECT aggregate_id, name, org_unit_id FROM {} WHERE aggregate_id = ANY(%b)"
            ).format(table(schema, "audit_subjects")),
            (ids,),
        ).fetchall()


AUDIT_TRAIL = AuditTrailProjection()
