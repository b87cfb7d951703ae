"""Deployment hygiene (issue 13 §5): each deployment its own queues; CLI errors are one line."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from typing import Any

import pytest

from infra.settings import load_settings
from services import workers
from services.cli import main
from services.cli.core import start_runtime

pytestmark = pytest.mark.integration


def test_the_queue_namespace_is_a_setting():
    assert load_settings({}).projection_queue == "chibo_projections"
    assert load_settings({"CHIBO_QUEUE_NAMESPACE": "hanoi"}).projection_queue == "hanoi_projections"
    with pytest.raises(ValueError, match="CHIBO_QUEUE_NAMESPACE"):
        load_settings({"CHIBO_QUEUE_NAMESPACE": "two words"})


def test_serve_and_worker_use_the_deployment_queue(container):
    container.settings = replace(container.settings, queue_namespace="hanoi")
    runtime = start_runtime(container, run_worker=False)
    try:
        assert runtime.queue == "hanoi_projections"
        runtime.actors.catch_up_tenant.send("nowhere")
        broker: Any = runtime.broker
        assert broker.queues["hanoi_projections"].qsize() == 1
        assert "chibo_projections" not in broker.queues
    finally:
        workers.shutdown()


@pytest.mark.broker
@pytest.mark.skipif(os.environ.get("CI") != "true", reason="RabbitMQ is required only in CI")
def test_two_deployments_on_one_vhost_keep_their_messages(container):
    url = os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")
    container.settings = replace(container.settings, broker_url=url, queue_namespace="ci_a")
    first = start_runtime(container, run_worker=False)
    broker: Any = first.broker
    broker.flush("ci_a_projections")
    first.actors.catch_up_tenant.send("nowhere")
    try:
        container.settings = replace(container.settings, queue_namespace="ci_b")
        second = start_runtime(container, run_worker=True, tick_seconds=None)  # stops `first`
        other: Any = second.broker
        other.join("ci_b_projections", timeout=5_000)
        ready, _, _ = other.get_queue_message_counts("ci_a_projections")
        assert ready == 1  # the other deployment's worker did not take it
        other.flush("ci_a_projections")
    finally:
        workers.shutdown()


@pytest.fixture
def env(database, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("CHIBO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_user_create_without_a_terminal_says_what_to_do(tenant, env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(["user", "create", tenant.slug, "bob", "--role", "tenant_admin"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--password-stdin" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("nonsense", "DATABASE_URL không đúng dạng"),
        ("postgresql://nobody@127.0.0.1:1/none", "Không kết nối được cơ sở dữ liệu"),
    ],
)
def test_a_bad_database_url_is_one_clear_line(url, words, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CHIBO_DATA_DIR", str(tmp_path))
    assert main(["tenant", "list"]) == 3
    err = capsys.readouterr().err
    assert words in err
    assert "DATABASE_URL" in err
    assert "Traceback" not in err
