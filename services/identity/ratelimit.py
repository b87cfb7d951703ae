"""Login throttling in sliding windows: per account, per client address, failures per unknown name.

In-process (each API replica counts its own). Real accounts are protected by the lockout kept
in the database, which holds across replicas and which an administrator can lift; unknown
usernames are throttled here at the same threshold, so a 429 does not tell an attacker which
usernames exist.

Per address the limit is sized for an office: a provincial office of a few hundred people
behind one NAT address signs in on a Monday morning without locking itself out (600 attempts
in 5 minutes), while guessing is stopped per account (10 attempts in 5 minutes, whether the
account exists or not) and by the lockout after 5 wrong passwords.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from domain.base import DomainError

FAILURES_PER_USERNAME = 5
ATTEMPTS_PER_CLIENT = 600
ATTEMPTS_PER_ACCOUNT = 10
WINDOW = timedelta(minutes=15)
CLIENT_WINDOW = timedelta(minutes=5)
MAX_KEYS = 100_000
"""Bound on remembered keys, so a flood of random usernames cannot exhaust memory."""


class Throttled(DomainError):
    """Too many attempts (HTTP 429, with ``Retry-After``)."""

    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(
            f"Quá nhiều lần thử đăng nhập; hãy thử lại sau {minutes} phút",
            f"too many sign-in attempts; try again in {minutes} min",
            retry_after=retry_after,
        )
        self.retry_after = retry_after


class LoginThrottle:
    def __init__(
        self,
        failures_per_username: int = FAILURES_PER_USERNAME,
        attempts_per_client: int = ATTEMPTS_PER_CLIENT,
        attempts_per_account: int = ATTEMPTS_PER_ACCOUNT,
    ) -> None:
        self.failures_per_username = failures_per_username
        self.attempts_per_client = attempts_per_client
        self.attempts_per_account = attempts_per_account
        self._failures: dict[tuple[str, str], deque[datetime]] = {}
        self._attempts: dict[str, deque[datetime]] = {}
        self._account_attempts: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = threading.Lock()

    def check_client(self, client: str, now: datetime) -> None:
        """Count this attempt for the client (an address); refuse when its window is full."""
        with self._lock:
            self._trim_keys()
            _admit(self._attempts.setdefault(client, deque()), self.attempts_per_client, now)

    def check_account(self, tenant: str, username: str, now: datetime) -> None:
        """Count this attempt for the account name (known or not); refuse when its window is full."""
        with self._lock:
            _admit(
                self._account_attempts.setdefault((tenant, username), deque()),
                self.attempts_per_account,
                now,
            )

    def check_username(self, tenant: str, username: str, now: datetime) -> None:
        """For usernames without an account: the same threshold as the account lockout."""
        with self._lock:
            failures = self._failures.get((tenant, username))
            if failures is not None:
                _expire(failures, now - WINDOW)
                if len(failures) >= self.failures_per_username:
                    raise Throttled(_seconds_until(failures[0] + WINDOW, now))

    def failed(self, tenant: str, username: str, now: datetime) -> None:
        with self._lock:
            self._failures.setdefault((tenant, username), deque()).append(now)

    def _trim_keys(self) -> None:
        if len(self._failures) > MAX_KEYS:
            self._failures.clear()
        if len(self._attempts) > MAX_KEYS:
            self._attempts.clear()
        if len(self._account_attempts) > MAX_KEYS:
            self._account_attempts.clear()


def _expire(window: deque[datetime], horizon: datetime) -> None:
    while window and window[0] <= horizon:
        window.popleft()


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now).total_seconds()))


def _admit(attempts: deque[datetime], limit: int, now: datetime) -> None:
    """Count this attempt in its sliding window; refuse when the window is already full."""
    _expire(attempts, now - CLIENT_WINDOW)
    if len(attempts) >= limit:
        raise Throttled(_seconds_until(attempts[0] + CLIENT_WINDOW, now))
    attempts.append(now)
