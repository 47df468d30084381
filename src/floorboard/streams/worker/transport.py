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

A connection of that consumer that breaks calls ``interrupted`` (in the consumer's thread) before
any later fetch can deliver a record: records fetched after it may come from a broker that
started over, and the runtime holds them until it has checked (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiokafka
from aiokafka.conn import CloseReason
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP

from floorboard.streams.autocreate import no_auto_create

# Fetched records of the events topic by partition; each has offset, key and value.
Deliver = Callable[[Mapping[int, Sequence[Any]]], Awaitable[None]]
# Not an idle drop or a shutdown: the broker went away or stopped answering.
LOST = frozenset({CloseReason.CONNECTION_BROKEN, CloseReason.CONNECTION_TIMEOUT,
                  CloseReason.OUT_OF_SYNC})  # fmt: skip


def watch_connections(consumer: aiokafka.AIOKafkaConsumer, lost: Callable[[], None]) -> None:
    """Call ``lost`` when one of ``consumer``'s broker connections breaks or times out (before
    it starts: the client looks its close callback up for each connection it opens)."""
    client = consumer._client
    closed = client._on_connection_closed

    def on_closed(conn: Any, reason: CloseReason) -> None:
        if reason in LOST:
            lost()
        closed(conn, reason)

    client._on_connection_closed = on_closed


def install(
    app: Any,
    fetch_max_wait_ms: int,
    topic: str,
    deliver: Deliver,
    interrupted: Callable[[], None],
) -> None:
    """Make ``app`` create its consumer with ``fetch_max_wait_ms``, pass each fetch's records
    of ``topic`` to ``deliver`` instead of its streams, and call ``interrupted`` when one of the
    consumer's broker connections is lost (before the app starts)."""

    class Thread(faust_aiokafka.AIOKafkaConsumerThread):
        def _create_worker_consumer(
            self, transport: faust_aiokafka.Transport
        ) -> aiokafka.AIOKafkaConsumer:
            consumer = super()._create_worker_consumer(transport)
            # aiokafka reads this when it creates its fetcher in start(), which comes later.
            consumer._fetch_max_wait_ms = fetch_max_wait_ms
            watch_connections(consumer, interrupted)
            no_auto_create(consumer._client)  # topics are created up front, with their counts
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
