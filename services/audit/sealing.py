"""Periodic sealing (niêm phong định kỳ): every N minutes, seal each province's new events.

A seal is only worth something if someone outside keeps a copy. This job, run by the
process that runs the workers, seals whatever each province wrote since its last seal
(:func:`infra.audit.seals.create_seal`; nothing new, no seal) and writes each new seal to
``<seal_export_dir>/<province>/<province>-seal-<seq>.json`` (the same file as
``chibo audit seals``), where an inspector's copy job or a mounted volume picks it up.
Several workers may run it: the seal's advisory lock and "only what is new" make a second
one find nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from pathlib import Path
from typing import Any

from infra.audit.keys import key_store_for
from infra.audit.seals import Seal, create_seal
from infra.tenancy import list_tenants

log = logging.getLogger(__name__)


def export_path(directory: Path, slug: str, seal: Seal) -> Path:
    return directory / slug / f"{slug}-seal-{seal.seq}.json"


def seal_new_events(container: Any, only: Collection[str] | None = None) -> list[tuple[str, Seal]]:
    """One round: seal and export every province's (or ``only`` these provinces') new events;
    a failure skips that province until the next round."""
    settings = container.settings
    keys = key_store_for(settings.data_dir)
    directory = settings.seal_export_dir or settings.data_dir / "seals"
    sealed: list[tuple[str, Seal]] = []
    for tenant in list_tenants(container.database):
        if only is not None and tenant.slug not in only:
            continue
        try:
            with container.database_of(tenant).connect() as conn:
                seal = create_seal(conn, tenant.schema, keys)
        except Exception:
            log.exception("sealing %s failed; it is tried again next round", tenant.slug)
            continue
        if seal is None:
            continue
        path = export_path(directory, tenant.slug, seal)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(seal.to_json() + "\n", encoding="utf-8")
        log.info("sealed %s #%s (#%s–#%s) → %s", tenant.slug, seal.seq, seal.first, seal.last, path)
        sealed.append((tenant.slug, seal))
    return sealed


class Sealer:
    """The timer thread: a round every ``minutes`` (from the settings) until stopped."""

    def __init__(self, container: Any, minutes: float, only: Collection[str] | None = None) -> None:
        self.container = container
        self.only = only
        self.seconds = minutes * 60
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="chibo-sealer", daemon=True)

    def start(self) -> Sealer:
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stopping.wait(self.seconds):
            try:
                seal_new_events(self.container, self.only)
            except Exception:  # the catalog unreachable: the next round tries again
                log.exception("periodic sealing failed")

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()


def start_sealing(container: Any) -> Sealer | None:
    """Start the periodic job if the settings ask for one (``seal_minutes`` > 0)."""
    minutes = container.settings.seal_minutes
    return Sealer(container, minutes).start() if minutes > 0 else None
