"""The verifier (kiểm chứng): recompute the chain and every seal from the stored events.

One pass over the log merged with the stored chain (a FULL JOIN on the notification id, in one
repeatable-read snapshot). For each position:

* an event and a chain entry: the entry must equal ``SHA-256(stored previous || event)``,
  otherwise the event was **altered** (the chain entry still names the original aggregate and
  version);
* a chain entry and no event: the event was **removed**;
* an event and no entry, at or below the chain head: the event was **inserted**;
* events above the head are merely not chained yet (``unchained``).

Links are checked against the *stored* previous entry, so one tampered event does not make
every later one look tampered: each finding is named. Separately the chain is recomputed from
the events alone, and each seal's Merkle root, end hashes and count are recomputed from that,
so a consistent rewrite of both the log and the chain (a DBA's) still breaks every seal from the
tampered point on, and the seals kept by an inspector (``--against``) expose a re-signing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from infra.application import EVENTS_TABLE
from infra.audit.hashchain import CHAIN_TABLE, encode_entry, genesis, slug_of
from infra.audit.keys import KeyStore, key_id, raw_public
from infra.audit.merkle import MerkleBuilder, leaf_hash
from infra.audit.seals import Seal, signature_holds, stored_seals

MAX_FINDINGS = 1000
FETCH = 20_000
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
            problems.append("mắt xích trước khoảng không khớp / chain hash before the range differs")
        if self.last_hash.hex() != doc["last_chain_hash"]:
            problems.append("mắt xích cuối không khớp / last chain hash differs")


def verify(
    conn: psycopg.Connection[Any],
    schema: str,
    external: list[Seal] | None = None,
    keys: KeyStore | None = None,
) -> Report:
    """Check the tenant's log, chain and seals. ``conn`` must not be inside a transaction."""
    started = time.perf_counter()
    slug = slug_of(schema)
    report = Report(slug)
    conn.autocommit = False
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    try:
        stored = stored_seals(conn, schema)
        pending = _plan_seals(slug, stored, external or [], keys, report)
        _scan(conn, schema, genesis(slug), pending, report)
    finally:
        conn.rollback()
        conn.read_only = False
        conn.autocommit = True
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
    plan.sort(key=lambda p: p.seal.first)
    return plan


def _scan(
    conn: psycopg.Connection[Any], schema: str, start: bytes, plan: list[_Pending], report: Report
) -> None:
    events, chain = sql.Identifier(schema, EVENTS_TABLE), sql.Identifier(schema, CHAIN_TABLE)
    head_row = conn.execute(sql.SQL("SELECT max(notification_id) FROM {}").format(chain)).fetchone()
    head = report.chain_head = int(head_row[0] or 0) if head_row else 0
    query = sql.SQL(
        "SELECT coalesce(e.notification_id, c.notification_id), uuid_send(e.originator_id),"
        " e.originator_version, convert_to(e.topic, 'UTF8'), e.state,"
        " uuid_send(c.originator_id), c.originator_version, c.hash"
        " FROM {} e FULL JOIN {} c ON c.notification_id = e.notification_id"
        " ORDER BY 1"
    ).format(events, chain)
    running = stored_prev = start
    waiting = list(reversed(plan))  # pop() from the end gives the next seal to open
    active: list[_Pending] = []
    findings = report.findings
    count = 0
    with conn.cursor(name="chibo_audit_verify", binary=True) as cur:
        cur.itersize = FETCH
        cur.execute(query)
        while rows := cur.fetchmany(FETCH):
            for nid, originator, version, topic, state, c_originator, c_version, c_hash in rows:
                if active and active[0].seal.last < nid or waiting and waiting[-1].seal.first <= nid:
                    active = _roll(active, waiting, nid, running)
                if originator is None:
                    report.finding_count += 1
                    if len(findings) < MAX_FINDINGS:
                        findings.append(Finding("removed", nid, UUID(bytes=c_originator), c_version))
                    stored_prev = c_hash
                    continue
                count += 1
                data = encode_entry(nid, originator, version, topic, state)
                digest = sha256(running + data).digest()
                if c_hash is None:
                    if nid <= head:
                        report.finding_count += 1
                        if len(findings) < MAX_FINDINGS:
                            findings.append(Finding("inserted", nid, UUID(bytes=originator), version))
                    else:
                        report.unchained += 1
                else:
                    # While the stored chain agrees with the recomputed one, one hash serves both.
                    local = digest if stored_prev == running else sha256(stored_prev + data).digest()
                    if local != c_hash:
                        report.finding_count += 1
                        if len(findings) < MAX_FINDINGS:
                            findings.append(Finding("altered", nid, UUID(bytes=c_originator), c_version))
                    stored_prev = c_hash
                running = digest
                if active:
                    leaf = leaf_hash(digest)
                    for p in active:
                        p.builder.add_leaf_hash(leaf)
                        p.last_hash = digest
    report.events = count
    for p in _roll(active, waiting, 2**63, running):
        p.close()


def _roll(active: list[_Pending], waiting: list[_Pending], nid: int, running: bytes) -> list[_Pending]:
    """Close seals that ended before ``nid`` and open those that start at or before it."""
    still = []
    for p in active:
        if p.seal.last < nid:
            p.close()
        else:
            still.append(p)
    while waiting and waiting[-1].seal.first <= nid:
        opened = waiting.pop()
        opened.prev_hash = running
        still.append(opened)
    return still


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
        lines.append(f"SỰ KIỆN ĐẦU TIÊN BỊ CAN THIỆP / FIRST TAMPERED EVENT: {report.first.describe()}")
        lines.extend(f"  - {f.describe()}" for f in report.findings[1:])
        if report.finding_count > len(report.findings):
            lines.append(f"  … tổng cộng {report.finding_count} / {report.finding_count} in all")
    for s in report.seals:
        state = "CÒN NGUYÊN / holds" if s.holds else "KHÔNG CÒN ĐÚNG / BROKEN: " + "; ".join(s.problems)
        lines.append(f"Niêm phong / seal #{s.seq} ({s.source}, #{s.first}–#{s.last}): {state}")
    lines.append("KẾT LUẬN: TOÀN VẸN / RESULT: INTACT" if report.ok else "KẾT LUẬN: CÓ CAN THIỆP / RESULT: TAMPERED")
    return "\n".join(lines)
