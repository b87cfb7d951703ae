"""The per-tenant hash chain (chuỗi băm): every stored event linked to the one before it.

Entry ``n`` of the chain is ``SHA-256(previous_hash || encode(event n))`` where the encoding is
length-prefixed, so two different events can never encode to the same bytes::

    u64 notification_id | 16 bytes originator_id (UUID, RFC 4122 byte order) |
    u64 originator_version | u32 len(topic) | topic (UTF-8) | u32 len(state) | state

(all integers big-endian). The first entry links to the tenant's genesis hash,
``SHA-256("chibo/audit-chain/v1" 0x00 slug)``, so one province's chain cannot pass for
another's. Entries are kept in ``<schema>.audit_chain`` with the aggregate id and version, so
the verifier can still name an event after someone deleted it.

Each event is chained in the transaction that writes it (:mod:`infra.audit.writechain`): the
library locks the events table on insert, so writes are serialised per province and the head
read there is final. An event without a chain entry was therefore never written by the
application: the verifier names it as inserted. :func:`extend_chain` chains, once, the log of
a province provisioned before this was so, and then hands over to the writers.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from hashlib import sha256
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from infra.db_roles import EVENTS_TABLE

CHAIN_TABLE = "audit_chain"
SINCE_TABLE = "audit_chain_since"
"""One row: the last event chained by :func:`extend_chain`; every later event is chained by
the transaction that writes it (:mod:`infra.audit.writechain`)."""
GENESIS_TAG = b"chibo/audit-chain/v1\x00"
BATCH = 20_000

ENTRY_HEAD = struct.Struct(">Q16sQI")
ENTRY_LEN = struct.Struct(">I")


def genesis(slug: str) -> bytes:
    return sha256(GENESIS_TAG + slug.encode()).digest()


def slug_of(schema: str) -> str:
    """The tenant slug of a tenant schema (``t_<slug>``, see infra.tenancy.schema_for)."""
    if not schema.startswith("t_"):
        raise ValueError(f"not a tenant schema: {schema}")
    return schema[2:]


def encode_entry(nid: int, originator: bytes, version: int, topic: bytes, state: bytes) -> bytes:
    return (
        ENTRY_HEAD.pack(nid, originator, version, len(topic))
        + topic
        + ENTRY_LEN.pack(len(state))
        + state
    )


def link(
    previous: bytes, nid: int, originator: bytes, version: int, topic: bytes, state: bytes
) -> bytes:
    return sha256(previous + encode_entry(nid, originator, version, topic, state)).digest()


def install(conn: psycopg.Connection[Any], schema: str) -> None:
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} ("
            " notification_id bigint PRIMARY KEY,"
            " originator_id uuid NOT NULL,"
            " originator_version bigint NOT NULL,"
            " hash bytea NOT NULL)"
        ).format(sql.Identifier(schema), sql.Identifier(CHAIN_TABLE))
    )
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (since bigint NOT NULL,"
            " switched_at timestamptz NOT NULL DEFAULT now())"
        ).format(sql.Identifier(schema, SINCE_TABLE))
    )
    # A new province (its log still empty) chains at write time from its first event; one
    # provisioned before this release switches at its chain's next catch-up (extend_chain).
    row = conn.execute("SELECT to_regclass(%s)", (f'"{schema}"."{EVENTS_TABLE}"',)).fetchone()
    if row is not None and row[0] is not None:
        conn.execute(
            sql.SQL(
                "INSERT INTO {s} (since) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM {s})"
                " AND NOT EXISTS (SELECT 1 FROM {e})"
            ).format(s=sql.Identifier(schema, SINCE_TABLE), e=sql.Identifier(schema, EVENTS_TABLE))
        )


def chained_since(conn: psycopg.Connection[Any], schema: str) -> int | None:
    """Where write-time chaining began (``None``: not yet, the worker still chains)."""
    row = conn.execute(
        sql.SQL("SELECT since FROM {} LIMIT 1").format(sql.Identifier(schema, SINCE_TABLE))
    ).fetchone()
    return None if row is None else int(row[0])


ENTRY_SQL = (
    "int8send(notification_id) || uuid_send(originator_id) || int8send(originator_version)"
    " || int4send(octet_length(convert_to(topic, 'UTF8'))) || convert_to(topic, 'UTF8')"
    " || int4send(length(state)) || state"
)
"""The same bytes as :func:`encode_entry`, assembled by PostgreSQL (``*send`` functions give
big-endian binary), so the reader gets one ready column per event instead of five to pack."""


def read_events(
    conn: psycopg.Connection[Any], schema: str, after: int
) -> Iterator[list[tuple[int, bytes, UUID, int]]]:
    """Batches of (id, entry bytes, aggregate id, version) after ``after``, in log order."""
    query = sql.SQL(
        "SELECT notification_id, " + ENTRY_SQL + ", originator_id, originator_version"
        " FROM {}.{} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
    ).format(sql.Identifier(schema), sql.Identifier(EVENTS_TABLE))
    with conn.cursor(binary=True) as cur:
        while True:
            rows = cur.execute(query, (after, BATCH)).fetchall()
            if not rows:
                return
            yield rows
            after = rows[-1][0]


def head(conn: psycopg.Connection[Any], schema: str) -> tuple[int, bytes]:
    """The last chained notification id and its hash (``0`` and genesis when empty)."""
    row = conn.execute(
        sql.SQL(
            "SELECT notification_id, hash FROM {}.{} ORDER BY notification_id DESC LIMIT 1"
        ).format(sql.Identifier(schema), sql.Identifier(CHAIN_TABLE))
    ).fetchone()
    if row is None:
        return 0, genesis(slug_of(schema))
    return int(row[0]), bytes(row[1])


def extend_chain(conn: psycopg.Connection[Any], schema: str) -> int:
    """Chain the events committed since the last call, once; return how many were added.

    Only for a province still chained after the fact (provisioned before write-time chaining):
    it chains the log, then, holding the writers' table lock, what landed meanwhile, and records
    ``since``; from then on each write chains its own events and this does nothing, so an event
    slipped into the log by someone with database access is never chained as genuine.
    Safe to call from several workers (an advisory lock per tenant, to the end of the caller's
    transaction).
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"audit-chain:{schema}",))
        if chained_since(conn, schema) is not None:
            return 0
        added = _append(conn, schema)
        # Writers wait from here to the end of the caller's transaction: a short tail only.
        conn.execute(
            sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(schema, EVENTS_TABLE))
        )
        added += _append(conn, schema)
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (since) SELECT coalesce(max(notification_id), 0) FROM {}"
            ).format(sql.Identifier(schema, SINCE_TABLE), sql.Identifier(schema, CHAIN_TABLE))
        )
    return added


def _append(conn: psycopg.Connection[Any], schema: str) -> int:
    added = 0
    last, previous = head(conn, schema)
    copy_sql = sql.SQL(
        "COPY {}.{} (notification_id, originator_id, originator_version, hash) FROM STDIN"
        " (FORMAT BINARY)"
    ).format(sql.Identifier(schema), sql.Identifier(CHAIN_TABLE))
    for batch in read_events(conn, schema, last):
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            copy.set_types(["int8", "uuid", "int8", "bytea"])
            for nid, entry, originator, version in batch:
                previous = sha256(previous + entry).digest()
                copy.write_row((nid, originator, version, previous))
        added += len(batch)
    return added
