"""Loading the synthetic province into a fresh tenant, streaming, with ``COPY``.

``--reuse`` keeps a loaded province between benchmark runs: a ``bench_meta`` row written after
the last batch marks it complete for its seed and scale, so an interrupted load is redone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from psycopg import sql

from bench.synthetic import Shape, generate
from infra.application import EVENTS_TABLE
from infra.database import Database
from infra.mapper import MsgspecMapper
from infra.tenancy import CATALOG, Tenant, find_tenant, install_catalog, schema_for
from services.bootstrap import Container

COPY_BATCH = 50_000
META_TABLE = "bench_meta"


@dataclass(frozen=True, slots=True)
class Loaded:
    tenant: Tenant
    events: int
    seconds: float
    """Generation and loading time; 0 when an earlier run's province was reused."""


def load(
    database: Database, schema: str, shape: Shape, progress: Callable[[int], None] | None = None
) -> int:
    """Generate the province straight into ``schema``'s empty events table; return the count.

    COPY bypasses the library's insert, which takes ``LOCK TABLE … IN EXCLUSIVE MODE`` so that
    commit order equals notification-id order. That lock is not needed here: this is the only
    writer, into an empty tenant, and ids are given in COPY order; never use this path on a
    tenant that has other writers. Each batch is its own transaction so memory stays bounded.
    """
    mapper = MsgspecMapper()
    statement = sql.SQL(
        "COPY {}.{} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)"
    ).format(sql.Identifier(schema), sql.Identifier(EVENTS_TABLE))
    saves, total, finished = generate(shape), 0, False
    with database.connect(autocommit=False) as conn:
        while not finished:
            with conn.transaction(), conn.cursor() as cur, cur.copy(statement) as copy:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                count = 0
                for save in saves:
                    for event in save:
                        stored = mapper.to_stored_event(event)
                        copy.write_row(
                            (
                                stored.originator_id,
                                stored.originator_version,
                                stored.topic,
                                stored.state,
                            )
                        )
                    count += len(save)
                    if count >= COPY_BATCH:
                        break
                else:
                    finished = True
            total += count
            if progress is not None:
                progress(total)
        conn.execute(
            sql.SQL("ANALYZE {}.{}").format(sql.Identifier(schema), sql.Identifier(EVENTS_TABLE))
        )
        conn.commit()
    return total


def province(
    container: Container,
    shape: Shape,
    reuse: bool,
    progress: Callable[[int], None] | None = None,
) -> Loaded:
    """The synthetic province's tenant: reused when asked and complete, else made afresh."""
    database = container.database
    if reuse:
        found = _completed(database, shape)
        if found is not None:
            return Loaded(find_tenant(database, shape.slug), found, 0.0)
    drop(database, shape.slug)
    tenant, _ = container.provision(shape.slug, f"Tỉnh giả lập ×{shape.scale:g}")
    began = time.perf_counter()
    events = load(database, tenant.schema, shape, progress)
    seconds = time.perf_counter() - began
    with database.connect() as conn:
        conn.execute(
            sql.SQL("CREATE TABLE {}.{} (seed int, scale float8, events bigint)").format(
                sql.Identifier(tenant.schema), sql.Identifier(META_TABLE)
            )
        )
        conn.execute(
            sql.SQL("INSERT INTO {}.{} VALUES (%s, %s, %s)").format(
                sql.Identifier(tenant.schema), sql.Identifier(META_TABLE)
            ),
            (shape.seed, shape.scale, events),
        )
    return Loaded(tenant, events, seconds)


def _completed(database: Database, shape: Shape) -> int | None:
    """The event count of a complete earlier load of the same seed and scale, if any."""
    with database.connect() as conn:
        row = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (schema_for(shape.slug), META_TABLE),
        ).fetchone()
        if row is None:
            return None
        meta = conn.execute(
            sql.SQL("SELECT seed, scale, events FROM {}.{}").format(
                sql.Identifier(schema_for(shape.slug)), sql.Identifier(META_TABLE)
            )
        ).fetchone()
    if meta is None or (meta[0], meta[1]) != (shape.seed, shape.scale):
        return None
    return int(meta[2])


def drop(database: Database, slug: str) -> None:
    """Remove a benchmark tenant (schema and catalog row); the append-only guard allows DROP."""
    install_catalog(database)
    with database.connect() as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema_for(slug)))
        )
        conn.execute(
            sql.SQL("DELETE FROM {}.tenants WHERE slug = %s").format(sql.Identifier(CATALOG)),
            (slug,),
        )
