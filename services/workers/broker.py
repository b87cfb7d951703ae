"""Which broker carries the workers' messages, and how many wait in its queue.

RabbitMQ (``BROKER_URL=amqp://…``) in production, Redis if asked; without ``BROKER_URL`` an
in-process stub broker with worker threads, so ``chibo serve`` alone runs everything.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker

log = logging.getLogger(__name__)

QUEUE = "chibo_projections"


def make_broker(url: str | None) -> dramatiq.Broker:
    if url is None:
        return StubBroker()
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)  # type: ignore[no-untyped-call]  # dramatiq's Redis broker has no annotations
    raise ValueError(
        f"BROKER_URL không hỗ trợ / unsupported BROKER_URL scheme: {url.split(':')[0]}"
    )


def waiting(broker: Any, queue: str) -> int | None:
    """Messages waiting in ``queue`` (its dead-letter queue included on the stub broker);
    None when the broker cannot say."""
    try:
        if isinstance(broker, StubBroker):
            return sum(
                int(broker.queues[name].qsize())
                for name in (queue, f"{queue}.DQ")
                if name in broker.queues
            )
        counts = broker.get_queue_message_counts(queue)  # RabbitMQ
        return int(counts[0] + counts[1])
    except Exception:
        log.debug("queue depth unavailable", exc_info=True)
        return None
