"""Faust's aiokafka consumer with a configurable fetch wait and whole-batch delivery of one topic.

Faust builds its aiokafka consumer with ``fetch_max_wait_ms=1500`` and no setting to change it.
Tansu answers a waiting fetch about half that wait after it began, even when records arrived
meanwhile, so events waited up to 0.75 s before the worker saw them (docs/known-issues.md). This
subclass lowers the wait on the consumer Faust creates.

Faust then hands every fetched record to its streams one at a time: a message object, a queue
hop and a task switch each, about 0.2 ms a record, which caps a worker fed one event per record
at a few thousand events/s. The consumer below takes the records of the events topic out of
each fetch result and hands them to ``deliver`` at once, grouped by partition in offset order;
Faust still runs the group membership, assignment, pausing during rebalances (it fetches nothing
while its flow is stopped), seeks and fetching, and delivers any other topic as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiokafka
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP

# Fetched records of the events topic by partition; each has offset, key and value.
Deliver = Callable[[Mapping[int, Sequence[Any]]], Awaitable[None]]


def install(app: Any, fetch_max_wait_ms: int, topic: str, deliver: Deliver) -> None:
    """Make ``app`` create its consumer with ``fetch_max_wait_ms`` and pass each fetch's records
    of ``topic`` to ``deliver`` instead of its streams (before the app starts)."""

    class Thread(faust_aiokafka.AIOKafkaConsumerThread):
        def _create_worker_consumer(
            self, transport: faust_aiokafka.Transport
        ) -> aiokafka.AIOKafkaConsumer:
            consumer = super()._create_worker_consumer(transport)
            # aiokafka reads this when it creates its fetcher in start(), which comes later.
            consumer._fetch_max_wait_ms = fetch_max_wait_ms
            return consumer

    class Consumer(faust_aiokafka.Consumer):
        def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
            return Thread(self, loop=self.loop, beacon=self.beacon)

        async def _getmany(
            self, active_partitions: set[TP] | None, timeout: float
        ) -> Mapping[TP, list[Any]]:
            # Runs in Faust's fetch loop on the app's event loop: while ``deliver`` works on a
            # batch, nothing more is fetched, which is the back-pressure Faust's queues gave.
            fetched = await super()._getmany(active_partitions, timeout)
            mine: dict[int, Sequence[Any]] = {}
            rest: dict[TP, list[Any]] = {}
            for tp, records in fetched.items():
                if tp.topic == topic:
                    mine[tp.partition] = records
                else:
                    rest[tp] = records
            if mine:
                await deliver(mine)
            return rest

    app.transport.Consumer = Consumer
