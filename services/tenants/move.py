"""Moving a province to another database cluster (chuyển tỉnh sang cụm khác; issue 14 §3).

``chibo tenant move <slug> --to <cluster> --reason …`` runs :func:`move` in two phases, so
that writes are refused only for the short second one:

1. the move is recorded in the catalog (``chibo_catalog.tenant_moves``: who, why, from, to,
   when, outcome) and the province marked ``moving_to``;
2. the target schema is made (the same schema parts as provisioning; a frozen copy left there
   by an earlier move away is dropped first, anything else there is refused);
3. **while the province still writes**, its tables other than read models are copied from one
   snapshot with binary ``COPY`` (``infra.province_copy``), and every read model is rebuilt
   on the target from that copy of the log: the long part of a move;
4. the source's tables are then **frozen**: the writes in flight commit first, later ones are
   refused with 503 ``province_moving`` and ``Retry-After``, so no acknowledged write is left
   behind. Only what was written since the snapshot is copied now: the log tables' rows past
   the heads copied in step 3, and the small tables whole (emptied on the target first);
5. the target's log, chain and seals are checked (``infra.audit.verify``) and its events
   compared with the source's (count and last id); the rebuilt read models catch up with the
   events of step 4;
6. the placement switches in one catalog transaction, which notifies ``chibo_catalog``: API
   processes forget their cached application and workers their directory entry.

A failure before the switch thaws the source, drops what the move had made on the target, and
leaves the province where it was (the outcome says why). The source schema is kept, frozen, after a successful move: a process that
has not yet heard of the switch is refused (503) rather than served from it. Drop it once
the move is checked (``chibo tenant drop-old-copy``, ``services.tenants.old_copy``, which
checks that the live log holds all of it); a later move back drops it by itself.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from domain.base import InvalidValue, StateConflict
from infra import province_copy
from infra.application import EVENTS_TABLE
from infra.audit.verify import verify
from infra.clusters import database_for
from infra.database import Database
from infra.notifications import CATALOG_CHANGED, notify
from infra.tenancy import CATALOG, SchemaPart, find_tenant, install_catalog, install_schema
from projections import engine, versions
from projections.registry import all_projections
from projections.tracking import TRACKING_TABLE

log = logging.getLogger(__name__)

MOVES = "tenant_moves"


class SameCluster(InvalidValue):
    """The province is on the target cluster already: nothing to move."""

    code = "same_cluster"


class TargetNotEmpty(StateConflict):
    """The target cluster holds the province's schema and it is not a frozen old copy:
    someone must look at it and drop it before a move may write there."""

    code = "target_schema_exists"


class MoveFailed(StateConflict):
    """The copy on the target did not verify, or a read model failed to rebuild or catch up
    there: the source was thawed and the province stays where it was."""

    code = "move_failed"


@dataclass(frozen=True, slots=True)
class Moved:
    slug: str
    source: str
    target: str
    events: int
    head: int
    rows: int
    rebuilt: tuple[str, ...]


def read_model_tables() -> set[str]:
    """Tables a rebuild fills from the log: not copied, rebuilt on the target."""
    found = {TRACKING_TABLE, versions.VERSION_TABLE}
    for projection in all_projections():
        found |= set(getattr(projection, "tables", ()))
    return found


def install_moves(conn: Any) -> None:
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, slug text NOT NULL,"
            " from_cluster text NOT NULL, to_cluster text NOT NULL, actor text NOT NULL,"
            " reason text NOT NULL, started_at timestamptz NOT NULL DEFAULT now(),"
            " finished_at timestamptz, outcome text NOT NULL DEFAULT 'running',"
            " events bigint, head bigint)"
        ).format(sql.Identifier(CATALOG, MOVES))
    )


def move(
    main: Database, slug: str, to: str, actor: str, reason: str, parts: list[SchemaPart]
) -> Moved:
    """Move province ``slug`` to cluster ``to``; see the module's steps."""
    if not reason.strip():
        raise InvalidValue("Cần ghi lý do chuyển", "a move needs a reason", field="reason")
    install_catalog(main)
    tenant = find_tenant(main, slug)
    if tenant.cluster == to:
        raise SameCluster(
            f"Tỉnh «{slug}» đã ở cụm «{to}»", f"province '{slug}' is on cluster '{to}' already"
        )
    source, target = database_for(main, tenant.cluster), database_for(main, to)
    with main.connect(autocommit=False) as conn, conn.transaction():
        install_moves(conn)
        started = conn.execute(
            sql.SQL(
                "INSERT INTO {} (slug, from_cluster, to_cluster, actor, reason)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id"
            ).format(sql.Identifier(CATALOG, MOVES)),
            (slug, tenant.cluster, to, actor, reason),
        ).fetchone()
        _mark_moving(conn, slug, to)
    move_id = int(started[0]) if started else 0
    schema = tenant.schema
    made: Database | None = None
    try:
        _prepare_target(target, slug, schema, parts)
        made = target
        names = _own_tables(source, schema)
        _empty(target, schema, names)
        rows = province_copy.copy_tables(source, target, schema, names)  # live: writes go on
        with target.connect() as conn:
            heads = province_copy.log_heads(conn, schema)
        rebuilt = _rebuild(target, schema)
        names = _freeze(source, schema)
        log.info("province %s frozen on %s; copying what came since", slug, tenant.cluster)
        _empty(target, schema, [n for n in names if n not in heads])
        rows += province_copy.copy_tables(source, target, schema, names, after=heads)
        with target.connect(autocommit=False) as conn, conn.transaction():
            install_schema(conn, target, slug, parts)  # the guard's triggers, the role's grants
        events, head = _check(source, target, schema)
        _catch_up(target, schema)
    except BaseException as error:
        _abandon(main, source, slug, schema, move_id, error, made)
        raise
    with main.connect(autocommit=False) as conn, conn.transaction():
        conn.execute(
            sql.SQL("UPDATE {} SET cluster = %s, moving_to = NULL WHERE slug = %s").format(
                sql.Identifier(CATALOG, "tenants")
            ),
            (to, slug),
        )
        _finish(conn, move_id, "moved", events, head)
        notify(conn, CATALOG_CHANGED, slug)
    log.info("province %s moved from %s to %s (%d events)", slug, tenant.cluster, to, events)
    return Moved(slug, tenant.cluster, to, events, head, rows, tuple(rebuilt))


