"""Periodic sealing (issue 13 §4): each province's new events sealed and exported on a timer."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from infra.audit.seals import Seal, signature_holds
from infra.settings import load_settings
from services.audit.sealing import Sealer, seal_new_events
from tests.integration.test_audit_chain import write_history

pytestmark = pytest.mark.integration


def test_the_interval_is_a_setting():
    assert load_settings({}).seal_minutes == 60
    assert load_settings({"CHIBO_SEAL_MINUTES": "15"}).seal_minutes == 15


def test_a_round_seals_only_what_is_new_and_exports_it(app, tenant, container, tmp_path):
    container.settings = replace(container.settings, seal_export_dir=tmp_path / "inspector")
    write_history(app, renames=2)  # events 1–3
    mine = [s for _, s in seal_new_events(container, {tenant.slug})]
    assert [(s.seq, s.first, s.last) for s in mine] == [(1, 1, 3)]
    exported = tmp_path / "inspector" / tenant.slug / f"{tenant.slug}-seal-1.json"
    kept = Seal.from_json(exported.read_text(encoding="utf-8"))
    assert kept.document == mine[0].document
    assert signature_holds(kept)
    assert seal_new_events(container, {tenant.slug}) == []
    write_history(app, renames=1)  # events 4–5
    mine = [s for _, s in seal_new_events(container, {tenant.slug})]
    assert [(s.seq, s.first, s.last) for s in mine] == [(2, 4, 5)]


def test_the_timer_seals_without_anyone_asking(app, tenant, container, tmp_path):
    container.settings = replace(container.settings, seal_export_dir=tmp_path / "out")
    write_history(app, renames=1)
    sealer = Sealer(container, minutes=0.005, only={tenant.slug}).start()  # a round every 0.3 s
    exported = tmp_path / "out" / tenant.slug / f"{tenant.slug}-seal-1.json"
    try:
        for _ in range(300):  # bounded: a missing seal fails instead of hanging
            if exported.exists():
                break
            time.sleep(0.1)
    finally:
        sealer.stop()
    assert exported.exists()
