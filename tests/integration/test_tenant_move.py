"""Moving a province between two database clusters (issue 14 §3): under a write load every
acknowledged write ends up on the target, writes during the move are refused with 503
``province_moving`` and ``Retry-After`` (never a 500, never lost), the chain verifies there,
the views follow, and the move is recorded with who and why.

Two PostgreSQL servers at once, as in ``test_two_clusters.py``: the test's own server (main,
with the catalog) and a second embedded one started here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient
from psycopg import sql

from domain.base import StateConflict
from domain.user import Role
from infra import province_copy
from infra.audit.verify import verify
from infra.database import Database
from infra.notifications import Listener
from infra.readside import ReadSide
from infra.settings import Settings
from infra.tenancy import CATALOG, Tenant, TenantApplications, find_tenant
from services import cli, workers
from services.app import create_app
from services.bootstrap import Container, schema_parts
from services.cli import wiring
from services.tenants import move as moving
from services.tenants.move import SameCluster, move
from tests.conftest import drop_tenant, new_slug, server_conninfo
from tests.e2e.auth_helpers import bearer, token

pytestmark = pytest.mark.integration


@pytest.fixture
def container(database: Database, second: Database, tmp_path: Path) -> Iterator[Container]:
    settings = Settings(database_url=database.url, data_dir=tmp_path, broker_url=None)
    applications = TenantApplications(database, 8, on_committed=workers.notify_committed)
    readside = ReadSide(database)
    readside.placement = applications.database_of_schema
    built = Container(settings, database, applications, readside)
    listener = Listener(server_conninfo(database)).start()
    assert listener.connected.wait(10)
    built.follow_catalog(listener)
    workers.configure(database, None, threads=2, tick_seconds=None, listener=listener)
    yield built
    workers.shutdown()
    listener.stop()
    applications.close()


@pytest.fixture
def province(container: Container, database: Database) -> Iterator[Tenant]:
    made, _ = container.provision(new_slug(), "Tỉnh Chuyển Cụm", "main")
    yield made
    drop_tenant(database, made)
    with database.connect() as conn:
        conn.execute(
            sql.SQL("DELETE FROM {}.tenant_moves WHERE slug = %s").format(sql.Identifier(CATALOG)),
            (made.slug,),
        )
        if conn.execute("SELECT to_regclass('chibo_catalog.tenant_copy_drops')").fetchone()[0]:
            conn.execute(
                sql.SQL("DELETE FROM {}.tenant_copy_drops WHERE slug = %s").format(
                    sql.Identifier(CATALOG)
                ),
                (made.slug,),
            )


@pytest.fixture
def console(container: Container, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(wiring, "open_container", lambda: container)
    monkeypatch.setattr(container, "close", lambda: None)
    return lambda *argv: cli.main(list(argv))


def unit(name: str, parent: str | None = None) -> dict[str, Any]:
    body = {"name": name, "level": "province" if parent is None else "direct"}
    body["founded_on"] = "2015-01-01"
    if parent:
        body["parent_id"] = parent
    return body


def event_ids(database: Database, schema: str) -> set[str]:
    with database.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT DISTINCT originator_id::text FROM {}").format(
                sql.Identifier(schema, "chibo_events")
            )
        ).fetchall()
    return {r[0] for r in rows}


def log_figure(database: Database, schema: str, figure: str) -> int:
    """``figure`` (an aggregate such as ``count(*)``) over the province's events there."""
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL(f"SELECT {figure} FROM {{}}").format(sql.Identifier(schema, "chibo_events"))
        ).fetchone()
    assert row is not None
    return int(row[0])


def recorded(database: Database, table: str, columns: str, slug: str) -> list[tuple[Any, ...]]:
    """The catalog's records of ``table`` (moves, drops) for province ``slug``."""
    with database.connect() as conn:
        return conn.execute(
            sql.SQL(f"SELECT {columns} FROM {{}} WHERE slug = %s").format(
                sql.Identifier(CATALOG, table)
            ),
            (slug,),
        ).fetchall()