FREEZE_LOCK_TIMEOUT = "200ms"
"""How long the freeze waits for one table's lock before it lets go of all and tries again."""
FREEZE_ATTEMPTS = 100


def _freeze(source: Database, schema: str) -> list[str]:
    """Freeze the province's own tables on ``source``; their names.

    A write in flight holds one table and may next want one the freeze already holds: left
    alone, PostgreSQL breaks that deadlock after a second by failing one side, the move or a
    write about to be acknowledged. So the freeze waits briefly for each lock, and on a
    timeout it lets go of everything, lets the write finish, and starts again."""
    for attempt in range(FREEZE_ATTEMPTS):
        try:
            with source.connect(autocommit=False) as conn, conn.transaction():
                conn.execute(
                    sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(FREEZE_LOCK_TIMEOUT))
                )
                names = _own_tables(source, schema, conn)
                province_copy.freeze(conn, schema, names)
            return names
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            if attempt == FREEZE_ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (1 + attempt % 5))
    raise AssertionError("unreachable")


def _own_tables(source: Database, schema: str, conn: Any = None) -> list[str]:
    """The province's tables that a move copies: all but the read models."""
    if conn is None:
        with source.connect() as own:
            return _own_tables(source, schema, own)
    return [n for n in province_copy.tables(conn, schema) if n not in read_model_tables()]


def _mark_moving(conn: Any, slug: str, to: str | None) -> None:
    conn.execute(
        sql.SQL("UPDATE {} SET moving_to = %s WHERE slug = %s").format(
            sql.Identifier(CATALOG, "tenants")
        ),
        (to, slug),
    )
    notify(conn, CATALOG_CHANGED, slug)


def _finish(conn: Any, move_id: int, outcome: str, events: int | None, head: int | None) -> None:
    conn.execute(
        sql.SQL(
            "UPDATE {} SET finished_at = now(), outcome = %s, events = %s, head = %s WHERE id = %s"
        ).format(sql.Identifier(CATALOG, MOVES)),
        (outcome[:2000], events, head, move_id),
    )


