"""ASGI layers applied to every route: authentication, idempotency keys, security headers.

Order (outermost first): authentication reads the bearer token and leaves the verified
principal in the scope (it refuses nothing; the policy guard decides); idempotency replays the
stored response of a command already done with the same ``Idempotency-Key``; the headers hook
adds the security headers to every response, errors and 404s included.
"""

from __future__ import annotations

import json
import logging
from typing import Any, cast

import anyio
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from psycopg import sql

from domain.base import DomainError
from services.context import AUTH_ERROR_KEY, PRINCIPAL_KEY, Principal, container_of
from services.errors import UNAVAILABLE_ERRORS
from services.errors import body as error_body
from services.identity.tokens import TokenSigner
from services.security.spool import Spooled, body_chunks, limit_of, spool
from services.security.spool import replay as replay_spooled
from services.security.store import IDEMPOTENCY, execute, table

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000
"""Bytes. Commands are small; bulk imports get their own route with its own limit."""
MAX_KEY_LENGTH = 200
STALE_CLAIM_SECONDS = 300
"""A claim with no response after this long (a crashed worker) may be taken over."""
COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline';"
    " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The API explorer: its page has one inline script (the spec); every byte comes from here."""


def signer_of(scope: Scope) -> TokenSigner:
    signer: TokenSigner = scope["app"].state.signer
    return signer


class AuthenticationMiddleware:
    """Verify ``Authorization: Bearer`` against the route's tenant; remember who it is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = cast("dict[str, Any]", scope)  # a TypedDict union to mypy; we keep our own keys in it
        raw.pop(PRINCIPAL_KEY, None)
        raw.pop(AUTH_ERROR_KEY, None)
        tenant = raw.get("path_params", {}).get("tenant")
        token = bearer_token(scope)
        if raw["type"] == "http" and token and isinstance(tenant, str):
            try:
                raw[PRINCIPAL_KEY] = signer_of(scope).verify(token, tenant)
            except DomainError as error:
                # Keep why, so the guard answers 401 with the right code (e.g. expired).
                raw[AUTH_ERROR_KEY] = error
        await self.app(scope, receive, send)


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and 0 < len(token) <= 4096:
                return token.strip()
    return None


class IdempotencyMiddleware:
    """A command with an ``Idempotency-Key`` runs once per user; retries get the same answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = cast("dict[str, Any]", scope)  # a TypedDict union to mypy; we keep our own keys in it
        key = header(scope, b"idempotency-key")
        principal = raw.get(PRINCIPAL_KEY)
        if (
            raw["type"] != "http"
            or raw.get("method") not in COMMAND_METHODS
            or key is None
            or not isinstance(principal, Principal)
        ):
            await self.app(scope, receive, send)
            return
        if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            await send_json(
                send,
                400,
                error_body(
                    "invalid_idempotency_key",
                    f"Idempotency-Key phải có 1–{MAX_KEY_LENGTH} ký tự in được",
                    f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} printable characters",
                ),
            )
            return
        head = f"{raw['method']} {raw['path']}\n".encode()
        spooled = await spool(receive, head, limit_of(scope, MAX_BODY))
        if spooled is None:
            await send_json(
                send,
                413,
                error_body(
                    "request_too_large", "Dữ liệu gửi lên quá lớn", "the request body is too large"
                ),
            )
            return
        try:
            fingerprint = spooled.fingerprint
            container = container_of(scope["app"].state)
            app = await anyio.to_thread.run_sync(container.applications.get, principal.tenant)
            claimed, stored = await anyio.to_thread.run_sync(
                claim, app, principal.user_id, key, fingerprint
            )
            if not claimed:
                await replay(send, stored, fingerprint)
                return
            await self.run_and_store(scope, spooled, send, app, principal.user_id, key)
        finally:
            spooled.close()

    async def run_and_store(
        self, scope: Scope, body: Spooled, send: Send, app: Any, user_id: str, key: str
    ) -> None:
        captured: dict[str, Any] = {"status": 500, "type": None, "body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() == b"content-type":
                        captured["type"] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_spooled(body), capture)
        finally:
            # A server error is not an answer worth keeping: let the client retry for real.
            keep = captured["status"] < 500
            try:
                await anyio.to_thread.run_sync(
                    finish, app, user_id, key, captured if keep else None
                )
            except UNAVAILABLE_ERRORS:  # psycopg's, or the event store's translation of them
                # The answer is already sent; the database went away after it. The claim
                # stays open: a retry meanwhile hears "in progress" (409), never a second run
                # until the claim is stale.
                log.warning("idempotency record of %r not stored: database unavailable", key)