def test_a_move_under_writes_keeps_every_acknowledged_write(
    container, province, console, database, second
):
    acknowledged: list[str] = []
    refused: list[tuple[int, str, str | None]] = []
    stop = threading.Event()
    with TestClient(create_app(container)) as client:
        headers = bearer(token(container, province.slug, Role.TENANT_ADMIN))
        base = f"/api/v1/t/{province.slug}"
        root = client.post(f"{base}/units", json=unit("Đảng bộ tỉnh"), headers=headers)
        assert root.status_code == 201, root.text
        root_id = root.json()["id"]

        def write() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                answer = client.post(
                    f"{base}/units", json=unit(f"Đảng bộ {n}", root_id), headers=headers
                )
                if answer.status_code == 201:
                    acknowledged.append(answer.json()["id"])
                else:
                    refused.append(
                        (
                            answer.status_code,
                            answer.json()["code"],
                            answer.headers.get("retry-after"),
                        )
                    )
                time.sleep(0.01)

        writer = threading.Thread(target=write)
        writer.start()
        try:
            time.sleep(0.5)
            before = len(acknowledged)
            assert console(
                "tenant", "move", province.slug, "--to", "second", "--reason", "tách cụm",
                "--actor", "kiem.thu",
            ) == 0  # fmt: skip
            deadline = time.monotonic() + 10
            after_move = len(acknowledged)
            while len(acknowledged) < after_move + 5 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            writer.join()
        assert before > 0
        assert len(acknowledged) >= after_move + 5, refused[-3:]  # writes resume, on the target
        # Refusals during the move are the named 503, never a 500.
        assert set(refused) <= {(503, "province_moving", "5")}

        assert find_tenant(database, province.slug).cluster == "second"
        on_target = event_ids(second, province.schema)
        assert {root_id, *acknowledged} <= on_target
        assert verify(second, province.schema).ok
        # Nothing was written to the old copy after its freeze: the target holds all of it.
        assert event_ids(database, province.schema) <= on_target

        # The views follow: read models rebuilt on the target, caught up by the workers.
        head = log_figure(second, province.schema, "max(notification_id)")
        view = client.get(
            f"{base}/views/level",
            params={"unit_id": root_id, "min_position": head, "wait_ms": 5000},
            headers=headers,
        )
        assert view.status_code == 200, view.text
        assert len(view.json()["children"]) == len(acknowledged)

    moves = recorded(
        database, "tenant_moves", "from_cluster, to_cluster, actor, reason, outcome", province.slug
    )
    assert moves == [("main", "second", "kiem.thu", "tách cụm", "moved")]
    # The old copy stays frozen: a process that missed the switch is refused, not served.
    with database.connect() as conn, pytest.raises(psycopg.Error) as refused_insert:
        conn.execute(
            sql.SQL("DELETE FROM {}").format(sql.Identifier(province.schema, "chibo_events"))
        )
    assert province_copy.is_moving_error(refused_insert.value)


def test_what_is_written_during_the_live_copy_reaches_the_target_and_its_views(
    container, province, console, database, second, monkeypatch
):
    """The bulk is copied and rebuilt while the province writes; a write acknowledged then,
    after the snapshot, is copied once frozen and taken by the rebuilt read models."""
    with TestClient(create_app(container)) as client:
        headers = bearer(token(container, province.slug, Role.TENANT_ADMIN))
        base = f"/api/v1/t/{province.slug}"
        root = client.post(f"{base}/units", json=unit("Đảng bộ tỉnh"), headers=headers)
        assert root.status_code == 201, root.text
        late: list[str] = []
        rebuild = moving._rebuild

        def rebuild_then_write(target: Database, schema: str) -> list[str]:
            rebuilt = rebuild(target, schema)
            written = client.post(
                f"{base}/units", json=unit("Đảng bộ mới", root.json()["id"]), headers=headers
            )
            assert written.status_code == 201, written.text  # not frozen yet: accepted
            late.append(written.json()["id"])
            return rebuilt

        monkeypatch.setattr(moving, "_rebuild", rebuild_then_write)
        assert console(
            "tenant", "move", province.slug, "--to", "second", "--reason", "tách cụm",
            "--actor", "kiem.thu",
        ) == 0  # fmt: skip
    assert late
    assert set(late) <= event_ids(second, province.schema)
    assert event_ids(database, province.schema) == event_ids(second, province.schema)
    assert verify(second, province.schema).ok
    head = log_figure(second, province.schema, "max(notification_id)")
    with second.connect() as conn:
        positions = conn.execute(
            sql.SQL("SELECT min(position) FROM {}").format(
                sql.Identifier(province.schema, "projection_tracking")
            )
        ).fetchone()
    assert positions is not None
    assert positions[0] == head  # every read model has taken the late write


