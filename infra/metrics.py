"""Prometheus metrics (số đo vận hành) of one process, in the text exposition format 0.0.4.

Kept in the standard library: a counter, a histogram and gauges read when scraped are all
the API and the worker need (issue 14 §5), and the format is a few lines of text. Each metric
has a fixed set of label names; a sample is one combination of values. Values live in this
process only: every pod is scraped on its own, as Prometheus expects.

Gauges that cost a query (projection lag per province) are not kept up to date: a
:class:`Collector` computes them at scrape time.
"""

from __future__ import annotations

import math
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

Labels = tuple[str, ...]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds; the read-your-writes wait is at most 5 s."""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    pairs = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        pairs.append(extra)
    return "{" + ",".join(pairs) + "}" if pairs else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class Metric(ABC):
    kind = "untyped"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help_text
        self.label_names = tuple(labels)
        self._lock = threading.Lock()

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]

    @abstractmethod
    def lines(self) -> list[str]:
        """The metric's exposition lines (each kind writes its own samples)."""


class Counter(Metric):
    kind = "counter"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._values: dict[Labels, float] = {}

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        with self._lock:
            self._values[labels] = self._values.get(labels, 0.0) + amount

    def value(self, *labels: str) -> float:
        return self._values.get(labels, 0.0)

    def lines(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(self.label_names, k)} {_number(v)}" for k, v in items]


class Histogram(Metric):
    kind = "histogram"

    def __init__(
        self,
        name: str,
        help_text: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> None:
        super().__init__(name, help_text, labels)
        self.buckets = tuple(sorted(buckets))
        self._counts: dict[Labels, list[int]] = {}
        self._sums: dict[Labels, float] = {}

    def observe(self, value: float, *labels: str) -> None:
        with self._lock:
            counts = self._counts.setdefault(labels, [0] * (len(self.buckets) + 1))
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    counts[i] += 1
            counts[-1] += 1
            self._sums[labels] = self._sums.get(labels, 0.0) + value

    def count(self, *labels: str) -> int:
        counts = self._counts.get(labels)
        return counts[-1] if counts else 0

    def lines(self) -> list[str]:
        with self._lock:
            items = sorted((k, list(v), self._sums[k]) for k, v in self._counts.items())
        out = []
        for key, counts, total in items:
            for bound, count in zip((*self.buckets, math.inf), counts, strict=True):
                le = f'le="{_number(bound)}"'
                out.append(f"{self.name}_bucket{_labels(self.label_names, key, le)} {count}")
            out.append(f"{self.name}_sum{_labels(self.label_names, key)} {_number(total)}")
            out.append(f"{self.name}_count{_labels(self.label_names, key)} {counts[-1]}")
        return out


@dataclass(frozen=True, slots=True)
class Sample:
    labels: Labels
    value: float


class Gauge(Metric):
    """A value read when scraped: ``read`` returns the samples (label values, value)."""

    kind = "gauge"

    def __init__(
        self,
        name: str,
        help_text: str,
        labels: Sequence[str] = (),
        read: Callable[[], Iterable[Sample]] | None = None,
    ) -> None:
        super().__init__(name, help_text, labels)
        self.read = read
        self._values: dict[Labels, float] = {}

    def set(self, value: float, *labels: str) -> None:
        with self._lock:
            self._values[labels] = value

    def samples(self) -> list[Sample]:
        if self.read is not None:
            return list(self.read())
        with self._lock:
            return [Sample(k, v) for k, v in sorted(self._values.items())]

    def lines(self) -> list[str]:
        return [
            f"{self.name}{_labels(self.label_names, s.labels)} {_number(s.value)}"
            for s in self.samples()
        ]


Collector = Callable[[], Iterable[Gauge]]
"""Gauges computed together at scrape time (one query for many samples)."""


class Registry:
    def __init__(self) -> None:
        self._metrics: list[Metric] = []
        self._collectors: list[Collector] = []
        self._lock = threading.Lock()

    def add(self, metric: Metric) -> Metric:
        with self._lock:
            self._metrics.append(metric)
        return metric

    def counter(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Counter:
        counter = Counter(name, help_text, labels)
        self.add(counter)
        return counter

    def histogram(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Histogram:
        histogram = Histogram(name, help_text, labels)
        self.add(histogram)
        return histogram

    def collect_with(self, collector: Collector) -> None:
        with self._lock:
            self._collectors.append(collector)

    def render(self, *others: Registry) -> str:
        """The exposition text of this registry and ``others``; a collector that fails is
        skipped (and counted), never fatal."""
        metrics: list[Metric] = []
        collectors: list[Collector] = []
        for registry in (self, *others):
            with registry._lock:
                metrics += registry._metrics
                collectors += registry._collectors
        out: list[str] = []
        failed = 0
        for metric in metrics:
            out += metric.header() + metric.lines()
        for collector in collectors:
            try:
                gauges = list(collector())
            except Exception:
                failed += 1
                continue
            for gauge in gauges:
                out += gauge.header() + gauge.lines()
        out += [
            "# HELP chibo_metrics_collect_failures Collectors that failed during this scrape.",
            "# TYPE chibo_metrics_collect_failures gauge",
            f"chibo_metrics_collect_failures {failed}",
        ]
        return "\n".join(out) + "\n"


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
