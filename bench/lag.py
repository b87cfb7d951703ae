"""How soon a view shows a write: acknowledgement to the per-level view (issue 14 §2).

    python -m bench.lag [--seconds 8] [--rates 20] [--provinces 8] [--half-max]

One API process (uvicorn in a thread, the projection workers in-process on the stub broker, as
``chibo serve`` runs) serves ``--provinces`` provinces, each with a cell of six members. Per
province a writer sends meeting commands over HTTP at a paced rate (the rate given is for all
provinces together): schedule a month's meeting, open it, mark attendance, record an opinion
and the minutes, close it, then the next month. Right after each acknowledgement a reader asks
``GET /views/level?min_position=<the write's position>&wait_ms=5000``; the lag of a write is
the time from its acknowledgement to that answer, so it includes the view's own query.

Each rate runs twice in the same run:

- ``notify``: wake-ups coalesced per province (one round of every projection), progress
  announced by ``NOTIFY chibo_progress``, which wakes the read-your-writes wait;
- ``before``: the previous path as the baseline: every commit fans out into one message per
  projection (``wakeups="pairs"``) and the wait polls the checkpoints (no listener).

``--half-max`` first finds the maximum sustained rate (the current path only: rates doubled
from 20, then halved back once between the last held and the first missed; "held" is under 5%
of writes started late), then adds half of it to the rates measured.

Goals: p50 ≤ 100 ms at 20 commands/s; p99 ≤ 500 ms at half the maximum sustained rate.
Figures are medians of one run on this machine; compare the two modes within a run, not
across machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.server import admin_token, container_for, database_for, serving
from services import workers
from services.bootstrap import Container

P50_GOAL_MS = 100.0
P99_GOAL_MS = 500.0
MEMBERS = 6


@dataclass
class Province:
    slug: str
    headers: dict[str, str]
    root: str
    cell: str
    members: list[str]


@dataclass
class Measured:
    lags: list[float] = field(default_factory=list)
    writes: int = 0
    refused: list[str] = field(default_factory=list)
    late_starts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def created(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 201:
        raise SystemExit(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


def seed(client: httpx.Client, container: Container, index: int) -> Province:
    tenant, _ = container.provision(
        f"bench_lag{index:02d}_{time.time_ns() % 10**6}", f"Tỉnh {index}"
    )
    headers = {"Authorization": f"Bearer {admin_token(container, tenant.slug)}"}
    base = f"/api/v1/t/{tenant.slug}"

    def found(name: str, level: str, parent: str | None = None) -> str:
        body = {"name": name, "level": level, "founded_on": "2015-01-01"}
        if parent:
            body["parent_id"] = parent
        return str(created(client.post(f"{base}/units", json=body, headers=headers))["id"])

    root = found(f"Đảng bộ tỉnh {index}", "province")
    bloc = found("Đảng bộ Khối", "direct", root)
    school = found("Đảng bộ Trường", "grassroots_committee", bloc)
    cell = found("Chi bộ Kỹ thuật", "cell", school)
    members = []
    for n in range(MEMBERS):
        body = {
            "full_name": f"Đảng viên số {n + 1}",
            "birth_date": "1985-05-01",
            "gender": "nam" if n % 2 else "nu",
            "cell_id": cell,
            "status": "official",
            "admitted_on": "2010-03-02",
            "official_on": "2011-03-02",
            "joined_cell_on": "2015-01-01",
        }
        members.append(
            str(created(client.post(f"{base}/members", json=body, headers=headers))["id"])
        )
    return Province(tenant.slug, headers, root, cell, members)


def commands(province: Province) -> Iterator[tuple[str, dict[str, Any]]]:
    """A cell's meetings month after month: (path under the province, body)."""
    year, month = 2016, 1
    chair, secretary, speaker = province.members[:3]
    while True:
        day = f"{year}-{month:02d}-03"
        yield (
            "/meetings",
            {
                "cell_id": province.cell,
                "kind": "regular",
                "year": year,
                "month": month,
                "scheduled_at": f"{day}T14:00:00+07:00",
                "place": "Phòng họp",
                "agenda": ["Thông tin thời sự", "Kiểm điểm công việc tháng"],
            },
        )
        one = "/meetings/{meeting}"
        opened = {"started_at": f"{day}T14:00:00+07:00", "chair_id": chair}
        yield (one + "/open", {**opened, "secretary_id": secretary})
        entries = [{"member_id": m, "mark": "present"} for m in province.members]
        yield (one + "/attendance", {"entries": entries})
        yield (one + "/opinions", {"speaker_id": speaker, "topic": "Góp ý kế hoạch tháng"})
        yield (one + "/minutes", {"text": "Biên bản sinh hoạt chi bộ tháng"})
        yield (one + "/close", {"ended_at": f"{day}T16:00:00+07:00"})
        month = month % 12 + 1
        year += month == 1


