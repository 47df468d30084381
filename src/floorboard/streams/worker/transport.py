"""Faust's aiokafka consumer with a configurable fetch wait.

Faust builds its aiokafka consumer with ``fetch_max_wait_ms=1500`` and no setting to change it.
Tansu answers a waiting fetch about half that wait after it began, even when records arrived
meanwhile, so events waited up to 0.75 s before the worker saw them (docs/known-issues.md). This
subclass lowers the wait on the consumer Faust creates; nothing else about Faust's consumer
changes.
"""

from __future__ import annotations

from typing import Any

import aiokafka
from faust.transport.drivers import aiokafka as faust_aiokafka


def install(app: Any, fetch_max_wait_ms: int) -> None:
    """Make ``app`` create its consumer with ``fetch_max_wait_ms`` (before the app starts)."""

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

    app.transport.Consumer = Consumer
