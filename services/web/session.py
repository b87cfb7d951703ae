"""Browser sessions for the pages: cookies that carry the API's own tokens, and CSRF tokens.

A page session *is* an API session: login goes through :func:`services.identity.auth.login` (same
accounts, lockout and throttle) and the cookies hold the access and refresh tokens it issues.
The cookies are HttpOnly and SameSite=Strict (Secure over HTTPS) and are read only on page
paths, never under ``/api/``: the JSON API accepts bearer tokens alone, so a cookie can never
be replayed against it by another site. An expired access token is renewed with the refresh
token (rotation as in the API) and the new pair is set on the response.

CSRF: every form carries ``csrf_token`` = HMAC(key, seed) where the seed is a random value in
its own HttpOnly cookie; :func:`check_csrf` compares it for every page POST made with the
session cookie (a bearer-token caller has no ambient credential to abuse).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime
from typing import Any, cast

import anyio
import jwt
from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from domain.base import DomainError
from services.context import PRINCIPAL_KEY, Principal, container_of
from services.errors import Forbidden
from services.identity.tokens import REFRESH_TTL, TokenSigner

log = logging.getLogger(__name__)

ACCESS_COOKIE = "chibo_at"
REFRESH_COOKIE = "chibo_rt"
SEED_COOKIE = "chibo_csrf"
CSRF_FIELD = "csrf_token"
WEB_TOKEN_KEY = "chibo.web_token"  # noqa: S105 — a key in the ASGI scope, not a secret
"""The verified access token of a cookie session, for the pages' calls to the API."""
FROM_COOKIE_KEY = "chibo.from_cookie"
SEED_KEY = "chibo.csrf_seed"
SET_COOKIES_KEY = "chibo.set_cookies"


def is_page_path(path: str) -> bool:
    return not (path.startswith("/api/") or path.startswith("/schema"))


def cookies_of(scope: Scope) -> dict[str, str]:
    from litestar._parsers import parse_cookie_string

    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie_string(value.decode("latin-1"))
    return {}


def is_https(scope: Scope) -> bool:
    return scope.get("scheme") == "https"


def session_cookies(scope: Any, access: str, refresh: str, expires: datetime) -> list[Cookie]:
    """The pair of session cookies; the refresh cookie names its province (``slug:token``)."""
    tenant = unverified_tenant(access) or ""
    secure = is_https(scope)
    return [
        Cookie(
            key=ACCESS_COOKIE,
            value=access,
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure,
        ),
        Cookie(
            key=REFRESH_COOKIE,
            value=f"{tenant}:{refresh}",
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure,
            max_age=int(REFRESH_TTL.total_seconds()),
        ),
    ]


def cleared_cookies() -> list[Cookie]:
    return [
        Cookie(key=name, value="", path="/", httponly=True, samesite="strict", max_age=0)
        for name in (ACCESS_COOKIE, REFRESH_COOKIE)
    ]


def unverified_tenant(token: str) -> str | None:
    """The province named in a token, read before verifying it with that province's key."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    tenant = claims.get("ten")
    return tenant if isinstance(tenant, str) else None


def seed_of(scope: Any) -> str:
    """The CSRF seed the middleware put in the scope (empty outside page paths)."""
    value = scope.get(SEED_KEY, "")
    return value if isinstance(value, str) else ""


def csrf_token(signer: TokenSigner, seed: str) -> str:
    key = hmac.new(signer.master, b"chibo-csrf", hashlib.sha256).digest()
    return hmac.new(key, seed.encode(), hashlib.sha256).hexdigest()


def check_csrf(scope: Scope, signer: TokenSigner, given: str | None) -> None:
    seed = seed_of(scope)
    expected = csrf_token(signer, seed) if seed else ""
    if not given or not expected or not hmac.compare_digest(given, expected):
        raise Forbidden(
            "Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang rồi gửi lại",
            "the form has expired or is not valid; reload the page and send it again",
        )


class WebSessionMiddleware:
    """Page paths: the principal from the session cookies (when no bearer token gave one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = cast("dict[str, Any]", scope)  # a TypedDict union to mypy; we keep our own keys in it
        for key in (WEB_TOKEN_KEY, FROM_COOKIE_KEY, SEED_KEY, SET_COOKIES_KEY):
            raw.pop(key, None)
        if raw["type"] != "http" or not is_page_path(raw.get("path", "")):
            await self.app(scope, receive, send)
            return
        cookies = cookies_of(scope)
        setting: list[Cookie] = []
        raw[SET_COOKIES_KEY] = setting
        seed = cookies.get(SEED_COOKIE, "")
        if not (16 <= len(seed) <= 64 and seed.isalnum()):
            seed = secrets.token_hex(16)
            setting.append(
                Cookie(
                    key=SEED_COOKIE,
                    value=seed,
                    path="/",
                    httponly=True,
                    samesite="strict",
                    secure=is_https(scope),
                )
            )
        raw[SEED_KEY] = seed
        tenant = raw.get("path_params", {}).get("tenant")
        if not isinstance(raw.get(PRINCIPAL_KEY), Principal) and isinstance(tenant, str):
            await self.from_cookies(raw, cookies, tenant, setting)

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start" and setting:
                headers = list(message.get("headers", ()))
                headers += [cookie.to_encoded_header() for cookie in setting]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookies)

    async def from_cookies(
        self, raw: dict[str, Any], cookies: dict[str, str], tenant: str, setting: list[Cookie]
    ) -> None:
        signer: TokenSigner = raw["app"].state.signer
        access = cookies.get(ACCESS_COOKIE, "")
        if access:
            try:
                raw[PRINCIPAL_KEY] = signer.verify(access, tenant)
                raw[WEB_TOKEN_KEY] = access
                raw[FROM_COOKIE_KEY] = True
                return
            except DomainError:
                pass  # expired or for another province: try the refresh token
        slug, _, refresh_token = cookies.get(REFRESH_COOKIE, "").partition(":")
        if slug != tenant or not refresh_token:
            return
        from services.identity import auth

        try:
            container = container_of(raw["app"].state)
            app = await anyio.to_thread.run_sync(container.applications.get, tenant)
            renewed = await anyio.to_thread.run_sync(
                auth.refresh, app, signer, refresh_token, datetime.now(UTC)
            )
        except DomainError:
            setting.extend(cleared_cookies())
            return
        raw[PRINCIPAL_KEY] = renewed.principal
        raw[WEB_TOKEN_KEY] = renewed.access_token
        raw[FROM_COOKIE_KEY] = True
        setting.extend(
            session_cookies(raw, renewed.access_token, renewed.refresh_token, renewed.expires_at)
        )
