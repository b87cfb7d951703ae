"""Accounts, tokens, passwords and login throttling, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import jwt
import pytest

from domain.base import SYSTEM
from domain.user import Role, UserAccount, account_id
from domain.user_errors import InvalidUsername, MemberLinkRequired, ScopeRequired
from infra.settings import Settings
from services.context import Principal
from services.identity.passwords import WeakPassword, hash_password, verify_password
from services.identity.ratelimit import LoginThrottle, Throttled
from services.identity.tokens import (
    TokenExpired,
    TokenInvalid,
    TokenSigner,
    load_master_secret,
    new_refresh_token,
    parse_refresh_token,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SIGNER = TokenSigner(b"s" * 48)


def test_usernames_are_normalised_and_give_a_stable_id():
    account = UserAccount.open(" Ha.Nguyen ", "", Role.AUDITOR, None, None, SYSTEM)
    assert account.username == "ha.nguyen"
    assert account.id == account_id("HA.NGUYEN")
    with pytest.raises(InvalidUsername):
        UserAccount.open("hà", "", Role.AUDITOR, None, None, SYSTEM)


def test_scoped_roles_need_a_scope_and_members_a_member_record():
    with pytest.raises(ScopeRequired):
        UserAccount.open("thu.ky", "", Role.SECRETARY, None, None, SYSTEM)
    with pytest.raises(MemberLinkRequired):
        UserAccount.open("dang.vien", "", Role.MEMBER, uuid4(), None, SYSTEM)
    account = UserAccount.open("admin", "", Role.TENANT_ADMIN, None, None, SYSTEM)
    with pytest.raises(ScopeRequired) as refused:
        account.grant(Role.INSPECTOR, None, None, SYSTEM)
    # Issue 12 §5: the role in words, never its code ("inspector").
    assert refused.value.vi == "Vai trò «ủy ban kiểm tra» phải gắn với một tổ chức đảng (phạm vi)"


def test_a_lock_ends_at_its_time_and_unlock_lifts_it():
    account = UserAccount.open("admin", "", Role.TENANT_ADMIN, None, None, SYSTEM)
    account.lock("thử", NOW + timedelta(minutes=15), SYSTEM)
    assert account.is_locked(NOW)
    assert not account.is_locked(NOW + timedelta(minutes=16))
    account.unlock(SYSTEM)
    assert not account.is_locked(NOW)
    account.lock("nghỉ việc", None, SYSTEM)
    assert account.is_locked(NOW + timedelta(days=999))


def test_password_changed_event_carries_no_hash():
    account = UserAccount.open("admin", "", Role.TENANT_ADMIN, None, None, SYSTEM)
    account.password_changed(SYSTEM)
    event = account.collect_events()[-1]
    assert type(event).__name__ == "PasswordChanged"
    assert not any("hash" in name or "password" in name for name in vars(event))


def principal(tenant: str = "ha_noi", **kwargs) -> Principal:
    return Principal(user_id="u1", role="secretary", tenant=tenant, scope_unit_id=uuid4(), **kwargs)


def test_a_token_round_trips_its_claims():
    issued = principal()
    text, _ = SIGNER.issue(issued)
    assert SIGNER.verify(text, "ha_noi") == issued


def test_a_token_does_not_verify_for_another_tenant():
    text, _ = SIGNER.issue(principal("ha_noi"))
    with pytest.raises(TokenInvalid):
        SIGNER.verify(text, "hai_phong")


def test_an_expired_token_is_refused():
    text, _ = SIGNER.issue(principal(), now=datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(TokenExpired):
        SIGNER.verify(text, "ha_noi")


def test_a_token_signed_with_another_key_or_alg_none_is_refused():
    text, _ = TokenSigner(b"o" * 48).issue(principal())
    with pytest.raises(TokenInvalid):
        SIGNER.verify(text, "ha_noi")
    unsigned = jwt.encode(
        {"sub": "u1", "ten": "ha_noi", "rol": "tenant_admin"}, None, algorithm="none"
    )
    with pytest.raises(TokenInvalid):
        SIGNER.verify(unsigned, "ha_noi")


def test_a_token_with_an_unknown_role_is_refused():
    text = jwt.encode(
        {
            "iss": "chibo",
            "aud": "chibo:ha_noi",
            "sub": "u",
            "ten": "ha_noi",
            "rol": "root",
            "iat": int(NOW.timestamp()),
            "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
        },
        SIGNER.key_for("ha_noi"),
        algorithm="HS256",
    )
    with pytest.raises(TokenInvalid):
        SIGNER.verify(text, "ha_noi")


def test_the_generated_secret_is_kept_private_and_reused(tmp_path: Path):
    settings = Settings(database_url=None, data_dir=tmp_path, broker_url=None)
    first = load_master_secret(settings)
    assert load_master_secret(settings) == first
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError):
        load_master_secret(
            Settings(database_url=None, data_dir=tmp_path, broker_url=None, jwt_secret="short")
        )


def test_refresh_tokens_parse_back_and_reject_garbage():
    token = new_refresh_token()
    assert parse_refresh_token(str(token)) == token
    with pytest.raises(TokenInvalid):
        parse_refresh_token("not-a-token")


def test_passwords_hash_with_argon2_and_weak_ones_are_refused():
    stored = hash_password("một-mật-khẩu-tốt")
    assert stored.startswith("$argon2")
    assert verify_password("một-mật-khẩu-tốt", stored)[0]
    assert not verify_password("sai", stored)[0]
    assert not verify_password("bất kỳ", None)[0]
    with pytest.raises(WeakPassword):
        hash_password("ngắn")
    with pytest.raises(WeakPassword):
        hash_password("aaaaaaaaaaaaaaaa")


def test_the_client_window_throttles_and_then_reopens():
    throttle = LoginThrottle(attempts_per_client=2)
    throttle.check_client("1.2.3.4", NOW)
    throttle.check_client("1.2.3.4", NOW)
    with pytest.raises(Throttled) as refused:
        throttle.check_client("1.2.3.4", NOW)
    assert refused.value.retry_after > 0
    throttle.check_client("1.2.3.4", NOW + timedelta(minutes=6))
    throttle.check_client("5.6.7.8", NOW)


def test_unknown_usernames_are_throttled_after_the_lockout_threshold():
    throttle = LoginThrottle(failures_per_username=2)
    throttle.failed("t", "ai.do", NOW)
    throttle.check_username("t", "ai.do", NOW)
    throttle.failed("t", "ai.do", NOW)
    with pytest.raises(Throttled):
        throttle.check_username("t", "ai.do", NOW)
    throttle.check_username("t", "ai.do", NOW + timedelta(minutes=16))
