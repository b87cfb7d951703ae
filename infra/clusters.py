"""Database clusters (cụm cơ sở dữ liệu) a province can be placed on (issue 14 §3).

The **main** cluster is ``DATABASE_URL`` (or the embedded server): it holds the catalog, which
records each province's placement (``chibo_catalog.tenants.cluster``). Other clusters are named
in ``CHIBO_CLUSTERS`` (``name=postgresql://…`` pairs separated by spaces or ``;``). A province's
schema, events, read models and role live wholly on its cluster; nothing joins across two.

The process keeps one :class:`~infra.database.Database` (and so one pool) per cluster, set up
by the wiring (:func:`configure`); every path that works on a province asks
:func:`database_for` with the placement the catalog gave, never assumes the main one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping

from domain.base import InvalidValue
from infra.database import Database

MAIN = "main"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")

_clusters: dict[str, Database] = {}
_lock = threading.Lock()


class UnknownCluster(InvalidValue):
    code = "unknown_cluster"


def parse(text: str) -> dict[str, str]:
    """``CHIBO_CLUSTERS``: ``"east=postgresql://… west=postgresql://…"`` → name → URL."""
    found: dict[str, str] = {}
    for item in re.split(r"[\s;]+", text.strip()):
        if not item:
            continue
        name, sep, url = item.partition("=")
        if not sep or not NAME.fullmatch(name) or name == MAIN or not url:
            raise ValueError(
                "CHIBO_CLUSTERS: từng mục dạng tên=postgresql://… (tên a–z, 0–9, _; khác 'main')"
                f" / each item is name=postgresql://… (name a–z, 0–9, _; not 'main'): {item!r}"
            )
        found[name] = url
    return found


def configure(clusters: Mapping[str, Database]) -> None:
    """This process's clusters besides the main one (replaces what was configured)."""
    with _lock:
        _clusters.clear()
        _clusters.update(clusters)


def register(name: str, database: Database) -> None:
    with _lock:
        _clusters[name] = database


def unregister(name: str) -> Database | None:
    with _lock:
        return _clusters.pop(name, None)


def names() -> list[str]:
    with _lock:
        return [MAIN, *sorted(_clusters)]


def database_for(main: Database, cluster: str) -> Database:
    """The database of ``cluster``; ``main`` itself for the main cluster."""
    if cluster == MAIN:
        return main
    with _lock:
        found = _clusters.get(cluster)
    if found is None:
        raise UnknownCluster(
            f"Không có cụm cơ sở dữ liệu «{cluster}» (CHIBO_CLUSTERS)",
            f"no database cluster '{cluster}' (CHIBO_CLUSTERS)",
            cluster=cluster,
        )
    return found


def close_all() -> None:
    with _lock:
        databases = list(_clusters.values())
    for database in databases:
        database.close_pool()
