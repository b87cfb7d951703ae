"""Tamper evidence on a real log: chain, seals, the verifier, and the database guard."""

from __future__ import annotations

import json
from datetime import date
from hashlib import sha256
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from infra.audit.hashchain import encode_entry, extend_chain, genesis
from infra.audit.keys import FileKeyStore
from infra.audit.seals import Seal, create_seal, signed_message, stored_seals
from infra.audit.verify import render, verify

pytestmark = pytest.mark.integration


def write_history(app, renames: int = 5) -> OrgUnit:
    root = OrgUnit.found(uuid4(), "Đảng bộ tỉnh", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    app.save_all(root)
    for i in range(renames):
        root.rename(f"Đảng bộ tỉnh {i}", SYSTEM)
        app.save_all(root)
    return root


def events_table(tenant) -> sql.Composed:
    return sql.SQL("{}.chibo_events").format(sql.Identifier(tenant.schema))


def as_attacker(conn: psycopg.Connection, statement: sql.Composable, params=()) -> None:
    """A DBA who switches the triggers off for the session, as a real attacker could."""
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(statement, params)


def test_chain_entry_is_sha256_of_previous_and_length_prefixed_event(app, tenant, database):
    root = write_history(app, renames=1)
    with database.connect() as conn:
        # Written with the events themselves: the after-the-fact catch-up finds nothing to add.
        assert extend_chain(conn, tenant.schema) == 0
        first = conn.execute(
            sql.SQL("SELECT notification_id, topic, state FROM {} ORDER BY 1 LIMIT 1").format(
                events_table(tenant)
            )
        ).fetchone()
        stored = conn.execute(
            sql.SQL("SELECT hash FROM {}.audit_chain ORDER BY notification_id LIMIT 1").format(
                sql.Identifier(tenant.schema)
            )
        ).fetchone()
    entry = encode_entry(first[0], root.id.bytes, 1, first[1].encode(), bytes(first[2]))
    assert stored[0] == sha256(genesis(tenant.slug) + entry).digest()
    # Length prefixes: moving a byte from the topic into the state changes the encoding.
    assert encode_entry(1, root.id.bytes, 1, b"ab", b"c") != encode_entry(
        1, root.id.bytes, 1, b"a", b"bc"
    )


def test_untouched_log_verifies_and_its_seals_hold(app, tenant, database, tmp_path):
    write_history(app)
    keys = FileKeyStore(tmp_path)
    with database.connect() as conn:
        first = create_seal(conn, tenant.schema, keys)
        write_history(app, renames=2)
        second = create_seal(conn, tenant.schema, keys)
        assert create_seal(conn, tenant.schema, keys) is None
        report = verify(database, tenant.schema, external=[first, second], keys=keys)
    assert first is not None
    assert second is not None
    assert (first.first, first.last, second.first) == (1, 6, 7)
    assert second.document["prev_chain_hash"] == first.document["last_chain_hash"]
    assert report.ok, render(report)
    assert report.events == 9
    assert report.first is None
    assert [s.holds for s in report.seals] == [True] * 4


def test_a_province_from_before_write_time_chaining_switches_over_once(app, tenant, database):
    """Provisioned before this release: its tail is merely not chained until the catch-up,
    which chains it and hands over to the writers."""
    with database.connect() as conn:
        as_attacker(conn, sql.SQL("DELETE FROM {}.audit_chain_since").format(
            sql.Identifier(tenant.schema)))  # fmt: skip
    write_history(app, renames=1)
    with database.connect() as conn:
        report = verify(database, tenant.schema)
        assert report.ok
        assert report.unchained == 2
        assert extend_chain(conn, tenant.schema) == 2
        write_history(app, renames=2)  # chained as written
        assert extend_chain(conn, tenant.schema) == 0
        report = verify(database, tenant.schema)
    assert report.ok, render(report)
    assert report.unchained == 0
    assert report.chain_head == 5


def test_verifier_names_the_altered_the_removed_and_the_inserted_event(
    app, tenant, database, tmp_path
):
    root = write_history(app, renames=3)  # events 1–4
    with database.connect() as conn:
        sequence = conn.execute(
            "SELECT pg_get_serial_sequence(%s, 'notification_id')",
            (f"{tenant.schema}.chibo_events",),
        ).fetchone()[0]
        gap = conn.execute("SELECT nextval(%s)", (sequence,)).fetchone()[0]  # a rolled-back insert
        write_history(app, renames=2)  # events 6–8
        keys = FileKeyStore(tmp_path)
        seal = create_seal(conn, tenant.schema, keys)
        kept = Seal.from_json(seal.to_json())  # the inspector's copy

        as_attacker(
            conn,
            sql.SQL(
                "UPDATE {} SET state = convert_to(replace(convert_from(state, 'UTF8'),"
                " 'Đảng bộ tỉnh 1', 'Đảng bộ tỉnh X'), 'UTF8') WHERE notification_id = 3"
            ).format(events_table(tenant)),
        )
        as_attacker(
            conn, sql.SQL("DELETE FROM {} WHERE notification_id = 7").format(events_table(tenant))
        )
        as_attacker(
            conn,
            sql.SQL(
                "INSERT INTO {} (originator_id, originator_version, topic, state, notification_id)"
                " SELECT originator_id, 99, topic, state, %s FROM {} WHERE notification_id = 2"
            ).format(events_table(tenant), events_table(tenant)),
            (gap,),
        )
        report = verify(database, tenant.schema, external=[kept], keys=keys)

    found = [(f.kind, f.notification_id, f.originator_version) for f in report.findings]
    assert found == [("altered", 3, 3), ("inserted", gap, 99), ("removed", 7, 2)]
    assert report.first is not None
    assert report.first.originator_id == root.id
    assert not report.ok
    assert [s.holds for s in report.seals] == [False, False]
    text = render(report)
    assert "#3" in text
    assert "bị sửa" in text
    assert "CÓ CAN THIỆP" in text


def test_a_dba_who_rewrites_log_chain_and_seals_is_caught_by_the_inspectors_copy(
    app, tenant, database, tmp_path
):
    write_history(app, renames=3)
    keys = FileKeyStore(tmp_path)
    with database.connect() as conn:
        kept = create_seal(conn, tenant.schema, keys)
        # The attacker edits event 2, recomputes the chain from there and re-signs the seal.
        schema = sql.Identifier(tenant.schema)
        as_attacker(
            conn,
            sql.SQL(
                "UPDATE {}.chibo_events SET state = convert_to(replace(convert_from(state,"
                " 'UTF8'), 'tỉnh 0', 'tỉnh Z'), 'UTF8') WHERE notification_id = 2"
            ).format(schema),
        )
        rows = conn.execute(
            sql.SQL(
                "SELECT notification_id, uuid_send(originator_id), originator_version,"
                " convert_to(topic, 'UTF8'), state FROM {}.chibo_events ORDER BY 1"
            ).format(schema)
        ).fetchall()
        digest = genesis(tenant.slug)
        for nid, oid, version, topic, state in rows:
            digest = sha256(
                digest + encode_entry(nid, bytes(oid), version, bytes(topic), bytes(state))
            ).digest()
            as_attacker(
                conn,
                sql.SQL("UPDATE {}.audit_chain SET hash = %s WHERE notification_id = %s").format(
                    schema
                ),
                (digest, nid),
            )
        forged = FileKeyStore(tmp_path / "attacker")
        as_attacker(conn, sql.SQL("DELETE FROM {}.audit_seals").format(schema))
        resealed = create_seal(conn, tenant.schema, forged)
        assert resealed is not None
        assert resealed.document["merkle_root"] != kept.document["merkle_root"]

        report = verify(database, tenant.schema, external=[kept], keys=keys)
        assert report.findings == []  # the chain table agrees with the forged log…
        stored_check, external_check = report.seals
        assert not stored_check.holds
        assert "khóa ký lạ" in " ".join(stored_check.problems)
        assert not external_check.holds  # …but not with the seal the inspector kept
        assert any("Merkle" in p for p in external_check.problems)
        assert not report.ok


def test_seal_signature_covers_every_field(app, tenant, database, tmp_path):
    write_history(app, renames=1)
    with database.connect() as conn:
        seal = create_seal(conn, tenant.schema, FileKeyStore(tmp_path))
        assert stored_seals(conn, tenant.schema)[0].document == seal.document
    doc = json.loads(seal.to_json())
    doc["event_count"] = 1
    forged = Seal.from_json(json.dumps(doc))
    with database.connect() as conn:
        report = verify(database, tenant.schema, external=[forged])
    assert "chữ ký không hợp lệ" in " ".join(report.seals[-1].problems)
    assert signed_message(doc) != signed_message(seal.document)


@pytest.mark.parametrize("table", ["chibo_events", "audit_chain", "audit_seals"])
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {} SET notification_id = notification_id", "DELETE FROM {}", "TRUNCATE {}"],
)
def test_database_refuses_update_delete_truncate(app, tenant, database, tmp_path, table, statement):
    write_history(app, renames=1)
    with database.connect() as conn:
        create_seal(conn, tenant.schema, FileKeyStore(tmp_path))
        target = sql.SQL(".").join([sql.Identifier(tenant.schema), sql.Identifier(table)])
        if table == "audit_seals":
            statement = statement.replace("notification_id = notification_id", "seq = seq")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(sql.SQL(statement).format(target))
        count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(target)).fetchone()[0]
    assert count > 0
