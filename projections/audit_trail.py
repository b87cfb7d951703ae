"""The audit trail read model (nhật ký kiểm tra): one row per event, readable by an inspector.

``audit_trail`` has, for every event of the province: who (actor, role), from which request,
when, which aggregate and version, the kind of change, the org unit it concerns, the reason of
a correction, and a sentence in Vietnamese ("Đ/c … ghi nhận … tại Chi bộ …"). The org unit is
the one the event names (``cell_id``, ``unit_id``…), else the one its aggregate last named, so
a member's later events still sit under their cell. ``audit_subjects`` keeps, per aggregate,
its display name and unit, so this model depends on no other projection's progress.

It consumes every event topic declared in ``domain/`` (found by walking the package), so a new
feature's events appear without touching this module; unknown kinds get a generic sentence.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from string import Formatter
from typing import Any
from uuid import UUID

import msgspec
import psycopg
from psycopg import sql

import domain
from domain.base import ChiboAggregate
from infra.audit import hashchain
from projections.base import StoredEventRow, table
from projections.sets import copy_rows, drop_tables, run_ddl, upsert_rows

TABLES = ("audit_trail", "audit_subjects")
DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.audit_trail (notification_id bigint PRIMARY KEY,"
    " aggregate_id uuid NOT NULL, aggregate_version bigint NOT NULL, aggregate_type text NOT NULL,"
    " kind text NOT NULL, actor text NOT NULL, actor_role text NOT NULL, request_id text NOT NULL,"
    " occurred_at timestamptz NOT NULL, org_unit_id uuid, reason text, sentence text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS audit_trail_time ON {s}.audit_trail (occurred_at)",
    "CREATE INDEX IF NOT EXISTS audit_trail_actor ON {s}.audit_trail (actor, notification_id)",
    "CREATE INDEX IF NOT EXISTS audit_trail_aggregate"
    " ON {s}.audit_trail (aggregate_id, aggregate_version)",
    "CREATE INDEX IF NOT EXISTS audit_trail_unit ON {s}.audit_trail (org_unit_id, notification_id)",
    "CREATE INDEX IF NOT EXISTS audit_trail_kind ON {s}.audit_trail (kind, notification_id)",
    "CREATE TABLE IF NOT EXISTS {s}.audit_subjects (aggregate_id uuid PRIMARY KEY, name text,"
    " org_unit_id uuid)",
)
TRAIL_COLUMNS = (
    "notification_id", "aggregate_id", "aggregate_version", "aggregate_type", "kind", "actor",
    "actor_role", "request_id", "occurred_at", "org_unit_id", "reason", "sentence",
)  # fmt: skip
TRAIL_TYPES = (
    "int8", "uuid", "int8", "text", "text", "text", "text", "text", "timestamptz", "uuid",
    "text", "text",
)  # fmt: skip
SUBJECT_COLUMNS = (("aggregate_id", "uuid"), ("name", "text"), ("org_unit_id", "uuid"))

UNIT_FIELDS = ("from_cell_id", "cell_id", "committee_id", "scope_unit_id")
"""Event fields naming the org unit an event concerns, most specific first. (A petition's
``unit_id`` is where it was forwarded, not where it belongs, so it is not one of them.)"""
NAME_FIELDS = ("full_name", "name", "title")

ROLE_VI = {
    "tenant_admin": "quản trị tỉnh",
    "secretary": "bí thư chi bộ",
    "superior": "cấp ủy viên cấp trên",
    "inspector": "ủy ban kiểm tra",
    "auditor": "kiểm toán viên",
    "member": "đảng viên",
    "system": "hệ thống",
}

PHRASES = {
    "OrgUnit.Founded": "thành lập tổ chức «{name}»",
    "OrgUnit.Renamed": "đổi tên tổ chức thành «{name}»",
    "OrgUnit.Moved": "chuyển tổ chức sang trực thuộc tổ chức khác từ ngày {moved_on}",
    "OrgUnit.Dissolved": "giải thể tổ chức từ ngày {dissolved_on}",
    "OrgUnit.ChildAttached": "ghi nhận một tổ chức trực thuộc mới",
    "OrgUnit.ChildDetached": "ghi nhận một tổ chức thôi trực thuộc",
    "OrgUnit.MeetingWindowSet": "đặt khung ngày sinh hoạt định kỳ",
    "Member.Enrolled": "ghi nhận đảng viên {full_name} vào sinh hoạt",
    "Member.TransferredBetweenCells": "chuyển sinh hoạt đảng cho đảng viên {subject} từ ngày {on}",
    "Member.Exempted": "miễn sinh hoạt cho đảng viên {subject} từ ngày {start}",
    "Member.ExemptionEnded": "chấm dứt miễn sinh hoạt của đảng viên {subject} từ ngày {on}",
    "Member.Departed": "ghi nhận đảng viên {subject} rời danh sách ({reason}) từ ngày {on}",
    "CellRoster.Opened": "lập danh sách đảng viên của chi bộ",
    "CellRoster.Changed": "ghi nhận thay đổi danh sách đảng viên ({change}) ngày {on}",
    "Province.Registered": "đăng ký tỉnh «{name}»",
    "Meeting.Scheduled": "lên lịch sinh hoạt chi bộ tháng {month}/{year}",
    "Meeting.Opened": "khai mạc buổi sinh hoạt",
    "Meeting.AttendanceMarked": "điểm danh đảng viên dự sinh hoạt",
    "Meeting.MotionProposed": "đưa ra biểu quyết «{title}»",
    "Meeting.BallotCast": "ghi nhận phiếu biểu quyết của một đảng viên",
    "Meeting.MotionDecided": "ghi nhận biểu quyết: {votes_for} tán thành, {against} không tán"
    " thành, {abstain} không biểu quyết — {result}",
    "Meeting.MinutesRecorded": "ghi biên bản buổi sinh hoạt",
    "Meeting.QualityAssessed": "đánh giá chất lượng buổi sinh hoạt: {rating}",
    "Meeting.Closed": "bế mạc buổi sinh hoạt",
    "Meeting.Corrected": "đính chính biên bản buổi sinh hoạt",
    "Meeting.TallyCorrected": "đính chính kết quả biểu quyết",
    "Petition.Raised": "ghi nhận ý kiến, kiến nghị «{content}»",
    "Petition.Resolved": "ghi nhận kết quả giải quyết kiến nghị",
    "AdmissionCase.Opened": "mở hồ sơ kết nạp cho quần chúng {full_name}",
    "AdmissionCase.CellVoted": "ghi nhận biểu quyết kết nạp của chi bộ: {votes_for}/{official_members}"
    " đảng viên chính thức tán thành",
    "Province.SettingsChanged": "thay đổi quy định của tỉnh, hiệu lực từ ngày {effective_on}",
}
"""Vietnamese phrases by kind; features add theirs (e.g. "Meeting.VoteRecorded")."""


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


def sentence(kind: str, actor: str, role: str, fields: dict[str, Any], subject: str | None,
             unit: str | None) -> str:  # fmt: skip
    try:
        template = PHRASES[kind]
        # Only the fields the phrase names are converted: most events carry many more.
        values = {
            n: (subject or "") if n == "subject" else _text(fields[n])
            for n in _placeholders(template)
        }
        phrase = template.format_map(values)
    except (KeyError, IndexError):
        phrase = f"ghi nhận thay đổi «{kind}»" + (f" của «{subject}»" if subject else "")
    where = f" tại {unit}" if unit else ""
    reason = f"; lý do: {fields['reason']}" if isinstance(fields.get("reason"), str) else ""
    return f"Đ/c {actor} ({ROLE_VI.get(role, role)}) {phrase}{where}{reason}."


@cache
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple({name for _, name, _, _ in Formatter().parse(template) if name is not None})


def _text(value: Any) -> str:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"  # ISO date → dd/mm/yyyy
    return str(value)


class AuditTrailProjection:
    name = "audit_trail"
    deferred_indexes = ("audit_trail_time", "audit_trail_actor", "audit_trail_aggregate",
                        "audit_trail_unit", "audit_trail_kind")  # fmt: skip
    """Read by the inspectors' queries only; a rebuild builds them once at the end."""

    def __init__(self) -> None:
        self.topics = event_topics()

    def install(self, conn: psycopg.Connection[Any], schema: str) -> None:
        run_ddl(conn, schema, DDL)

    def drop(self, conn: psycopg.Connection[Any], schema: str) -> None:
        drop_tables(conn, schema, TABLES)

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        decoded = [msgspec.json.decode(row.state) for row in events]
        stated_units = [_stated(fields) for fields in decoded]
        referenced = {row.originator_id for row in events}
        referenced.update(u for u in stated_units if u is not None)
        subjects = self._load(conn, schema, referenced)
        # The units the loaded aggregates belong to, for their names in the sentences.
        subjects.update(
            self._load(conn, schema, {u for _, u in subjects.values() if u} - referenced)
        )
        changed: dict[UUID, tuple[str | None, UUID | None]] = {}
        trail = []
        nobody = (None, None)
        for row, fields, stated in zip(events, decoded, stated_units, strict=True):
            aggregate_type, kind, naming = _kind(row.topic)
            originator = row.originator_id
            name, unit = subjects.get(originator, nobody)
            if naming:
                named = next((v for f in NAME_FIELDS if isinstance(v := fields.get(f), str)), None)
                if named:
                    name = named
            event_unit = originator if aggregate_type == "OrgUnit" else stated or unit
            # An aggregate belongs to the unit its first event names; only a transfer moves it.
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
            trail.append((
                row.notification_id, originator, row.originator_version, aggregate_type,
                kind, fields.get("actor", ""), actor_role,
                fields.get("request_id", ""), datetime.fromisoformat(fields["timestamp"]),
                event_unit, reason if isinstance(reason, str) else None,
                sentence(kind, fields.get("actor", "?"), actor_role, fields, name, unit_name),
            ))  # fmt: skip
        copy_rows(conn, schema, "audit_trail", TRAIL_COLUMNS, trail, TRAIL_TYPES)
        upsert_rows(
            conn, schema, "audit_subjects", SUBJECT_COLUMNS, ("aggregate_id",),
            [(k, n, u) for k, (n, u) in changed.items()],
        )  # fmt: skip

    def _load(
        self, conn: psycopg.Connection[Any], schema: str, ids: set[UUID]
    ) -> dict[UUID, tuple[str | None, UUID | None]]:
        rows = conn.execute(
            sql.SQL(
                "SELECT aggregate_id, name, org_unit_id FROM {} WHERE aggregate_id = ANY(%s)"
            ).format(table(schema, "audit_subjects")),
            (list(ids),),
        ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}


