"""The per-level views, inspection lists and collections: readers, within the subtree asked
about; the members of a cell read its meetings."""

from __future__ import annotations

from services.security.policy import (
    ADMIN,
    ALL_ROLES,
    READERS,
    PolicyTable,
    T,
    allow,
    members_own_cell,
    unit_in_path,
    unit_in_query,
)

SCOPE_OR_QUERY = (unit_in_query("unit_id", default_to_scope=True),)
"""Views that show the ``unit_id`` asked for, or else the caller's own scope unit."""

POLICIES: PolicyTable = {
    # per-level views and inspection lists: the subtree asked about, or the caller's own
    ("GET", f"{T}/views/level"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/views/lists"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/views/lists/{{list_name}}"): allow(*READERS, units=SCOPE_OR_QUERY),
    # collections (danh mục, services.views.collections)
    ("GET", f"{T}/units"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/units/{{unit_id}}/members"): allow(*READERS, units=(unit_in_path("unit_id"),)),
    # a member reads her own cell's meetings (her scope is her cell)
    ("GET", f"{T}/units/{{unit_id}}/meetings"): allow(
        *ALL_ROLES, units=(members_own_cell(unit_in_path("unit_id")),)
    ),
    # a cell's yearly quality rating (issue 12 §4): readers of the subtree and its members
    ("GET", f"{T}/units/{{unit_id}}/quality/year"): allow(
        *ALL_ROLES, units=(members_own_cell(unit_in_path("unit_id")),)
    ),
    ("GET", f"{T}/admissions"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/supervision/petitions"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/supervision/plans"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/supervision/assignments"): allow(*READERS, units=SCOPE_OR_QUERY),
    ("GET", f"{T}/supervision/my-assignments"): allow(*ALL_ROLES, own_data=True),
    ("GET", f"{T}/users"): allow(ADMIN, units=SCOPE_OR_QUERY),
}
