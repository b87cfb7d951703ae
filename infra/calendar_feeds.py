"""Calendar feed secrets (địa chỉ lịch riêng): only their SHA-256, one per account, revocable.

The feed itself is served by :mod:`services.notices.feed`.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import psycopg
from psycopg import sql

from infra.application import TenantApplication

FEED = "calendar_feeds"
DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.calendar_feeds (user_id text PRIMARY KEY,"
    " secret_sha256 bytea NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now())",
)


def install_calendar_feeds(conn: psycopg.Connection[Any], schema: str) -> None:
    """Schema part (idempotent), before the tenant role."""
    for statement in DDL:
        conn.execute(sql.SQL(statement).format(s=sql.Identifier(schema)))


def _run(app: TenantApplication, query: sql.Composable, params: tuple[Any, ...]) -> list[Any]:
    with app.recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]  # the Postgres recorder has .datastore
        cursor.execute(query, params)
        return list(cursor.fetchall()) if cursor.description is not None else []


def _t(app: TenantApplication) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(app.schema), sql.Identifier(FEED))


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def issue(app: TenantApplication, user_id: str) -> str:
    """A new secret for the account (the old one stops working); only its hash is stored."""
    secret = secrets.token_urlsafe(32)
    _run(
        app,
        sql.SQL(
            "INSERT INTO {} (user_id, secret_sha256) VALUES (%s, %s) ON CONFLICT (user_id)"
            " DO UPDATE SET secret_sha256 = EXCLUDED.secret_sha256, created_at = now()"
        ).format(_t(app)),
        (user_id, digest(secret)),
    )
    return secret


def revoke(app: TenantApplication, user_id: str) -> bool:
    rows = _run(
        app,
        sql.SQL("DELETE FROM {} WHERE user_id = %s RETURNING 1").format(_t(app)),
        (user_id,),
    )
    return bool(rows)


def owner(app: TenantApplication, secret: str) -> str | None:
    rows = _run(
        app,
        sql.SQL("SELECT user_id FROM {} WHERE secret_sha256 = %s").format(_t(app)),
        (digest(secret),),
    )
    return str(rows[0]["user_id"]) if rows else None
