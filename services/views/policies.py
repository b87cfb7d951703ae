"""The per-level views and inspection lists: readers, within the subtree asked about."""

from __future__ import annotations

from services.security.policy import READERS, PolicyTable, T, allow, unit_in_query

SCOPE_OR_QUERY = (unit_in_query("unit_id", default_to_scope=True),)
"""Views that show the ``unit_id`` asked for, or else the caller's own scope unit."""

POLICIES: PolicyTable = {
    # per-level views and inspection lists: the subtree asked about, or the caller's own
    ("GET", f"{T}/views/level"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/views/lists"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/views/lists/{{list_name}}"): allow(*READERS, units=SCOPE_OR_QUERY),
}
