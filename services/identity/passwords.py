"""Password hashing with argon2 (pwdlib), and the rules a new password must meet."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from domain.base import InvalidValue

MIN_LENGTH = 12
MAX_LENGTH = 256
"""Argon2 work grows with input; a long bound still stops abuse of the login route."""


class WeakPassword(InvalidValue):
    code = "weak_password"


@lru_cache(maxsize=1)
def hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash("chibo-dummy-password-for-timing")


def check_strength(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise WeakPassword(
            f"Mật khẩu phải dài từ {MIN_LENGTH} đến {MAX_LENGTH} ký tự",
            f"a password must be {MIN_LENGTH}–{MAX_LENGTH} characters long",
            field="password",
        )
    if len(set(password)) < 5:
        raise WeakPassword(
            "Mật khẩu quá đơn giản (quá ít ký tự khác nhau)",
            "the password is too simple (too few distinct characters)",
            field="password",
        )


def hash_password(password: str) -> str:
    check_strength(password)
    return hasher().hash(password)


def verify_password(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """Whether it matches, and a new hash when the parameters were upgraded.

    With no stored hash (unknown user) a dummy is checked, so timing does not reveal
    whether a username exists.
    """
    if len(password) > MAX_LENGTH:
        return False, None
    if stored_hash is None:
        hasher().verify(password, _dummy_hash())
        return False, None
    ok, updated = hasher().verify_and_update(password, stored_hash)
    return ok, updated
