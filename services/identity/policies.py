"""Sign-in is open (rate-limited); each account sees its own; the administrator manages users."""

from __future__ import annotations

from services.security.policy import ADMIN, ALL_ROLES, Policy, PolicyTable, T, allow

POLICIES: PolicyTable = {
    # identity
    ("POST", f"{T}/auth/login"): Policy.open_to_all("password login, rate-limited"),
    ("POST", f"{T}/auth/refresh"): Policy.open_to_all("refresh token rotation"),
    ("POST", f"{T}/auth/logout"): allow(*ALL_ROLES, own_data=True),
    ("GET", f"{T}/auth/me"): allow(*ALL_ROLES, own_data=True),
    ("POST", f"{T}/users"): allow(ADMIN),
    ("POST", f"{T}/users/{{user_id}}/role"): allow(ADMIN),
    ("POST", f"{T}/users/{{user_id}}/unlock"): allow(ADMIN),
}
