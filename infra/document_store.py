"""The document store (kho tài liệu): files kept content-addressed in the province's schema.

A file is a row of ``doc_blobs`` keyed by its SHA-256 and its bytes in ``doc_chunks``, one row
per :data:`CHUNK` bytes, so neither an upload nor a download ever holds a whole file in memory:
:class:`BlobWriter` hashes and writes each chunk as it arrives, :func:`read_chunks` yields them
one at a time, each from its own short transaction (a slow reader holds no connection).

The chunks of an upload are written under a fresh ``blob_id``; only when the last one is in is
the hash known and the blob row inserted. If that hash is already stored, the new chunks are
deleted: equal content is kept once. An upload that fails midway deletes its chunks; one cut by
a crash leaves chunks no blob names, which :func:`sweep_orphans` removes.

A blob written as ``transient`` (a report job's file, made again on request) may be dropped
once nothing holds it (:func:`drop_transient`). Storing the same content as not transient (a
paper uploaded with the bytes of a report) clears the mark, so a file someone keeps on purpose
is never removed with the report that first made it.

``doc_reads`` is the read receipts (who downloaded which paper, when): not events, because
reading changes nothing, and a member's reads are personal data that may be erased.

The interface (write, read, exists) is what an S3-compatible object store would implement
(docs/deployment.md); this module is the one implementation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import sql

from infra.application import TenantApplication
from infra.tenant_sql import table, tuples

CHUNK = 1024 * 1024
"""Bytes per stored chunk: small enough to stream, large enough that a 50 MiB file is 50 rows."""

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.doc_blobs (sha256 text PRIMARY KEY, blob_id uuid NOT NULL"
    " UNIQUE, size bigint NOT NULL, content_type text NOT NULL,"
    " stored_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS {s}.doc_chunks (blob_id uuid NOT NULL, seq int NOT NULL,"
    " data bytea NOT NULL, written_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (blob_id, seq))",
    "CREATE TABLE IF NOT EXISTS {s}.doc_reads (id bigserial PRIMARY KEY, meeting_id uuid NOT NULL,"
    " paper_id uuid NOT NULL, sha256 text NOT NULL, user_id text NOT NULL, member_id uuid,"
    " read_at timestamptz NOT NULL DEFAULT now())",
    "CREATE INDEX IF NOT EXISTS doc_reads_meeting ON {s}.doc_reads (meeting_id, paper_id)",
    # Added after the first provinces were provisioned, hence apart: see drop_transient.
    "ALTER TABLE {s}.doc_blobs ADD COLUMN IF NOT EXISTS transient boolean NOT NULL DEFAULT false",
)


def install_document_store(conn: psycopg.Connection[Any], schema: str) -> None:
    """Schema part (idempotent); before the tenant role, which grants on every table."""
    for statement in DDL:
        conn.execute(sql.SQL(statement).format(s=sql.Identifier(schema)))


class FileTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int
    content_type: str


class BlobWriter:
    """One upload: :meth:`write` the pieces as they come, then :meth:`finish` or :meth:`abort`."""

    def __init__(self, app: TenantApplication, limit: int, transient: bool = False) -> None:
        self.app = app
        self.limit = limit
        self.transient = transient
        self.blob_id = uuid4()
        self.size = 0
        self.seq = 0
        self._hash = hashlib.sha256()
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FileTooLarge(self.limit)
        self._hash.update(data)
        self._buffer += data
        while len(self._buffer) >= CHUNK:
            self._flush(bytes(self._buffer[:CHUNK]))
            del self._buffer[:CHUNK]

    def _flush(self, piece: bytes) -> None:
        tuples(
            self.app,
            sql.SQL("INSERT INTO {} (blob_id, seq, data) VALUES (%s, %s, %s)").format(
                table(self.app, "doc_chunks")
            ),
            (self.blob_id, self.seq, piece),
        )
        self.seq += 1

    def finish(self, content_type: str) -> StoredBlob:
        """Write the last chunk and name the blob by its hash (kept once per content).

        Content stored already keeps its chunks; storing it again refreshes ``stored_at`` and
        clears ``transient`` unless this write is transient too. The row lock this takes
        orders it with :func:`drop_transient`: either the drop went first (and this inserts
        afresh) or it sees the new marks."""
        if self._buffer:
            self._flush(bytes(self._buffer))
            self._buffer.clear()
        digest = self._hash.hexdigest()
        kept = tuples(
            self.app,
            sql.SQL(
                "INSERT INTO {t} AS b (sha256, blob_id, size, content_type, transient)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (sha256) DO UPDATE"
                " SET transient = b.transient AND EXCLUDED.transient, stored_at = now()"
                " RETURNING blob_id"
            ).format(t=table(self.app, "doc_blobs")),
            (digest, self.blob_id, self.size, content_type, self.transient),
        )
        if kept[0][0] != self.blob_id:
            self.abort()  # the same content is stored already
        return StoredBlob(digest, self.size, content_type)

    def abort(self) -> None:
        self._buffer.clear()
        tuples(
            self.app,
            sql.SQL("DELETE FROM {} WHERE blob_id = %s").format(table(self.app, "doc_chunks")),
            (self.blob_id,),
        )


def blob(app: TenantApplication, sha256: str) -> StoredBlob | None:
    rows = tuples(
        app,
        sql.SQL("SELECT sha256, size, content_type FROM {} WHERE sha256 = %s").format(
            table(app, "doc_blobs")
        ),
        (sha256,),
    )
    return StoredBlob(rows[0][0], rows[0][1], rows[0][2]) if rows else None


def read_chunks(app: TenantApplication, sha256: str) -> Iterator[bytes]:
    """The file's bytes, one chunk per short transaction."""
    rows = tuples(
        app,
        sql.SQL("SELECT blob_id FROM {} WHERE sha256 = %s").format(table(app, "doc_blobs")),
        (sha256,),
    )
    if not rows:
        return
    blob_id: UUID = rows[0][0]
    query = sql.SQL("SELECT data FROM {} WHERE blob_id = %s AND seq = %s").format(
        table(app, "doc_chunks")
    )
    seq = 0
    while True:
        found = tuples(app, query, (blob_id, seq))
        if not found:
            return
        yield bytes(found[0][0])
        seq += 1