def claim(app: Any, user_id: str, key: str, fingerprint: bytes) -> tuple[bool, tuple[Any, ...]]:
    t = table(app, IDEMPOTENCY)

    rows = execute(
        app,
        sql.SQL(
            "INSERT INTO {} AS k (user_id, key, fingerprint) VALUES (%s, %s, %s)"
            " ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,"
            " created_at = now()"
            " WHERE k.status IS NULL AND k.created_at < now() - make_interval(secs => %s)"
            "   AND k.fingerprint = EXCLUDED.fingerprint"
            " RETURNING 1"
        ).format(t),
        (user_id, key, fingerprint, STALE_CLAIM_SECONDS),
    )
    if rows:
        return True, ()
    stored = execute(
        app,
        sql.SQL(
            "SELECT fingerprint, status, content_type, body FROM {} WHERE user_id = %s AND key = %s"
        ).format(t),
        (user_id, key),
    )
    return False, stored[0] if stored else (b"", None, None, None)


def finish(app: Any, user_id: str, key: str, captured: dict[str, Any] | None) -> None:
    t = table(app, IDEMPOTENCY)
    if captured is None:
        execute(
            app, sql.SQL("DELETE FROM {} WHERE user_id = %s AND key = %s").format(t), (user_id, key)
        )
        return
    execute(
        app,
        sql.SQL(
            "UPDATE {} SET status = %s, content_type = %s, body = %s WHERE user_id = %s AND key = %s"
        ).format(t),
        (captured["status"], captured["type"], captured["body"], user_id, key),
    )


async def replay(send: Send, stored: tuple[Any, ...], fingerprint: bytes) -> None:
    stored_fingerprint, status, content_type, body = stored
    if bytes(stored_fingerprint) != fingerprint:
        await send_json(
            send,
            422,
            error_body(
                "idempotency_key_reused",
                "Idempotency-Key này đã dùng cho một yêu cầu khác",
                "this Idempotency-Key was used for a different request",
            ),
        )
        return
    if status is None:
        await send_json(
            send,
            409,
            error_body(
                "idempotency_request_in_progress",
                "Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau",
                "a request with this Idempotency-Key is still in progress; retry later",
            ),
        )
        return
    headers = [(b"idempotent-replayed", b"true")]
    if content_type:
        headers.append((b"content-type", content_type.encode("latin-1")))
    start: Any = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    end: Any = {"type": "http.response.body", "body": bytes(body or b"")}
    await send(end)


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1").strip()
    return None


async def read_body(receive: Receive) -> bytes | None:
    """The whole body, or ``None`` past :data:`MAX_BODY`."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in body_chunks(receive):
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def replay_receive(raw: bytes) -> Receive:
    sent = False

    async def receive() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    start: Any = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json")],
    }
    await send(start)
    end: Any = {"type": "http.response.body", "body": json.dumps(payload).encode()}
    await send(end)


async def security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: security headers on every response the application sends."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    path = scope.get("path", "")
    if not path.startswith("/schema"):
        # The API explorer loads scripts; every other response is data and must not run any.
        headers["content-security-policy"] = API_CSP
    else:
        # The explorer runs its own (vendored) script and nothing from another host.
        headers["content-security-policy"] = DOCS_CSP
    if path.startswith("/api/"):
        headers["cache-control"] = "no-store"
