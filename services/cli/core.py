"""Core sub-commands: ``serve`` (with the demo province) and ``tenant create|list``."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from domain.base import DomainError
from infra.logs import use_json_lines
from infra.tenancy import list_tenants
from services import workers
from services.app import create_app
from services.audit.sealing import start_sealing
from services.cli import wiring


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="chạy API / run the HTTP API")
    serve.add_argument("--demo", action="store_true", help="seed the demo province first")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(handler=run_serve)

    tenant = subparsers.add_parser("tenant", help="tỉnh / provinces (tenants)")
    tenant_sub = tenant.add_subparsers(dest="tenant_command", required=True)
    create = tenant_sub.add_parser("create", help="provision a province (idempotent)")
    create.add_argument("slug")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--cluster", default=None, help="cụm CSDL / database cluster (default: least loaded)"
    )
    create.set_defaults(handler=run_tenant_create)
    listing = tenant_sub.add_parser("list", help="list provinces")
    listing.set_defaults(handler=run_tenant_list)
    from services.cli.imports import register_migrate
    from services.cli.move import register_move

    register_migrate(tenant_sub)
    register_move(tenant_sub)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    container = wiring.open_container()
    if container.settings.log_format == "json":
        use_json_lines()
    capture = None
    if args.demo and not container.settings.smtp_host:
        from services.notices.capture import start_capture

        folder = container.settings.data_dir / "mail"
        capture = start_capture(folder, container.settings.mail_capture_port)
        print(
            f"Hộp thư thử / mail capture: smtp://127.0.0.1:{capture.port} → {folder}/*.eml",
            flush=True,
        )
    # Provinces provisioned by an earlier release get the tables this one added.
    container.migrate()
    # Local default (no BROKER_URL): the stub broker with an in-process worker, so this one
    # command runs everything; with RabbitMQ, `chibo worker` processes do the catching up.
    runtime = start_runtime(container, mailer=mailer_for(container.settings, capture))
    # Where the workers run, so does periodic sealing (here: the local in-process worker).
    sealer = start_sealing(container) if runtime.worker is not None else None
    try:
        if args.demo:
            from services.demo import DEMO_SLUG, seed_demo

            logins = seed_demo(container, container.settings.demo_password or None)
            url = f"http://{args.host or container.settings.host}:{args.port or container.settings.port}"
            runtime.notify_committed(DEMO_SLUG)  # build its views now, not at the next tick
            accounts = "".join(f"  {name:<10} {label}\n" for name, label in logins.accounts)
            print(
                f"\nTỉnh demo / demo province: {DEMO_SLUG}\n"
                f"Đăng nhập / log in: POST {url}/api/v1/t/{DEMO_SLUG}/auth/login\n"
                f"Tài khoản / accounts (tên / username, vai trò / role):\n{accounts}"
                f"  mật khẩu / password (mọi tài khoản / every account): {logins.password}\n"
                f"API: {url}/schema/swagger\n",
                flush=True,
            )
        app = create_app(container)
        # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler the
        # process would die there and leave the embedded PostgreSQL running. Exiting through
        # SystemExit runs the `finally` below, which stops it.
        signal.signal(signal.SIGTERM, exit_on_signal)
        uvicorn.run(
            app,
            host=args.host or container.settings.host,
            port=args.port or container.settings.port,
            log_level="info",
            # Its access log would repeat chibo.access's line, without province or user.
            access_log=False,
            log_config=None,
        )
    finally:
        if sealer is not None:
            sealer.stop()
        workers.shutdown()
        if capture is not None:
            capture.stop()
        container.close()
    return 0


def mailer_for(settings: Any, capture: Any = None) -> Any:
    """The SMTP server of the settings, else the demo's capture, else none (notices wait)."""
    from services.notices.delivery import Mailer

    if settings.smtp_host:
        return Mailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_starttls,
        )
    if capture is not None:
        return Mailer("127.0.0.1", capture.port, "chibo@demo.local")
    return None


def start_runtime(container: Any, **options: Any) -> Any:
    """This process's worker runtime, on this deployment's own queue (``queue_namespace``)."""
    settings = container.settings
    listener = container.readside.listener()
    options.setdefault("listener", listener)
    options.setdefault("report_keep_days", settings.report_keep_days)
    if listener is not None:
        container.follow_catalog(listener)
    return workers.configure(
        container.database, settings.broker_url, queue=settings.projection_queue, **options
    )


def exit_on_signal(signum: int, _: object) -> None:
    raise SystemExit(128 + signum)


def run_tenant_create(args: argparse.Namespace) -> int:
    container = wiring.open_container()
    try:
        tenant, created = container.provision(args.slug, args.name, args.cluster)
    except DomainError as error:
        print(f"{error.vi}\n{error.en}", file=sys.stderr)
        return 2
    finally:
        container.close()
    state = "đã tạo / created" if created else "đã có / already existed"
    print(
        f"{tenant.slug}: {tenant.name} (schema {tenant.schema}, cluster {tenant.cluster}) — {state}"
    )
    return 0


def run_tenant_list(args: argparse.Namespace) -> int:
    container = wiring.open_container()
    try:
        for tenant in list_tenants(container.database):
            print(f"{tenant.slug}\t{tenant.name}\t{tenant.schema}\t{tenant.cluster}")
    finally:
        container.close()
    return 0