def test_a_frozen_province_answers_writes_with_503_and_retry_after(container, province):
    with TestClient(create_app(container)) as client:
        headers = bearer(token(container, province.slug, Role.TENANT_ADMIN))
        base = f"/api/v1/t/{province.slug}"
        with container.database.connect(autocommit=False) as conn, conn.transaction():
            province_copy.freeze(conn, province.schema, ["chibo_events"])
        refused = client.post(f"{base}/units", json=unit("Đảng bộ tỉnh"), headers=headers)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "5"
        assert refused.json()["code"] == "province_moving"
        assert "thử lại" in refused.json()["message"]
        with container.database.connect(autocommit=False) as conn, conn.transaction():
            province_copy.thaw(conn, province.schema)
        written = client.post(f"{base}/units", json=unit("Đảng bộ tỉnh"), headers=headers)
        assert written.status_code == 201, written.text


def test_a_failed_move_leaves_the_province_where_it_was_and_says_why(
    container, province, database, second
):
    with pytest.raises(SameCluster):
        move(database, province.slug, "main", "kiem.thu", "thử", list(schema_parts()))
    # Something else already holds the schema on the target: refused, nothing frozen.
    with second.connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(province.schema)))
    with pytest.raises(StateConflict):
        move(database, province.slug, "second", "kiem.thu", "thử", list(schema_parts()))
    assert find_tenant(database, province.slug).cluster == "main"
    with database.connect() as conn:
        assert not province_copy.frozen(conn, province.schema)
        moving = conn.execute(
            sql.SQL("SELECT moving_to FROM {}.tenants WHERE slug = %s").format(
                sql.Identifier(CATALOG)
            ),
            (province.slug,),
        ).fetchone()
        outcome = conn.execute(
            sql.SQL("SELECT outcome FROM {}.tenant_moves WHERE slug = %s").format(
                sql.Identifier(CATALOG)
            ),
            (province.slug,),
        ).fetchone()
    assert moving == (None,)
    assert outcome is not None
    assert outcome[0].startswith("failed: TargetNotEmpty")


def test_a_move_that_fails_after_its_copy_drops_the_copy_and_may_be_tried_again(
    container, province, database, second, monkeypatch
):
    """The copy on the target was never live: a failure drops it with the freeze, so the next
    attempt does not meet target_schema_exists."""
    with TestClient(create_app(container)) as client:
        headers = bearer(token(container, province.slug, Role.TENANT_ADMIN))
        made = client.post(
            f"/api/v1/t/{province.slug}/units", json=unit("Đảng bộ tỉnh"), headers=headers
        )
        assert made.status_code == 201, made.text

    def fail(source: Database, target: Database, schema: str) -> tuple[int, int]:
        raise moving.MoveFailed("thử hỏng", "made to fail")

    with monkeypatch.context() as patched:
        patched.setattr(moving, "_check", fail)
        with pytest.raises(moving.MoveFailed):
            move(database, province.slug, "second", "kiem.thu", "thử", list(schema_parts()))
    with second.connect() as conn:
        assert conn.execute("SELECT to_regnamespace(%s)", (province.schema,)).fetchone() == (None,)
    with database.connect() as conn:
        assert not province_copy.frozen(conn, province.schema)
    assert find_tenant(database, province.slug).cluster == "main"
    outcomes = recorded(database, "tenant_moves", "outcome", province.slug)
    assert [o[0].split(":")[:2] for o in outcomes] == [["failed", " MoveFailed"]]

    moved = move(database, province.slug, "second", "kiem.thu", "lần hai", list(schema_parts()))
    assert moved.events == log_figure(second, province.schema, "count(*)") >= 1
    assert find_tenant(database, province.slug).cluster == "second"


