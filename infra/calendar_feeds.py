"""Calendar feed secrets (địa chỉ lịch riêng): only their SHA-256, one per account, revocable.

The feed itself is served by :mod:`services.notices.feed`.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import psycopg
from psycopg import sql

from infra import tenant_sql
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


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def issue(app: TenantApplication, user_id: str) -> str:
    """A new secret for the account (the old one stops working); only its hash is stored."""
    secret = secrets.token_urlsafe(32)
    tenant_sql.rows(
        app,
        sql.SQL(
            "INSERT INTO {} (user_id, secret_sha256) VALUES (%s, %s) ON CONFLICT (user_id)"
            " DO UPDATE SET secret_sha256 = EXCLUDED.secret_sha256, created_at = now()"
        ).format(tenant_sql.table(app, FEED)),
        (user_id, digest(secret)),
    )
    return secret


def revoke(app: TenantApplication, user_id: str) -> bool:
    rows = tenant_sql.rows(
        app,
        sql.SQL("DELETE FROM {} WHERE user_id = %s RETURNING 1").format(
            tenant_sql.table(app, FEED)
        ),
        (user_id,),
    )
    return bool(rows)


def owner(app: TenantApplication, secret: str) -> str | None:
    rows = tenant_sql.rows(
        app,
        sql.SQL("SELECT user_id FROM {} WHERE secret_sha256 = %s").format(
            tenant_sql.table(app, FEED)
        ),
        (digest(secret),),
    )
    return str(rows[0]["user_id"]) if rows else None