def write_paced(
    client: httpx.Client,
    province: Province,
    interval: float,
    until: float,
    readers: ThreadPoolExecutor,
    measured: Measured,
) -> None:
    base = f"/api/v1/t/{province.slug}"
    meeting = ""
    due = time.perf_counter()
    for path, body in commands(province):
        due += interval
        if due >= until:
            return
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        else:
            measured.late_starts += 1
        response = client.post(
            base + path.format(meeting=meeting), json=body, headers=province.headers
        )
        acknowledged = time.perf_counter()
        if response.status_code != 201:
            with measured.lock:
                measured.refused.append(f"{path}: {response.status_code} {response.text[:200]}")
            return
        answer = response.json()
        if path == "/meetings":
            meeting = answer["id"]
        with measured.lock:
            measured.writes += 1
        readers.submit(read_own_write, client, province, answer["position"], acknowledged, measured)


def read_own_write(
    client: httpx.Client, province: Province, position: int, acknowledged: float, measured: Measured
) -> None:
    params = {
        "unit_id": province.root,
        "period": "2016",
        "as_of": "2016-12-31",
        "min_position": str(position),
        "wait_ms": "5000",
    }
    response = client.get(
        f"/api/v1/t/{province.slug}/views/level", params=params, headers=province.headers
    )
    lag = time.perf_counter() - acknowledged
    with measured.lock:
        if response.status_code == 200:
            measured.lags.append(lag)
        else:
            measured.refused.append(f"view: {response.status_code} {response.text[:200]}")


def run_mode(
    container: Container, provinces: list[Province], base: str, rate: float, seconds: float,
    mode: str,
) -> Measured:  # fmt: skip
    """One timed run of ``mode`` at ``rate`` commands/s over all provinces."""
    listener = container.readside.listener
    if mode == "before":
        # The previous wait polled the checkpoints; without a listener it polls.
        container.readside.listener = lambda: None  # type: ignore[method-assign]
    workers.configure(
        container.database,
        None,
        threads=2,
        tick_seconds=None,
        wakeups="pairs" if mode == "before" else "coalesced",
        # The current path's tenant directory follows the catalog's notifications.
        listener=None if mode == "before" else container.readside.listener(),
    )
    measured = Measured()
    try:
        with (
            httpx.Client(base_url=base, timeout=30) as client,
            ThreadPoolExecutor(max_workers=4 * len(provinces), thread_name_prefix="reader") as readers,
        ):  # fmt: skip
            until = time.perf_counter() + seconds
            interval = len(provinces) / rate
            writers = [
                threading.Thread(
                    target=write_paced,
                    args=(client, p, interval, until, readers, measured),
                    name=f"writer-{p.slug}",
                )
                for p in provinces
            ]
            for n, writer in enumerate(writers):
                # Writers start spread over one interval, not all at once.
                time.sleep(interval / len(writers) if n else 0)
                writer.start()
            for writer in writers:
                writer.join()
    finally:
        workers.shutdown()
        container.readside.listener = listener  # type: ignore[method-assign]
    return measured


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def describe(mode: str, rate: float, measured: Measured) -> str:
    lags = measured.lags
    if not lags:
        return f"  {mode:>6} at {rate:g} cmd/s: no write measured"
    p50, p99 = statistics.median(lags) * 1000, percentile(lags, 0.99) * 1000
    return (
        f"  {mode:>6} at {rate:g} cmd/s: {measured.writes} writes, lag p50 {p50:.0f} ms,"
        f" p90 {percentile(lags, 0.9) * 1000:.0f} ms, p99 {p99:.0f} ms,"
        f" max {max(lags) * 1000:.0f} ms"
        + (f", {measured.late_starts} writes started late" if measured.late_starts else "")
    )


