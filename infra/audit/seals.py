"""Seals (niêm phong): a signed Merkle root over a range of the chain, kept by the inspector.

Each seal covers the chain entries after the previous seal up to the current head. Its JSON
document names the tenant, the range, the number of entries, the chain hash just before the
range and at its end, the Merkle root of the entries (leaf data = the 32-byte chain hash), the
time, and the tenant's Ed25519 public key; the signature is over the canonical JSON of all other
fields (keys sorted, no spaces, UTF-8). Seals are stored append-only in ``<schema>.audit_seals``
and exported as-is; an inspector who keeps the JSON can later prove the log still matches it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from psycopg import sql

from infra.audit.hashchain import CHAIN_TABLE, extend_chain, genesis, slug_of
from infra.audit.keys import KeyStore, key_id, raw_public
from infra.audit.merkle import MerkleBuilder

SEALS_TABLE = "audit_seals"
SEAL_FORMAT = "chibo-audit-seal/1"
SIGNED_FIELDS = (
    "format",
    "tenant",
    "seq",
    "first_notification_id",
    "last_notification_id",
    "event_count",
    "prev_chain_hash",
    "last_chain_hash",
    "merkle_root",
    "sealed_at",
    "public_key",
    "key_id",
)


@dataclass(frozen=True, slots=True)
class Seal:
    """A parsed seal document (all hashes and keys hex-encoded in the JSON)."""

    document: dict[str, Any]

    @property
    def first(self) -> int:
        return int(self.document["first_notification_id"])

    @property
    def last(self) -> int:
        return int(self.document["last_notification_id"])

    @property
    def seq(self) -> int:
        return int(self.document["seq"])

    def to_json(self) -> str:
        return json.dumps(self.document, ensure_ascii=False, sort_keys=True, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Seal:
        document = json.loads(text)
        missing = [f for f in (*SIGNED_FIELDS, "signature") if f not in document]
        if missing or document.get("format") != SEAL_FORMAT:
            raise ValueError(f"not a {SEAL_FORMAT} document; missing {missing}")
        return cls(document)


def signed_message(document: dict[str, Any]) -> bytes:
    """The exact bytes the signature covers."""
    body = {k: document[k] for k in SIGNED_FIELDS}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature_holds(seal: Seal) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(seal.document["public_key"]))
        public.verify(bytes.fromhex(seal.document["signature"]), signed_message(seal.document))
    except (InvalidSignature, ValueError):
        return False
    return bool(key_id(bytes.fromhex(seal.document["public_key"])) == seal.document["key_id"])


def install(conn: psycopg.Connection[Any], schema: str) -> None:
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} ("
            " seq integer PRIMARY KEY,"
            " first_notification_id bigint NOT NULL,"
            " last_notification_id bigint NOT NULL UNIQUE,"
            " sealed_at timestamptz NOT NULL,"
            " document text NOT NULL)"
        ).format(sql.Identifier(schema), sql.Identifier(SEALS_TABLE))
    )


def create_seal(
    conn: psycopg.Connection[Any], schema: str, keys: KeyStore, now: datetime | None = None
) -> Seal | None:
    """Chain new events, then seal everything after the last seal; ``None`` if nothing new."""
    slug = slug_of(schema)
    with conn.transaction():
        extend_chain(conn, schema)
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"audit-seal:{schema}",))
        seals, chain = (sql.Identifier(schema, t) for t in (SEALS_TABLE, CHAIN_TABLE))
        last = conn.execute(
            sql.SQL("SELECT seq, last_notification_id FROM {} ORDER BY seq DESC LIMIT 1").format(
                seals
            )
        ).fetchone()
        seq, after = (int(last[0]), int(last[1])) if last else (0, 0)
        prev_row = conn.execute(
            sql.SQL("SELECT hash FROM {} WHERE notification_id = %s").format(chain), (after,)
        ).fetchone()
        previous = bytes(prev_row[0]) if prev_row else genesis(slug)
        builder = MerkleBuilder()
        first = last_id = 0
        last_hash = previous
        with conn.cursor(binary=True) as cur:
            cur.execute(
                sql.SQL(
                    "SELECT notification_id, hash FROM {} WHERE notification_id > %s"
                    " ORDER BY notification_id"
                ).format(chain),
                (after,),
            )
            for nid, digest in cur:
                first = first or nid
                last_id, last_hash = nid, bytes(digest)
                builder.add(last_hash)
        if builder.count == 0:
            return None
        key = keys.signing_key(slug)
        public = raw_public(key.public_key())
        document: dict[str, Any] = {
            "format": SEAL_FORMAT,
            "tenant": slug,
            "seq": seq + 1,
            "first_notification_id": first,
            "last_notification_id": last_id,
            "event_count": builder.count,
            "prev_chain_hash": previous.hex(),
            "last_chain_hash": last_hash.hex(),
            "merkle_root": builder.root().hex(),
            "sealed_at": (now or datetime.now(UTC)).isoformat(),
            "public_key": public.hex(),
            "key_id": key_id(public),
        }
        document["signature"] = key.sign(signed_message(document)).hex()
        seal = Seal(document)
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (seq, first_notification_id, last_notification_id, sealed_at,"
                " document) VALUES (%s, %s, %s, %s, %s)"
            ).format(seals),
            (seal.seq, first, last_id, document["sealed_at"], seal.to_json()),
        )
    return seal


def stored_seals(conn: psycopg.Connection[Any], schema: str) -> list[Seal]:
    rows = conn.execute(
        sql.SQL("SELECT document FROM {} ORDER BY seq").format(sql.Identifier(schema, SEALS_TABLE))
    ).fetchall()
    return [Seal(json.loads(row[0])) for row in rows]
