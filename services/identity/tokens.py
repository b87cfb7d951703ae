"""Access tokens (short-lived JWT) and refresh tokens (opaque, rotating, stored hashed).

Each tenant signs with its own key, derived from one master secret with HMAC: a token issued
for one province does not even verify for another, before any claim is compared.
The master secret comes from ``CHIBO_JWT_SECRET`` or is generated once under the data folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import jwt

from domain.user import Role
from infra.settings import Settings
from services.context import Principal
from services.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "chibo"
ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=14)
SECRET_FILE = "jwt_secret"  # noqa: S105 — a file name, not a secret
MIN_SECRET_LENGTH = 32


class TokenExpired(Unauthenticated):
    code = "token_expired"


class TokenInvalid(Unauthenticated):
    code = "token_invalid"


def load_master_secret(settings: Settings) -> bytes:
    """The configured secret, or one generated once and kept (mode 0600) under ``data_dir``."""
    if settings.jwt_secret:
        if len(settings.jwt_secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"CHIBO_JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters")
        return settings.jwt_secret.encode()
    path = Path(settings.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return path.read_bytes().strip()


@dataclass(frozen=True, slots=True)
class TokenSigner:
    master: bytes
    access_ttl: timedelta = ACCESS_TTL

    def key_for(self, tenant: str) -> bytes:
        return hmac.new(self.master, b"chibo-access:" + tenant.encode(), hashlib.sha256).digest()

    def issue(self, principal: Principal, now: datetime | None = None) -> tuple[str, datetime]:
        issued = now or datetime.now(UTC)
        expires = issued + self.access_ttl
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": audience(principal.tenant),
            "sub": principal.user_id,
            "ten": principal.tenant,
            "rol": principal.role,
            "scp": str(principal.scope_unit_id) if principal.scope_unit_id else None,
            "mem": str(principal.member_id) if principal.member_id else None,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": uuid4().hex,
        }
        return jwt.encode(claims, self.key_for(principal.tenant), algorithm=ALGORITHM), expires

    def verify(self, token: str, tenant: str) -> Principal:
        """The principal in a token for ``tenant``; 401 on anything wrong."""
        try:
            claims = jwt.decode(
                token,
                self.key_for(tenant),
                algorithms=[ALGORITHM],
                audience=audience(tenant),
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenExpired(
                "Phiên đăng nhập đã hết hạn; hãy làm mới hoặc đăng nhập lại",
                "the access token has expired; refresh it or sign in again",
            ) from error
        except jwt.PyJWTError as error:
            raise invalid_token() from error
        try:
            role = Role(claims["rol"])
            scope = UUID(claims["scp"]) if claims.get("scp") else None
            member = UUID(claims["mem"]) if claims.get("mem") else None
        except (KeyError, ValueError, TypeError) as error:
            raise invalid_token() from error
        if claims.get("ten") != tenant:
            raise invalid_token()
        return Principal(
            user_id=str(claims["sub"]),
            role=role.value,
            tenant=tenant,
            scope_unit_id=scope,
            member_id=member,
        )


def audience(tenant: str) -> str:
    return f"chibo:{tenant}"


def invalid_token() -> TokenInvalid:
    return TokenInvalid("Mã xác thực không hợp lệ", "the access token is invalid")


# -- refresh tokens --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """``<id>.<secret>``: the id finds the row, only a hash of the secret is stored."""

    id: UUID
    secret: str

    def __str__(self) -> str:
        return f"{self.id.hex}.{self.secret}"

    @property
    def digest(self) -> bytes:
        return digest(self.secret)


def new_refresh_token() -> RefreshToken:
    return RefreshToken(uuid4(), secrets.token_urlsafe(32))


def parse_refresh_token(text: str) -> RefreshToken:
    head, _, secret = text.strip().partition(".")
    try:
        token_id = UUID(hex=head)
    except ValueError as error:
        raise invalid_refresh() from error
    if not secret or len(secret) > 100:
        raise invalid_refresh()
    return RefreshToken(token_id, secret)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def invalid_refresh() -> TokenInvalid:
    return TokenInvalid(
        "Mã làm mới không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại",
        "the refresh token is invalid or expired; sign in again",
    )
