"""Wire type of the collections (danh mục): one page of rows and the cursor of the next."""

from __future__ import annotations

from typing import Any

import msgspec


class CollectionPage(msgspec.Struct):
    """One page of a collection, sorted and filtered as asked.

    ``items`` carry names beside every id (unit, cell, member, assignee), so a page shows
    no bare identifiers. ``next_cursor`` is ``None`` on the last page.
    """

    name: str
    items: list[dict[str, Any]]
    next_cursor: str | None
    positions: dict[str, int]
    """Each projection read, at the log position it had reached."""