def sweep_orphans(app: TenantApplication, older_than_seconds: int = 3600) -> int:
    """Delete chunks of uploads cut short by a crash (no blob names them); the count."""
    rows = tuples(
        app,
        sql.SQL(
            "DELETE FROM {c} AS c WHERE c.written_at < now() - make_interval(secs => %s)"
            " AND NOT EXISTS (SELECT 1 FROM {b} AS b WHERE b.blob_id = c.blob_id) RETURNING 1"
        ).format(c=table(app, "doc_chunks"), b=table(app, "doc_blobs")),
        (older_than_seconds,),
    )
    return len(rows)


def drop_transient(app: TenantApplication, older_than_seconds: float, held: sql.Composable) -> int:
    """Delete transient blobs last stored before ``older_than_seconds`` ago whose hash is not
    among ``held`` (a query of the hashes still wanted), with their chunks; the count."""
    rows = tuples(
        app,
        sql.SQL(
            "WITH gone AS (DELETE FROM {b} AS b WHERE b.transient"
            " AND b.stored_at < now() - make_interval(secs => %s)"
            " AND b.sha256 NOT IN (SELECT h.sha256 FROM ({held}) AS h WHERE h.sha256 IS NOT NULL)"
            " RETURNING b.blob_id),"
            " chunks AS (DELETE FROM {c} AS c USING gone WHERE c.blob_id = gone.blob_id)"
            " SELECT count(*) FROM gone"
        ).format(b=table(app, "doc_blobs"), c=table(app, "doc_chunks"), held=held),
        (older_than_seconds,),
    )
    return int(rows[0][0])


# -- read receipts -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Read:
    paper_id: UUID
    user_id: str
    member_id: UUID | None
    read_at: datetime


def record_read(
    app: TenantApplication,
    meeting_id: UUID,
    paper_id: UUID,
    sha256: str,
    user_id: str,
    member_id: UUID | None,
) -> None:
    tuples(
        app,
        sql.SQL(
            "INSERT INTO {} (meeting_id, paper_id, sha256, user_id, member_id)"
            " VALUES (%s, %s, %s, %s, %s)"
        ).format(table(app, "doc_reads")),
        (meeting_id, paper_id, sha256, user_id, member_id),
    )


def reads_of(app: TenantApplication, meeting_id: UUID) -> list[Read]:
    """Each reader's first read of each paper of the meeting."""
    rows = tuples(
        app,
        sql.SQL(
            "SELECT paper_id, user_id, min(member_id::text)::uuid AS member_id, min(read_at) AS read_at"
            " FROM {}"
            " WHERE meeting_id = %s GROUP BY paper_id, user_id ORDER BY 4"
        ).format(table(app, "doc_reads")),
        (meeting_id,),
    )
    return [Read(r[0], r[1], r[2], r[3]) for r in rows]
