"""Every projection the engine runs, and every rollup figure source the per-level view joins.

Other features append here: a projection to :func:`all_projections`, the per-cell,
per-month table it keeps to :func:`figure_sources` (so the per-level view, báo cáo theo cấp,
gains its columns without the view code changing) and its lists to :func:`list_specs`.
"""

from __future__ import annotations

from projections.base import Projection
from projections.lists import ListSpec
from projections.rollups import Source


def all_projections() -> list[Projection]:
    from projections.audit_chain import AUDIT_CHAIN
    from projections.audit_trail import AUDIT_TRAIL
    from projections.deadlines import DEADLINES
    from projections.meetings import MEETINGS
    from projections.org_tree import ORG_TREE
    from projections.papers import PAPERS
    from projections.rollup import ROLLUP
    from projections.roster import ROSTER
    from projections.supervision import SUPERVISION
    from projections.users import USERS

    # A projection that reads others' tables (``depends_on``) comes after them.
    return [
        ORG_TREE,
        ROSTER,
        MEETINGS,
        ROLLUP,
        DEADLINES,
        SUPERVISION,
        USERS,
        PAPERS,
        AUDIT_TRAIL,
        AUDIT_CHAIN,
    ]


def figure_sources() -> list[Source]:
    from projections import admissions_figures, supervision_figures
    from projections.papers import PAPER_FIGURES
    from projections.rollup import MEETING_FIGURES

    return [
        MEETING_FIGURES,
        *supervision_figures.SOURCES,
        *admissions_figures.SOURCES,
        PAPER_FIGURES,
    ]


def list_specs() -> list[ListSpec]:
    """Every list of the query API (non-compliance lists, the register); others append."""
    from projections import admissions_figures, supervision_figures
    from projections.lists import BUILT_IN
    from projections.papers import NOT_POSTED_ONE_DAY_BEFORE

    return [
        *BUILT_IN,
        *supervision_figures.LISTS,
        *admissions_figures.LISTS,
        NOT_POSTED_ONE_DAY_BEFORE,
    ]


def list_named(name: str) -> ListSpec | None:
    """The list of that name; a renamed list still answers to its old name (lists.RENAMED)."""
    from projections.lists import RENAMED

    name = RENAMED.get(name, name)
    return next((spec for spec in list_specs() if spec.name == name), None)


def dependents(name: str) -> list[Projection]:
    """Projections that read ``name``'s tables (``depends_on``), directly or not, in order:
    rebuilding ``name`` leaves them computed from tables since replaced, so they follow it."""
    found: list[Projection] = []
    names = {name}
    for projection in all_projections():  # registry order puts dependents after what they read
        if names & set(getattr(projection, "depends_on", ())):
            found.append(projection)
            names.add(projection.name)
    return found


def projection_named(name: str) -> Projection:
    for projection in all_projections():
        if projection.name == name:
            return projection
    known = ", ".join(p.name for p in all_projections())
    raise KeyError(f"không có projection «{name}» / no projection '{name}' (known: {known})")
