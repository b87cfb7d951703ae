"""Page benchmark at the synthetic province's scale (6,000 cells at ``--scale 1``); not a test.

    .venv/bin/python -m bench.pages_synthetic [--scale 1] [--repeat 20] [--reuse]

Loads the synthetic province (``bench/synthetic.py``, the same log as the projection
benchmark; ``--reuse`` keeps an earlier load of the same seed and scale), brings every
projection up to date, opens four accounts in it (an inspector scoped to the root, since her
role needs a scope; an auditor and an administrator province-wide; the secretary of one cell),
signs in through the login form and, for each page, prints:

* its weight: the HTML plus every stylesheet, script and font it loads, without a cache
  (target < 150 KB);
* its render time, p50 and p95 over ``--repeat`` requests (target p95 < 300 ms);
* the baseline, measured in the same run: the JSON API request the page reads, with a bearer
  token, p95, and the page/API ratio (what rendering and the in-process API call add).

The pages: the per-level view at the root and at a committee over the year, a
non-compliance list over the year, the audit trail and one meeting's history, the secretary's
home, her cell's members and one of her meetings, and the administrator's home (the org tree at
the root, then at a committee, whose move form lists every unit it may move under).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from typing import Any

from litestar.testing import TestClient

from bench.load import province
from bench.pages import p95, sign_in, timed, weight
from bench.synthetic import Shape
from bench.synthetic_meetings import YEAR
from domain.base import SYSTEM
from domain.user import Role
from infra.settings import load_settings
from projections import engine
from projections.registry import all_projections
from services.app import create_app
from services.bootstrap import build_container
from services.demo import exists
from services.identity import auth

PASSWORD = "bench-pages-synthetic"
UUID = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")
ACCOUNTS = (
    ("kiemtra", Role.INSPECTOR),
    ("kiemtoan", Role.AUDITOR),
    ("bithu", Role.SECRETARY),
    ("quantri", Role.TENANT_ADMIN),
)


def places(container: Any, schema: str) -> dict[str, Any]:
    """The root, a committee under it, a cell with a closed meeting, and that meeting."""
    with container.database.connect() as conn:
        root = conn.execute(
            f'SELECT id FROM "{schema}".org_units WHERE parent_id IS NULL'
        ).fetchone()
        direct = conn.execute(
            f'SELECT id FROM "{schema}".org_units WHERE parent_id = %s ORDER BY name LIMIT 1',
            (root[0],),
        ).fetchone()
        meeting = conn.execute(
            f'SELECT id, cell_id FROM "{schema}".meetings WHERE closed ORDER BY id LIMIT 1'
        ).fetchone()
    return {"root": root[0], "direct": direct[0], "meeting": meeting[0], "cell": meeting[1]}


def open_accounts(container: Any, slug: str, at: dict[str, Any]) -> None:
    """The inspector at the root (her role needs a scope), the auditor and the administrator
    province-wide, the secretary of the cell."""
    app = container.applications.get(slug)
    scopes = {
        Role.INSPECTOR: at["root"],
        Role.AUDITOR: None,
        Role.SECRETARY: at["cell"],
        Role.TENANT_ADMIN: None,
    }
    for username, role in ACCOUNTS:
        if not exists(app, username):
            auth.create_user(
                app, SYSTEM, username=username, password=PASSWORD, role=role,
                scope_unit_id=scopes[role], display_name=username.title(),
            )  # fmt: skip


def pages(slug: str, at: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    t, a = f"/t/{slug}", f"/api/v1/t/{slug}"
    tree = "depth=1&include_dissolved=true&limit=200"
    year = f"kind=year&period={YEAR}&as_of={YEAR}-12-31"
    return [
        ("kiemtra", f"{t}/level?{year}", f"{a}/views/level?period={YEAR}&as_of={YEAR}-12-31"),
        ("kiemtra", f"{t}/level?unit_id={at['direct']}&{year}",
         f"{a}/views/level?unit_id={at['direct']}&period={YEAR}&as_of={YEAR}-12-31"),
        ("kiemtra", f"{t}/lists/cells_without_regular_meeting?{year}",
         f"{a}/views/lists/cells_without_regular_meeting?period={YEAR}&as_of={YEAR}-12-31"),
        ("kiemtra", f"{t}/lists/meetings?{year}",
         f"{a}/views/lists/meetings?period={YEAR}&as_of={YEAR}-12-31"),
        ("kiemtoan", f"{t}/audit", f"{a}/audit/trail?limit=50"),
        ("kiemtoan", f"{t}/audit/aggregates/{at['meeting']}",
         f"{a}/audit/aggregates/{at['meeting']}"),
        ("bithu", f"{t}/", None),
        ("bithu", f"{t}/units/{at['cell']}/members", f"{a}/units/{at['cell']}/roster"),
        ("bithu", f"{t}/meetings/{at['meeting']}", f"{a}/meetings/{at['meeting']}"),
        ("quantri", f"{t}/admin/units", f"{a}/units?{tree}"),
        ("quantri", f"{t}/admin/units?unit_id={at['direct']}",
         f"{a}/units?unit_id={at['direct']}&{tree}"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 6,000 cells")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep an earlier load")
    args = parser.parse_args()
    container = build_container(load_settings())
    try:
        shape = Shape(scale=args.scale)
        began = time.perf_counter()
        loaded = province(container, shape, args.reuse)
        schema = loaded.tenant.schema
        for done in engine.catch_up_all(container.database, schema, all_projections()):
            assert done.error is None, done.error
        print(f"province ×{shape.scale:g}: {loaded.events:,} events, loaded and projected "
              f"in {time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip
        at = places(container, schema)
        open_accounts(container, shape.slug, at)
        run(container, shape.slug, at, args.repeat)
    finally:
        container.close()


def run(container: Any, slug: str, at: dict[str, Any], repeat: int) -> None:
    with TestClient(create_app(container)) as client:
        print("| Page | Weight KB | p50 ms | p95 ms | API p95 ms | p95 ratio |")
        print("|---|---:|---:|---:|---:|---:|")
        for username, page, api in pages(slug, at):
            sign_in(client, username, PASSWORD, slug)
            first = client.get(page)
            assert first.status_code == 200, (page, first.status_code, first.text[:300])
            kb = weight(client, first.text) / 1024
            times = timed(client, page, repeat)
            shown = UUID.sub("{id}", page.split("?")[0].replace(slug, "{tỉnh}"))
            if "unit_id=" in page:
                shown += " (committee)"
            line = f"| `{shown}` | {kb:.1f} | {statistics.median(times):.0f} | {p95(times):.0f}"
            if api:
                token = client.post(
                    f"/api/v1/t/{slug}/auth/login",
                    json={"username": username, "password": PASSWORD},
                ).json()["access_token"]
                base = timed(client, api, repeat, headers={"Authorization": f"Bearer {token}"})
                line += f" | {p95(base):.0f} | {p95(times) / p95(base):.2f} |"
            else:
                line += " | — | — |"
            print(line, flush=True)


if __name__ == "__main__":
    main()
