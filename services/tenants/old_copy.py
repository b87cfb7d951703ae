"""Dropping the frozen copy a move leaves behind (xóa bản cũ sau khi chuyển cụm; issue 14 §3).

A move (``services.tenants.move``) keeps the source schema, frozen, so that a process which
has not yet heard of the switch is refused instead of served stale data. Once the move is
checked, ``chibo tenant drop-old-copy <slug> --cluster <old> --reason …`` runs
:func:`drop_old_copy`, which drops it only when that is safe:

- the catalog places the province elsewhere, and no move of it is running;
- the schema on ``cluster`` is a frozen copy (a live schema is never dropped here);
- the live log holds every event of the copy: the same number of events up to the copy's last
  id, and the same hash-chain link at the copy's chain head, so nothing written to the old
  cluster before the freeze is lost with it.

The drop is recorded in the catalog (``tenant_copy_drops``: who, why, which cluster, the
copy's events and head) before and after, like a move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql

from domain.base import InvalidValue, NotFound, StateConflict
from infra import province_copy
from infra.application import EVENTS_TABLE
from infra.audit import hashchain
from infra.clusters import database_for
from infra.database import Database
from infra.db_roles import drop_tenant_role
from infra.tenancy import CATALOG, find_tenant, install_catalog

DROPS = "tenant_copy_drops"


class CopyIsLive(StateConflict):
    """The catalog places the province on that cluster, or a move is running: the schema there
    is the live one (or about to be), never an old copy."""

    code = "copy_is_live"


class NoOldCopy(NotFound):
    """That cluster has no frozen copy of the province to drop."""

    code = "no_old_copy"


class OldCopyDiffers(StateConflict):
    """The live log lacks events of the old copy or its chain differs at the copy's head: the
    copy is kept, someone must find out why before it may go."""

    code = "old_copy_differs"


@dataclass(frozen=True, slots=True)
class Dropped:
    slug: str
    cluster: str
    events: int
    head: int


def install_drops(conn: Any) -> None:
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, slug text NOT NULL,"
            " cluster text NOT NULL, actor text NOT NULL, reason text NOT NULL,"
            " started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,"
            " outcome text NOT NULL DEFAULT 'running', events bigint, head bigint)"
        ).format(sql.Identifier(CATALOG, DROPS))
    )


def drop_old_copy(main: Database, slug: str, cluster: str, actor: str, reason: str) -> Dropped:
    """Drop province ``slug``'s frozen copy on ``cluster``; see the module's conditions."""
    if not reason.strip():
        raise InvalidValue(
            "Cần ghi lý do xóa bản cũ", "dropping a copy needs a reason", field="reason"
        )
    install_catalog(main)
    tenant = find_tenant(main, slug)
    with main.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT moving_to FROM {} WHERE slug = %s").format(
                sql.Identifier(CATALOG, "tenants")
            ),
            (slug,),
        ).fetchone()
    if tenant.cluster == cluster or (row is not None and row[0] is not None):
        raise CopyIsLive(
            f"Tỉnh «{slug}» đang ở cụm «{tenant.cluster}» hoặc đang chuyển: không xóa bản ở «{cluster}»",
            f"province '{slug}' lives on '{tenant.cluster}' or is moving: its schema on"
            f" '{cluster}' is not an old copy",
        )
    old, live = database_for(main, cluster), database_for(main, tenant.cluster)
    schema = tenant.schema
    with old.connect() as conn:
        there = conn.execute("SELECT to_regnamespace(%s) IS NOT NULL", (schema,)).fetchone()
        if not (there and there[0]) or not province_copy.frozen(conn, schema):
            raise NoOldCopy(
                f"Cụm «{cluster}» không có bản cũ đã khóa của tỉnh «{slug}»",
                f"cluster '{cluster}' holds no frozen old copy of province '{slug}'",
            )
        events, last = _log_size(conn, schema, None)
        chain = hashchain.head(conn, schema)
    with live.connect() as conn:
        held, _ = _log_size(conn, schema, last)
        link = conn.execute(
            sql.SQL("SELECT hash FROM {} WHERE notification_id = %s").format(
                sql.Identifier(schema, hashchain.CHAIN_TABLE)
            ),
            (chain[0],),
        ).fetchone()
    same_link = chain[0] == 0 or (link is not None and bytes(link[0]) == chain[1])
    if held != events or not same_link:
        raise OldCopyDiffers(
            f"Bản cũ ở «{cluster}» có {events} sự kiện (đến #{last}) mà cụm «{tenant.cluster}»"
            " không giữ đủ hoặc chuỗi băm khác: giữ lại bản cũ và kiểm tra",
            f"the old copy on '{cluster}' has {events} events (up to #{last}) that the live log on"
            f" '{tenant.cluster}' does not hold alike (events or chain differ): kept, check it",
            events=events,
            held=held,
        )
    drop_id = _record(main, slug, cluster, actor, reason)
    try:
        with old.connect() as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            drop_tenant_role(conn, schema)
    except BaseException as error:
        _finish(main, drop_id, f"failed: {type(error).__name__}: {error}", None, None)
        raise
    _finish(main, drop_id, "dropped", events, last)
    return Dropped(slug, cluster, events, last)


def _log_size(conn: Any, schema: str, upto: int | None) -> tuple[int, int]:
    """The number of events (up to id ``upto`` when given) and the last id."""
    table = sql.Identifier(schema, EVENTS_TABLE)
    if upto is None:
        query = sql.SQL("SELECT count(*), coalesce(max(notification_id), 0) FROM {}").format(table)
        row = conn.execute(query).fetchone()
    else:
        query = sql.SQL(
            "SELECT count(*), coalesce(max(notification_id), 0) FROM {} WHERE notification_id <= %s"
        ).format(table)
        row = conn.execute(query, (upto,)).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _record(main: Database, slug: str, cluster: str, actor: str, reason: str) -> int:
    with main.connect(autocommit=False) as conn, conn.transaction():
        install_drops(conn)
        row = conn.execute(
            sql.SQL(
                "INSERT INTO {} (slug, cluster, actor, reason) VALUES (%s, %s, %s, %s) RETURNING id"
            ).format(sql.Identifier(CATALOG, DROPS)),
            (slug, cluster, actor, reason),
        ).fetchone()
    return int(row[0]) if row else 0


def _finish(
    main: Database, drop_id: int, outcome: str, events: int | None, head: int | None
) -> None:
    with main.connect() as conn:
        conn.execute(
            sql.SQL(
                "UPDATE {} SET finished_at = now(), outcome = %s, events = %s, head = %s"
                " WHERE id = %s"
            ).format(sql.Identifier(CATALOG, DROPS)),
            (outcome[:2000], events, head, drop_id),
        )
