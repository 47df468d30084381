"""The consumer hands each fetch's records of the events topic to the runtime at once, and says
when one of its broker connections is lost."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import aiokafka
import pytest
from faust.types import TP

from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.worker import transport
from floorboard.streams.worker.partition import SourceRecord


class FetchThread:
    """Stands in for Faust's consumer thread: returns one prepared fetch result."""

    def __init__(self, fetched: dict[Any, list[Any]]) -> None:
        self.fetched = fetched

    async def getmany(self, _active: Any, _timeout: float) -> dict[Any, list[Any]]:
        return self.fetched


def consumer(fetched: dict[Any, list[Any]], delivered: list[Mapping[int, Sequence[Any]]]) -> Any:
    app = SimpleNamespace(transport=SimpleNamespace())

    async def deliver(records: Mapping[int, Sequence[Any]]) -> None:
        delivered.append(records)

    transport.install(app, 100, "ev", deliver, lambda: None)
    made = object.__new__(app.transport.Consumer)  # only the fetch path is exercised
    made._thread = FetchThread(fetched)
    return made


async def test_events_records_go_to_the_runtime_by_partition_and_the_rest_to_faust() -> None:
    ours = [SourceRecord(i, b"k", b"{}") for i in range(3)]
    other = [SourceRecord(0, b"k", b"x")]
    fetched = {
        TP("ev", 0): ours[:2],
        TP("other", 0): other,
        TP("ev", 2): ours[2:],
    }
    delivered: list[Mapping[int, Sequence[Any]]] = []
    rest = await consumer(fetched, delivered)._getmany(None, 1.0)
    assert delivered == [{0: ours[:2], 2: ours[2:]}]
    assert rest == {TP("other", 0): other}


async def test_a_fetch_without_events_records_delivers_nothing() -> None:
    delivered: list[Mapping[int, Sequence[Any]]] = []
    assert await consumer({}, delivered)._getmany(None, 1.0) == {}
    assert delivered == []


@pytest.mark.broker
@pytest.mark.timeout(60)
async def test_a_lost_broker_connection_is_reported_and_a_closed_consumer_is_not(
    fresh_broker: Callable[[], EmbeddedBroker],
) -> None:
    broker = fresh_broker()
    lost: list[int] = []
    consumer = aiokafka.AIOKafkaConsumer(bootstrap_servers=broker.bootstrap)
    transport.watch_connections(consumer, lambda: lost.append(1))
    await consumer.start()
    try:
        await consumer.topics()  # a connection of the consumer's own
        assert lost == []
        await asyncio.to_thread(broker.stop)
        for _ in range(200):  # the close is seen on the consumer's next read
            if lost:
                break
            await asyncio.sleep(0.05)
        assert lost, "the broken connection was not reported"
    finally:
        await consumer.stop()
    reported = len(lost)
    closed = aiokafka.AIOKafkaConsumer(bootstrap_servers=fresh_broker().bootstrap)
    transport.watch_connections(closed, lambda: lost.append(1))
    await closed.start()
    await closed.topics()
    await closed.stop()  # a shutdown is not a lost broker
    assert len(lost) == reported