def summary(table: list[tuple[float, dict[str, Measured]]], seconds: float) -> str:
    """Both modes side by side per rate; "kept up" is whether the writers held the pace (under
    5% of writes started late), which bounds the maximum sustained rate from below."""

    def cells(measured: Measured) -> str:
        if not measured.lags:
            return f"{'–':>8} {'–':>8}"
        p50 = statistics.median(measured.lags) * 1000
        return f"{p50:>8.0f} {percentile(measured.lags, 0.99) * 1000:>8.0f}"

    lines = [
        "summary: ack → view lag in ms (before = previous path, notify = current; same run)",
        f"{'cmd/s':>6} {'writes/s':>8} {'kept up':>7} | {'before':>8} {'':>8} |"
        f" {'notify':>8} {'':>8} | {'p50':>5}",
        f"{'':>6} {'':>8} {'':>7} | {'p50':>8} {'p99':>8} | {'p50':>8} {'p99':>8} | {'ratio':>5}",
    ]
    for rate, results in table:
        now, before = results["notify"], results["before"]
        kept = held(now)
        ratio = (
            f"{statistics.median(now.lags) / statistics.median(before.lags):>5.2f}"
            if now.lags and before.lags
            else f"{'–':>5}"
        )
        lines.append(
            f"{rate:>6g} {now.writes / seconds:>8.1f} {'yes' if kept else 'no':>7} |"
            f" {cells(before)} | {cells(now)} | {ratio}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lag")
    parser.add_argument("--seconds", type=float, default=8.0, help="per mode and rate")
    parser.add_argument("--rates", default="20", help="commands/s over all provinces, e.g. 20,55")
    parser.add_argument("--provinces", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: a fresh embedded server")
    parser.add_argument(
        "--half-max", action="store_true", help="find the maximum sustained rate, measure half"
    )
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",")]
    with (
        tempfile.TemporaryDirectory(prefix="chibo-bench-lag-") as tmp,
        database_for(args.database_url, Path(tmp) / "pg") as url,
    ):
        container = container_for(url, Path(tmp))
        try:
            return run(container, args.provinces, rates, args.seconds, args.half_max)
        finally:
            container.close()


def held(measured: Measured) -> bool:
    """The writers kept the pace: under 5% of their writes started late."""
    return measured.writes > 0 and measured.late_starts < 0.05 * measured.writes


def maximum_rate(
    container: Container, provinces: list[Province], base: str, seconds: float
) -> float:
    """The highest rate the writers held, by doubling from 20 then one step back between."""
    kept, rate = 0.0, 20.0
    while rate <= 640:
        measured = run_mode(container, provinces, base, rate, seconds, "notify")
        print(
            f"  probe {rate:g} cmd/s: {measured.writes / seconds:.1f} writes/s, held: {held(measured)}"
        )
        if not held(measured):
            break
        kept, rate = rate, rate * 2
    if kept and rate <= 640:
        between = (kept + rate) / 2
        measured = run_mode(container, provinces, base, between, seconds, "notify")
        print(
            f"  probe {between:g} cmd/s: {measured.writes / seconds:.1f} writes/s, held: {held(measured)}"
        )
        if held(measured):
            kept = between
    print(f"maximum sustained rate ≈ {kept:g} cmd/s (half: {kept / 2:g})")
    return kept


def run(
    container: Container, count: int, rates: list[float], seconds: float, half_max: bool = False
) -> int:
    with serving(container) as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            provinces = [seed(client, container, i) for i in range(count)]
        # Seeding's own catch-up, and one short warm-up so both modes start from warm caches.
        run_mode(container, provinces, base, rates[0], 1.0, "notify")
        half = maximum_rate(container, provinces, base, seconds) / 2 if half_max else 0.0
        rates = sorted({*rates, half} - {0.0})
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"ack → /views/level, {count} provinces, {seconds:g} s per mode (HTTP, one process;"
            f" load average {load} on {os.cpu_count()} cores):"
        )
        ok = True
        table: list[tuple[float, dict[str, Measured]]] = []
        for rate in rates:
            results = {}
            for mode in ("before", "notify"):
                results[mode] = run_mode(container, provinces, base, rate, seconds, mode)
                print(describe(mode, rate, results[mode]))
                for refusal in results[mode].refused[:3]:
                    print(f"    refused: {refusal}")
                ok = ok and not results[mode].refused
            before, now = results["before"].lags, results["notify"].lags
            if before and now:
                ratio = statistics.median(now) / statistics.median(before)
                print(f"  ratio of p50 notify/before at {rate:g} cmd/s: {ratio:.2f}")
                p50 = statistics.median(now) * 1000
                if rate <= 20:
                    print(
                        f"  goal p50 ≤ {P50_GOAL_MS:.0f} ms at 20 cmd/s: {'met' if p50 <= P50_GOAL_MS else 'NOT MET'}"
                    )
                    ok = ok and p50 <= P50_GOAL_MS
                p99 = percentile(now, 0.99) * 1000
                print(f"  p99 {p99:.0f} ms (goal ≤ {P99_GOAL_MS:.0f} ms at half the maximum rate)")
                if rate == half:
                    met = p99 <= P99_GOAL_MS
                    print(
                        f"  goal p99 at half the maximum ({half:g} cmd/s): {'met' if met else 'NOT MET'}"
                    )
                    ok = ok and met
            table.append((rate, results))
        print(summary(table, seconds))
    print("goals met" if ok else "GOALS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
