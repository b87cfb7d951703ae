"""Projection sub-commands: ``projections status|rebuild|quarantine`` and ``worker``.

``status`` prints each projection's checkpoint and lag per province (and the error that
stopped it, if any); ``rebuild`` drops read models and replays the log into them;
``quarantine`` lets one read model skip an event it cannot apply (recorded with who and why,
see :mod:`projections.poison`); ``worker``
runs the dramatiq worker (RabbitMQ when ``BROKER_URL`` is set) until interrupted.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from domain.base import DomainError
from infra.logs import use_json_lines
from infra.metrics import Registry
from infra.tenancy import find_tenant, list_tenants
from projections import engine
from projections.parallel import rebuild_many
from projections.registry import all_projections, dependents, projection_named
from services import workers
from services.audit.sealing import start_sealing
from services.cli import wiring
from services.cli.core import mailer_for, start_runtime
from services.observability import install_collectors, serve_metrics


def register(subparsers: Any) -> None:
    projections = subparsers.add_parser("projections", help="bảng đọc / read models")
    sub = projections.add_subparsers(dest="projections_command", required=True)
    status = sub.add_parser("status", help="vị trí và độ trễ / position and lag")
    status.add_argument("--tenant", help="chỉ một tỉnh / only this province")
    status.set_defaults(handler=run_status)
    rebuild = sub.add_parser("rebuild", help="xóa và dựng lại / drop and replay")
    rebuild.add_argument("--tenant", help="chỉ một tỉnh / only this province")
    rebuild.add_argument("--projection", help="chỉ một bảng đọc / only this projection")
    rebuild.add_argument(
        "--jobs", type=_positive, default=1,
        help="số tiến trình dựng song song / projections rebuilt side by side (processes)",
    )  # fmt: skip
    rebuild.add_argument(
        "--wait", type=float, default=60.0,
        help="giây chờ khóa của bảng đọc trước khi xóa / seconds to wait for the projection's"
        " lock before dropping anything",
    )  # fmt: skip
    rebuild.set_defaults(handler=run_rebuild)

    quarantine = sub.add_parser(
        "quarantine",
        help="cách ly một sự kiện bảng đọc không áp dụng được / let a read model skip an event"
        " it cannot apply (the event stays in the log)",
    )
    quarantine.add_argument("--tenant", required=True, help="tỉnh / province")
    quarantine.add_argument("--projection", required=True, help="bảng đọc / read model")
    quarantine.add_argument("--event", type=_positive, required=True, help="số sự kiện / event #")
    quarantine.add_argument("--reason", required=True, help="lý do / why")
    quarantine.add_argument("--actor", help="người thực hiện / who (default: the OS user)")
    quarantine.set_defaults(handler=run_quarantine)

    worker = subparsers.add_parser("worker", help="chạy tiến trình nền / run background workers")
    worker.add_argument("--threads", type=int, default=2)
    worker.add_argument("--tick", type=float, default=30.0, help="seconds between catch-up ticks")
    worker.set_defaults(handler=run_worker)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"cần một số nguyên dương / a positive whole number is needed, not {text!r}"
        )
    return int(text)


def _refused(error: DomainError) -> int:
    """A refusal, in its two languages on two lines (the table's columns stay clean): exit 2."""
    print(f"{error.vi}\n{error.en}", file=sys.stderr)
    return 2


def _tenants(container: Any, slug: str | None) -> list[Any]:
    return [find_tenant(container.database, slug)] if slug else list_tenants(container.database)


def run_status(args: argparse.Namespace) -> int:
    container = wiring.open_container()
    try:
        print("tenant\tprojection\tposition\thead\tlag\tquarantined\terror")
        for tenant in _tenants(container, args.tenant):
            database = container.database_of(tenant)
            for s in engine.status(database, tenant.schema, all_projections()):
                # One line per projection: the error's own line breaks would split the table.
                error = (
                    " ".join(f"stuck at {s.error_position}: {s.error}".split()) if s.error else ""
                )
                if s.rebuilding:
                    error = " ".join(("đang dựng lại / rebuilding for a new version", error))
                skipped = ",".join(f"#{n}" for n in s.quarantined) or "-"
                print(
                    f"{tenant.slug}\t{s.projection}\t{s.position}\t{s.head}\t{s.lag}\t"
                    f"{skipped}\t{error}"
                )
    except DomainError as error:
        return _refused(error)
    finally:
        container.close()
    return 0


def run_rebuild(args: argparse.Namespace) -> int:
    container = wiring.open_container()
    failed = False
    try:
        chosen = (
            [projection_named(args.projection), *dependents(args.projection)]
            if args.projection
            else all_projections()
        )
        for tenant in _tenants(container, args.tenant):
            results = rebuild_many(
                container.database_of(tenant), tenant.schema, chosen, args.jobs, lock_wait=args.wait
            )
            for projection, done in zip(chosen, results, strict=True):
                rate = done.events / done.seconds if done.seconds else 0.0
                error = done.error or ("khóa bận / lock busy" if done.busy else None)
                state = f"LỖI / ERROR {error}" if error else "ok"
                failed = failed or error is not None
                print(
                    f"{tenant.slug}\t{projection.name}\t{done.events} events\t"
                    f"{done.seconds:.2f} s\t{rate:,.0f} events/s\tposition {done.position}\t{state}"
                )
    except DomainError as error:
        return _refused(error)
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    finally:
        container.close()
    return 1 if failed else 0


def run_quarantine(args: argparse.Namespace) -> int:
    import getpass
    import logging

    from projections.poison import quarantine

    container = wiring.open_container()
    try:
        tenant = find_tenant(container.database, args.tenant)
        with container.database_of(tenant).connect(autocommit=False) as conn, conn.transaction():
            done = quarantine(
                conn,
                tenant.schema,
                args.projection,
                args.event,
                args.actor or getpass.getuser(),
                args.reason,
            )
    finally:  # a refusal (DomainError) is reported by the CLI's one handler, exit 2
        container.close()
    logging.getLogger(__name__).warning(
        "event #%s quarantined for %s in %s by %s: %s",
        done.notification_id, done.projection, tenant.slug, done.actor, done.reason,
    )  # fmt: skip
    print(
        f"Đã cách ly sự kiện #{done.notification_id} ({done.topic}) khỏi bảng đọc "
        f"{done.projection}; sự kiện vẫn nằm trong sổ / event #{done.notification_id} is "
        f"quarantined for {done.projection}; it stays in the log"
    )
    return 0


def run_worker(args: argparse.Namespace) -> int:
    container = wiring.open_container()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    sealer = None
    metrics_server = None
    if container.settings.log_format == "json":
        use_json_lines()
    try:
        runtime = start_runtime(
            container,
            run_worker=True,
            threads=args.threads,
            tick_seconds=args.tick,
            mailer=mailer_for(container.settings),
        )
        if container.settings.metrics_port:
            collectors = Registry()
            install_collectors(collectors, lambda: container.database, workers.queue_depth)
            settings = container.settings
            metrics_server = serve_metrics(collectors, settings.host, settings.metrics_port)
        sealer = start_sealing(container)  # every CHIBO_SEAL_MINUTES, exported for inspectors
        print("worker đang chạy / worker running; Ctrl-C để dừng / to stop", file=sys.stderr)
        heartbeat = container.settings.data_dir / "worker.heartbeat"
        heartbeat.parent.mkdir(parents=True, exist_ok=True)
        # The liveness probe reads this file's age: it is touched only while every worker
        # thread is alive, so a wedged worker is restarted instead of silently idling.
        while not stop.wait(10):
            threads = runtime.worker.workers if runtime.worker else []
            if threads and all(thread.is_alive() for thread in threads):
                heartbeat.touch()
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
        if sealer is not None:
            sealer.stop()
        workers.shutdown()
        container.close()
    return 0
