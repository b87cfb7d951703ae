"""The by-hand seal check of docs/audit.md, run as written against a real tenant."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from psycopg import sql

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from infra.audit.keys import FileKeyStore
from infra.audit.seals import create_seal

pytestmark = pytest.mark.integration

DOC = Path(__file__).parents[2] / "docs" / "audit.md"
EXPORT = (
    "COPY (SELECT notification_id, encode(uuid_send(originator_id), 'hex'), originator_version,"
    " topic, encode(state, 'hex') FROM {}.chibo_events ORDER BY notification_id) TO STDOUT CSV"
)


def inspector_script() -> str:
    match = re.search(
        r"```python\n(# verify_seal\.py.*?)```", DOC.read_text(encoding="utf-8"), re.S
    )
    assert match, "the by-hand script is missing from docs/audit.md"
    return match.group(1)


def export(database, tenant, path: Path) -> None:
    statement = sql.SQL(EXPORT).format(sql.Identifier(tenant.schema))
    with database.connect() as conn, conn.cursor() as cur, cur.copy(statement) as copy:
        path.write_bytes(b"".join(bytes(block) for block in copy))


def run(tmp_path: Path, seal_json: str, database, tenant) -> subprocess.CompletedProcess[str]:
    script, events, seal = (
        tmp_path / "verify_seal.py",
        tmp_path / "events.csv",
        tmp_path / "seal.json",
    )
    script.write_text(inspector_script(), encoding="utf-8")
    seal.write_text(seal_json, encoding="utf-8")
    export(database, tenant, events)
    return subprocess.run(
        [sys.executable, str(script), str(events), str(seal)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_the_documented_script_confirms_a_seal_then_catches_an_edit(
    app, tenant, database, tmp_path
):
    root = OrgUnit.found(uuid4(), "Đảng bộ tỉnh", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    app.save_all(root)
    with database.connect() as conn:
        create_seal(conn, tenant.schema, FileKeyStore(tmp_path / "keys"))  # seal 1: event 1
    for name in ("Một", "Hai", "Ba"):
        root.rename(f"Đảng bộ tỉnh {name}", SYSTEM)
        app.save_all(root)
    with database.connect() as conn:
        seal = create_seal(conn, tenant.schema, FileKeyStore(tmp_path / "keys"))  # events 2–4
    assert seal is not None
    assert seal.first == 2

    intact = run(tmp_path, seal.to_json(), database, tenant)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.count(": OK") == 6

    with database.connect() as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            sql.SQL(
                "UPDATE {}.chibo_events SET state = convert_to(replace(convert_from(state, 'UTF8'),"
                " 'Hai', 'Bốn'), 'UTF8') WHERE notification_id = 3"
            ).format(sql.Identifier(tenant.schema))
        )
    tampered = run(tmp_path, seal.to_json(), database, tenant)
    assert tampered.returncode == 1
    assert "merkle_root: FAILED" in tampered.stdout
    assert "last_chain_hash: FAILED" in tampered.stdout
    assert "signature: OK" in tampered.stdout
