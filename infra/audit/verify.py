"""The verifier (kiểm chứng): recompute the chain and every seal from the stored events.

One pass over the log merged with the stored chain (a FULL JOIN on the notification id, in one
repeatable-read snapshot). For each position:

* an event and a chain entry: the entry must equal ``SHA-256(stored previous || event)``,
  otherwise the event was **altered** (the chain entry still names the original aggregate and
  version);
* a chain entry and no event: the event was **removed**;
* an event and no entry: the event was **inserted**. Each event is chained in the transaction
  that writes it, so this holds wherever the event lies, the tail included. (Only a province
  not yet switched to write-time chaining has a tail of events merely not chained yet,
  ``unchained``: those above its chain head.)

Links are checked against the *stored* previous entry, so one tampered event does not make
every later one look tampered: each finding is named. Separately the chain is recomputed from
the events alone, and each seal's Merkle root, end hashes and count are recomputed from that,
so a consistent rewrite of both the log and the chain (a DBA's) still breaks every seal from the
tampered point on, and the seals kept by an inspector (``--against``) expose a re-signing.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any
from uuid import UUID

from psycopg import sql

from infra.application import EVENTS_TABLE
from infra.audit.hashchain import (
    CHAIN_TABLE,
    ENTRY_SQL,
    chained_since,
    genesis,
    slug_of,
)
from infra.audit.keys import KeyStore, key_id, raw_public
from infra.audit.merkle import MerkleBuilder
from infra.audit.seals import Seal, signature_holds, stored_seals
from infra.audit.stream import batches, export_snapshot
from infra.database import Database

MAX_FINDINGS = 1000
NEVER = 2**63
KIND_VI = {"altered": "bị sửa", "removed": "bị xóa", "inserted": "bị chèn thêm"}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    """``altered``, ``removed`` or ``inserted``."""
    notification_id: int
    originator_id: UUID
    originator_version: int

    def describe(self) -> str:
        return (
            f"Sự kiện #{self.notification_id} (bản ghi {self.originator_id} phiên bản "
            f"{self.originator_version}) {KIND_VI[self.kind]} / event #{self.notification_id} "
            f"(aggregate {self.originator_id} version {self.originator_version}) was {self.kind}"
        )


@dataclass(slots=True)
class SealCheck:
    source: str
    """``stored`` (in the tenant's seal table) or ``external`` (a file an inspector kept)."""
    seq: int
    first: int
    last: int
    problems: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.problems


@dataclass(slots=True)
class Report:
    tenant: str
    events: int = 0
    chain_head: int = 0
    chained_since: int | None = None
    """Events after this one are chained as they are written (``None``: not switched yet)."""
    unchained: int = 0
    findings: list[Finding] = field(default_factory=list)
    finding_count: int = 0
    seals: list[SealCheck] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def first(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def ok(self) -> bool:
        return self.finding_count == 0 and all(s.holds for s in self.seals)


class _Pending:
    """A seal being recomputed while the pass goes over its range."""

    __slots__ = ("builder", "check", "last_hash", "prev_hash", "seal")

    def __init__(self, seal: Seal, check: SealCheck) -> None:
        self.seal, self.check = seal, check
        self.builder = MerkleBuilder()
        self.prev_hash: bytes | None = None
        self.last_hash = b""

    def close(self) -> None:
        doc, problems = self.seal.document, self.check.problems
        if self.builder.count != int(doc["event_count"]):
            problems.append(
                f"số sự kiện {self.builder.count} khác {doc['event_count']} đã niêm phong"
                f" / {self.builder.count} events where the seal has {doc['event_count']}"
            )
        if self.builder.root().hex() != doc["merkle_root"]:
            problems.append("gốc Merkle không khớp / Merkle root differs")
        if self.prev_hash is not None and self.prev_hash.hex() != doc["prev_chain_hash"]:
            problems.append(
                "mắt xích trước khoảng không khớp / chain hash before the range differs"
            )
        if self.last_hash.hex() != doc["last_chain_hash"]:
            problems.append("mắt xích cuối không khớp / last chain hash differs")


def verify(
    database: Database,
    schema: str,
    external: list[Seal] | None = None,
    keys: KeyStore | None = None,
) -> Report:
    """Check the tenant's log, chain and seals, all as of one snapshot."""
    started = time.perf_counter()
    slug = slug_of(schema)
    report = Report(slug)
    with database.connect() as conn:
        snapshot = export_snapshot(conn)
        stored = stored_seals(conn, schema)
        pending = _plan_seals(slug, stored, external or [], keys, report)
        head = conn.execute(
            sql.SQL("SELECT max(notification_id) FROM {}").format(
                sql.Identifier(schema, CHAIN_TABLE)
            )
        ).fetchone()
        report.chain_head = int(head[0] or 0) if head else 0
        report.chained_since = chained_since(conn, schema)
        _scan(database, snapshot, schema, genesis(slug), pending, report)
        _name_from_chain(conn, schema, report)
        conn.rollback()
    report.seconds = time.perf_counter() - started
    return report


def _plan_seals(
    slug: str, stored: list[Seal], external: list[Seal], keys: KeyStore | None, report: Report
) -> list[_Pending]:
    known = keys.public_key(slug) if keys is not None else None
    stored_by_seq = {s.seq: s for s in stored}
    plan = []
    for source, seal in [("stored", s) for s in stored] + [("external", s) for s in external]:
        check = SealCheck(source, seal.seq, seal.first, seal.last)
        report.seals.append(check)
        if seal.document["tenant"] != slug:
            check.problems.append(
                f"niêm phong của tỉnh khác ({seal.document['tenant']}) / seal of another tenant"
            )
            continue
        if not signature_holds(seal):
            check.problems.append("chữ ký không hợp lệ / signature does not verify")
        if known is not None and seal.document["key_id"] != key_id(raw_public(known)):
            check.problems.append("khóa ký lạ / signed by an unknown key")
        twin = stored_by_seq.get(seal.seq)
        if source == "external" and (twin is None or twin.document != seal.document):
            check.problems.append(
                "bản lưu trong hệ thống đã mất hoặc bị thay / the stored copy is gone or replaced"
            )
        plan.append(_Pending(seal, check))
    return plan


def _scan(
    database: Database,
    snapshot: str,
    schema: str,
    start: bytes,
    plan: list[_Pending],
    report: Report,
) -> None:
    """Merge the events with the chain entries (both in id order) and check each link."""
    events = batches(database, snapshot, sql.SQL(
        "SELECT notification_id, " + ENTRY_SQL + " FROM {} ORDER BY notification_id"
    ).format(sql.Identifier(schema, EVENTS_TABLE)))  # fmt: skip
    chain = chain_from(batches(database, snapshot, sql.SQL(
        "SELECT notification_id, hash FROM {}"
        " ORDER BY notification_id"
    ).format(sql.Identifier(schema, CHAIN_TABLE))))  # fmt: skip
    findings = report.findings
    # Past this position an event without an entry can only have been slipped in.
    head = report.chain_head if report.chained_since is None else NEVER
    sha = sha256
    running = stored_prev = start
    seals = _SealPass(plan)
    boundary = seals.boundary()
    collecting = False
    collect = seals.collected.append
    entry = next(chain, None)
    entry_id = entry[0] if entry else NEVER

    def found(kind: str, nid: int, originator: bytes | None, version: int) -> None:
        # Removed and altered events are named by their chain entry, looked up afterwards.
        report.finding_count += 1
        if len(findings) < MAX_FINDINGS:
            findings.append(Finding(kind, nid, UUID(bytes=originator or bytes(16)), version))

    for batch in events:
        report.events += len(batch)
        for nid, data in batch:
            while entry_id < nid:  # a chain entry whose event is gone
                if entry_id >= boundary:
                    boundary = seals.roll(entry_id, running)
                    collecting = bool(seals.active)
                found("removed", entry_id, None, 0)
                stored_prev = entry[1]  # type: ignore[index]  # entry_id < NEVER, so entry is not None
                entry = next(chain, None)
                entry_id = entry[0] if entry else NEVER
            if nid >= boundary:
                boundary = seals.roll(nid, running)
                collecting = bool(seals.active)
            digest = sha(running + data).digest()
            if entry_id == nid:
                stored = entry[1]  # type: ignore[index]  # entry_id == nid < NEVER, so entry is not None
                # While the stored chain agrees with the recomputed one, one hash serves both.
                local = digest if stored_prev == running else sha(stored_prev + data).digest()
                if local != stored:
                    found("altered", nid, None, 0)
                stored_prev = stored
                entry = next(chain, None)
                entry_id = entry[0] if entry else NEVER
            elif nid <= head:
                found("inserted", nid, data[8:24], int.from_bytes(data[24:32], "big"))
            else:
                report.unchained += 1
            running = digest
            if collecting:
                collect(digest)
        seals.flush()
    while entry is not None:
        if entry_id >= boundary:
            boundary = seals.roll(entry_id, running)
        found("removed", entry_id, None, 0)
        entry = next(chain, None)
        entry_id = entry[0] if entry else NEVER
    seals.roll(NEVER, running)


def _name_from_chain(conn: Any, schema: str, report: Report) -> None:
    """Fill in the aggregate and version of removed and altered events from their chain entry."""
    wanted = [f.notification_id for f in report.findings if f.kind != "inserted"]
    if not wanted:
        return
    rows = conn.execute(
        sql.SQL(
            "SELECT notification_id, originator_id, originator_version FROM {}"
            " WHERE notification_id = ANY(%s)"
        ).format(sql.Identifier(schema, CHAIN_TABLE)),
        (wanted,),
    ).fetchall()
    names = {nid: (originator, version) for nid, originator, version in rows}
    report.findings = [
        f if f.kind == "inserted" else Finding(f.kind, f.notification_id, *names[f.notification_id])
        for f in report.findings
    ]


def chain_from(source: Iterator[list[tuple[Any, ...]]]) -> Iterator[tuple[Any, ...]]:
    return itertools.chain.from_iterable(source)


class _SealPass:
    """The seals whose ranges the pass is inside, fed the recomputed chain a batch at a time."""

    def __init__(self, plan: list[_Pending]) -> None:
        self.waiting = sorted(plan, key=lambda p: p.seal.first, reverse=True)  # pop() = next
        self.active: list[_Pending] = []
        self.collected: list[bytes] = []

    def boundary(self) -> int:
        """The next id at which a seal opens or closes."""
        ends = [p.seal.last + 1 for p in self.active]
        return min([*ends, self.waiting[-1].seal.first] if self.waiting else ends, default=NEVER)

    def flush(self) -> None:
        if self.collected and self.active:
            leaves = [sha256(b"\x00" + d).digest() for d in self.collected]
            for p in self.active:
                p.builder.add_leaf_hashes(leaves)
                p.last_hash = self.collected[-1]
        self.collected.clear()

    def roll(self, nid: int, running: bytes) -> int:
        """Close seals that end before ``nid``, open those that start at or before it."""
        self.flush()
        still = []
        for p in self.active:
            if p.seal.last < nid:
                p.close()
            else:
                still.append(p)
        while self.waiting and self.waiting[-1].seal.first <= nid:
            opened = self.waiting.pop()
            opened.prev_hash = running
            if opened.seal.last < nid:  # its whole range is gone from the log
                opened.close()
            else:
                still.append(opened)
        self.active = still
        return self.boundary()


def render(report: Report) -> str:
    """The verifier's report as text, Vietnamese first."""
    lines = [
        f"Tỉnh / tenant: {report.tenant}",
        f"Đã kiểm {report.events} sự kiện trong {report.seconds:.2f} s; đầu chuỗi #{report.chain_head};"
        f" {report.unchained} sự kiện chưa vào chuỗi / checked {report.events} events,"
        f" chain head #{report.chain_head}, {report.unchained} not chained yet",
    ]
    if report.first is None:
        lines.append("Chuỗi băm nguyên vẹn / the hash chain is intact")
    else:
        lines.append(
            f"SỰ KIỆN ĐẦU TIÊN BỊ CAN THIỆP / FIRST TAMPERED EVENT: {report.first.describe()}"
        )
        lines.extend(f"  - {f.describe()}" for f in report.findings[1:])
        if report.finding_count > len(report.findings):
            lines.append(f"  … tổng cộng {report.finding_count} / {report.finding_count} in all")
    for s in report.seals:
        state = (
            "CÒN NGUYÊN / holds" if s.holds else "KHÔNG CÒN ĐÚNG / BROKEN: " + "; ".join(s.problems)
        )
        lines.append(f"Niêm phong / seal #{s.seq} ({s.source}, #{s.first}–#{s.last}): {state}")
    lines.append(
        "KẾT LUẬN: TOÀN VẸN / RESULT: INTACT"
        if report.ok
        else "KẾT LUẬN: CÓ CAN THIỆP / RESULT: TAMPERED"
    )
    return "\n".join(lines)