def test_the_freeze_gives_way_to_a_write_in_flight_instead_of_deadlocking(database, tenant):
    """A write holding the freeze's last table, then asking for its first, met the freeze
    holding the first and asking for the last: PostgreSQL failed one of them after a second
    (CI's PgBouncer pass: the move, exit 3). The freeze lets go and tries again instead."""
    with database.connect() as conn:
        names = sorted(
            n
            for n in province_copy.tables(conn, tenant.schema)
            if n not in moving.read_model_tables()
        )
    first, last = sql.Identifier(tenant.schema, names[0]), sql.Identifier(tenant.schema, names[-1])
    holding, outcome = threading.Event(), {}

    def freeze() -> None:
        holding.wait()
        try:
            outcome["frozen"] = moving._freeze(database, tenant.schema)
        except psycopg.Error as error:
            outcome["frozen"] = error

    freezer = threading.Thread(target=freeze)
    freezer.start()
    try:
        with database.connect(autocommit=False) as writer, writer.transaction():
            writer.execute(sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(last))
            holding.set()
            time.sleep(0.5)  # the freeze now holds the other tables and waits for this one
            writer.execute(sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(first))
        freezer.join(timeout=60)
        assert outcome["frozen"] == names, outcome  # the write committed, then the freeze
        with database.connect() as conn:
            assert province_copy.frozen(conn, tenant.schema)
    finally:
        freezer.join(timeout=60)
        with database.connect() as conn:
            province_copy.thaw(conn, tenant.schema)


def test_the_old_copy_is_dropped_only_once_the_live_log_holds_all_of_it(
    container, province, console, database, second, capsys
):
    with TestClient(create_app(container)) as client:
        headers = bearer(token(container, province.slug, Role.TENANT_ADMIN))
        base = f"/api/v1/t/{province.slug}"
        for name in ("Đảng bộ tỉnh", "Đảng bộ phụ"):
            written = client.post(f"{base}/units", json=unit(name), headers=headers)
            assert written.status_code == 201, written.text
        assert console(
            "tenant", "move", province.slug, "--to", "second", "--reason", "tách cụm",
            "--actor", "kiem.thu",
        ) == 0  # fmt: skip
    assert "drop-old-copy" in capsys.readouterr().out
    drop = ("tenant", "drop-old-copy", province.slug, "--reason", "đã kiểm tra", "--actor", "kt")

    # The live schema is never "an old copy".
    assert console(*drop, "--cluster", "second") == 2
    assert "is not an old copy" in capsys.readouterr().err
    with second.connect() as conn:
        assert conn.execute("SELECT to_regnamespace(%s)", (province.schema,)).fetchone() != (None,)

    # An old copy whose chain differs from the live one is kept (the live log would not hold it).
    chain = sql.Identifier(province.schema, "audit_chain")
    with database.connect(autocommit=False) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")  # as a tamperer would
        kept = conn.execute(
            sql.SQL("SELECT notification_id, hash FROM {} ORDER BY 1 DESC LIMIT 1").format(chain)
        ).fetchone()
        assert kept is not None
        conn.execute(
            sql.SQL("UPDATE {} SET hash = %s WHERE notification_id = %s").format(chain),
            (b"\x00" * 32, kept[0]),
        )
    assert console(*drop, "--cluster", "main") == 2
    assert "old copy" in capsys.readouterr().err
    with database.connect() as conn:
        assert province_copy.frozen(conn, province.schema)

    with database.connect(autocommit=False) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            sql.SQL("UPDATE {} SET hash = %s WHERE notification_id = %s").format(chain),
            (kept[1], kept[0]),
        )
    assert console(*drop, "--cluster", "main") == 0
    assert "đã xóa bản cũ" in capsys.readouterr().out
    with database.connect() as conn:
        assert conn.execute("SELECT to_regnamespace(%s)", (province.schema,)).fetchone() == (None,)
    row = recorded(
        database, "tenant_copy_drops", "cluster, actor, reason, outcome, events", province.slug
    )
    assert [r[:4] for r in row] == [("main", "kt", "đã kiểm tra", "dropped")]
    assert row[0][4] == log_figure(second, province.schema, "count(*)") >= 2
    # The province is served from its live copy as before; a second drop finds nothing.
    assert verify(second, province.schema).ok
    assert console(*drop, "--cluster", "main") == 2
    assert "no frozen old copy" in capsys.readouterr().err