def _prepare_target(target: Database, slug: str, schema: str, parts: list[SchemaPart]) -> None:
    with target.connect(autocommit=False) as conn, conn.transaction():
        there = conn.execute("SELECT to_regnamespace(%s) IS NOT NULL", (schema,)).fetchone()
        if there and there[0]:
            if not province_copy.frozen(conn, schema):
                raise TargetNotEmpty(
                    f"Cụm đích đã có lược đồ {schema}; kiểm tra và xóa trước khi chuyển",
                    f"the target cluster already has schema {schema}; check and drop it first",
                    schema=schema,
                )
            # A frozen copy an earlier move away left behind: the catalog routes elsewhere.
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        # Without the guard part: the copied tables are emptied first (the guard refuses
        # that); its triggers come with the second install, after the copy.
        install_schema(conn, target, slug, [p for p in parts if p.__name__ != "install_guard"])
        from infra.audit import hashchain, seals

        hashchain.install(conn, schema)
        seals.install(conn, schema)


def _empty(target: Database, schema: str, names: list[str]) -> None:
    """Whatever provisioning put into the fresh target tables gives way to the source's."""
    with target.connect(autocommit=False) as conn, conn.transaction():
        for name in names:
            conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, name)))


def _check(source: Database, target: Database, schema: str) -> tuple[int, int]:
    """The target's log, chain and seals verify, and it holds what the frozen source holds."""
    report = verify(target, schema)
    if not report.ok:
        first = report.first.describe() if report.first else "?"
        raise MoveFailed(
            f"Chuỗi băm trên cụm đích không khớp: {first}",
            f"the hash chain does not verify on the target: {first}",
        )
    found = []
    for database in (source, target):
        with database.connect() as conn:
            row = conn.execute(
                sql.SQL("SELECT count(*), coalesce(max(notification_id), 0) FROM {}").format(
                    sql.Identifier(schema, EVENTS_TABLE)
                )
            ).fetchone()
        found.append((int(row[0]), int(row[1])) if row else (0, 0))
    if found[0] != found[1]:
        raise MoveFailed(
            f"Số sự kiện khác nhau: nguồn {found[0]}, đích {found[1]}",
            f"the logs differ: source {found[0]}, target {found[1]} (events, last id)",
        )
    return found[1]


def _rebuild(target: Database, schema: str) -> list[str]:
    projections = all_projections()
    for projection in projections:
        done = engine.rebuild(target, schema, projection)
        if done.error:
            raise MoveFailed(
                f"Dựng lại {projection.name} trên cụm đích thất bại: {done.error}",
                f"rebuilding {projection.name} on the target failed: {done.error}",
            )
    with target.connect() as conn:
        for projection in projections:
            versions.record(conn, schema, projection.name, versions.declared(projection))
    return [p.name for p in projections]


def _catch_up(target: Database, schema: str) -> None:
    """The read models rebuilt from the live copy take the events copied after the freeze."""
    for done in engine.catch_up_all(target, schema, all_projections(), wait_for_lock=True):
        if done.error:
            raise MoveFailed(
                f"Cập nhật {done.projection} trên cụm đích thất bại: {done.error}",
                f"catching up {done.projection} on the target failed: {done.error}",
            )


def _abandon(
    main: Database,
    source: Database,
    slug: str,
    schema: str,
    move_id: int,
    error: BaseException,
    made: Database | None,
) -> None:
    """The move failed before the switch: writes resume on the source, and the copy this move
    made on the target (``made``; never live, the catalog placed the province on the source
    throughout) is dropped, so that the next attempt does not find the schema taken."""
    log.error("moving province %s failed: %s", slug, error)
    try:
        with source.connect(autocommit=False) as conn, conn.transaction():
            province_copy.thaw(conn, schema)
        if made is not None:
            _drop_partial_copy(made, schema)
    finally:
        with main.connect(autocommit=False) as conn, conn.transaction():
            _mark_moving(conn, slug, None)
            _finish(conn, move_id, f"failed: {type(error).__name__}: {error}", None, None)


def _drop_partial_copy(target: Database, schema: str) -> None:
    try:
        with target.connect(autocommit=False) as conn, conn.transaction():
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    except psycopg.Error:
        # The move's own failure is what the operator must hear; a copy left behind is
        # refused by the next attempt (target_schema_exists) and named in the log.
        log.exception("could not drop the partial copy of %s on the target", schema)