@cache
def _kind(topic: str) -> tuple[str, str, bool]:
    """(aggregate type, kind, whether the event names its aggregate) of a topic."""
    aggregate_type, kind = kind_of(topic)
    return aggregate_type, kind, kind.endswith((".Founded", ".Renamed", ".Enrolled", ".Registered"))


def _stated(fields: dict[str, Any]) -> UUID | None:
    """The org unit an event names itself, if any (the first of ``UNIT_FIELDS`` it has)."""
    for f in UNIT_FIELDS:
        if value := fields.get(f):
            return _as_uuid(value)
    return None


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


AUDIT_TRAIL = AuditTrailProjection()


class AuditChainProjection:
    """Keeps the hash chain up with the log, run by the same engine and workers as the rest.

    ``apply`` ignores the rows it is handed and chains *every* stored event after the chain
    head itself (whatever its topic), inside the engine's transaction. ``drop`` does nothing:
    the chain is append-only evidence, never rebuilt (the database would refuse anyway).
    """

    name = "audit_chain"

    def __init__(self) -> None:
        self.topics = event_topics()

    def install(self, conn: psycopg.Connection[Any], schema: str) -> None:
        hashchain.install(conn, schema)

    def drop(self, conn: psycopg.Connection[Any], schema: str) -> None:
        return None

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        hashchain.extend_chain(conn, schema)


AUDIT_CHAIN = AuditChainProjection()
