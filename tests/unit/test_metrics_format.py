"""The Prometheus text format written by ``infra.metrics`` and the JSON log lines of
``infra.logs``: what a scraper and a log collector parse."""

from __future__ import annotations

import json
import logging

from infra.logs import JsonFormatter
from infra.metrics import Gauge, Registry, Sample


def test_counter_histogram_and_gauge_in_the_exposition_format():
    registry = Registry()
    requests = registry.counter("r_total", "Requests.", ("route", "status"))
    requests.inc('/t/{tenant:str}/x"y', "200")
    requests.inc('/t/{tenant:str}/x"y', "200")
    latency = registry.histogram("d_seconds", "Latency.", ("route",))
    for value in (0.003, 0.04, 0.04, 7.0):
        latency.observe(value, "/a")
    registry.collect_with(
        lambda: [Gauge("lag", "Lag.", ("province",), read=lambda: [Sample(("hn",), 3)])]
    )
    lines = registry.render().splitlines()
    assert "# TYPE r_total counter" in lines
    assert 'r_total{route="/t/{tenant:str}/x\\"y",status="200"} 2' in lines
    # Buckets are cumulative and end at +Inf with the count.
    assert 'd_seconds_bucket{route="/a",le="0.005"} 1' in lines
    assert 'd_seconds_bucket{route="/a",le="0.05"} 3' in lines
    assert 'd_seconds_bucket{route="/a",le="5"} 3' in lines
    assert 'd_seconds_bucket{route="/a",le="+Inf"} 4' in lines
    assert 'd_seconds_count{route="/a"} 4' in lines
    assert "# TYPE lag gauge" in lines
    assert 'lag{province="hn"} 3' in lines
    assert "chibo_metrics_collect_failures 0" in lines


def test_a_failing_collector_is_counted_not_fatal():
    registry = Registry()
    registry.counter("c_total", "C.").inc()

    def broken() -> list[Gauge]:
        raise RuntimeError("database down")

    registry.collect_with(broken)
    text = registry.render()
    assert "c_total 1" in text
    assert "chibo_metrics_collect_failures 1" in text


def test_a_log_record_is_one_json_line_with_its_fields():
    record = logging.makeLogRecord(
        {"name": "chibo.access", "levelname": "INFO", "msg": "GET %s", "args": ("/x",)}
    )
    record.province = "ha_noi"
    record.user = "u-1"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["msg"] == "GET /x"
    assert parsed["province"] == "ha_noi"
    assert parsed["user"] == "u-1"
    assert parsed["logger"] == "chibo.access"
