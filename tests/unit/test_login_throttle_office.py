"""The login throttle: an office behind one address is not locked out; guessing one account is.

And the address counted: ``X-Forwarded-For`` only from proxies named in the settings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.settings import load_settings
from services.identity.ratelimit import ATTEMPTS_PER_ACCOUNT, LoginThrottle, Throttled
from services.security.clientaddr import client_address

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # a Monday, 08:00 in Hà Nội


def test_three_hundred_people_behind_one_address_all_sign_in_on_monday_morning():
    throttle = LoginThrottle()
    for person in range(300):
        at = NOW + timedelta(seconds=person)
        throttle.check_client("203.0.113.7", at)
        throttle.check_account("demo", f"user{person}", at)


def test_one_account_is_throttled_whatever_the_address():
    throttle = LoginThrottle()
    for attempt in range(ATTEMPTS_PER_ACCOUNT):
        throttle.check_account("demo", "bithu", NOW + timedelta(seconds=attempt))
    with pytest.raises(Throttled) as refused:
        throttle.check_account("demo", "bithu", NOW + timedelta(seconds=30))
    assert refused.value.retry_after > 0
    throttle.check_account("demo", "other", NOW + timedelta(seconds=30))  # others unaffected
    throttle.check_account("other_province", "bithu", NOW + timedelta(seconds=30))
    throttle.check_account("demo", "bithu", NOW + timedelta(minutes=6))  # the window slides


def test_forwarded_for_is_believed_only_from_a_named_proxy():
    proxies = ("10.0.0.0/8",)
    assert client_address("10.1.2.3", "198.51.100.9", proxies) == "198.51.100.9"
    # A client sending the header itself is counted by its own address.
    assert client_address("198.51.100.9", "1.2.3.4", proxies) == "198.51.100.9"
    # No proxies named: the header is ignored.
    assert client_address("10.1.2.3", "198.51.100.9", ()) == "10.1.2.3"
    # A forged left-most entry does not help: the right-most untrusted hop is the client.
    assert client_address("10.1.2.3", "1.1.1.1, 198.51.100.9, 10.9.9.9", proxies) == "198.51.100.9"
    assert client_address("10.1.2.3", "garbage", proxies) == "10.1.2.3"


def test_trusted_proxies_come_from_the_settings():
    settings = load_settings({"CHIBO_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16"})
    assert settings.trusted_proxies == ("10.0.0.1", "192.168.0.0/16")
    assert load_settings({}).trusted_proxies == ()
