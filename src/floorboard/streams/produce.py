"""Producing canonical events to the events topic, one per record or in JSON-array batches.

Accepted record formats (docs/running.md): one event object per record, or a JSON array of events
in one record. Every event of a batch must belong to the partition the record is written to, i.e.
its ``partition_key`` hashes there (Kafka's default murmur2 partitioner). This helper groups events
by that partition, keeps their order, and writes each batch to its partition explicitly.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, Self

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from floorboard.events.codec import encode, encode_batch
from floorboard.events.model import Event, partition_key
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.topics import partition_counts


class EventProducer:
    def __init__(
        self,
        conn: KafkaConnection,
        topic: str,
        *,
        batch_events: int = 1,
        partitions: int | None = None,
        **producer_kwargs: Any,
    ) -> None:
        self.conn = conn
        self.topic = topic
        self.batch_events = batch_events
        self.partitions = partitions
        self._kwargs: dict[str, Any] = {"linger_ms": 5, "max_batch_size": 1 << 20}
        self._kwargs.update(producer_kwargs)
        self._producer: AIOKafkaProducer | None = None
        self._partitioner = DefaultPartitioner()

    async def start(self) -> None:
        if self.partitions is None:
            counts = await partition_counts(self.conn, [self.topic])
            if self.topic not in counts:
                raise RuntimeError(f"topic {self.topic} does not exist; create it first")
            self.partitions = counts[self.topic]
        self._producer = AIOKafkaProducer(
            **self.conn.client_kwargs(), enable_idempotence=False, **self._kwargs
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def partition_for(self, key: str) -> int:
        assert self.partitions is not None, "start() first"
        every = list(range(self.partitions))
        return int(self._partitioner(key.encode(), every, every))

    def records(self, events: Iterable[Event]) -> list[tuple[int, bytes, bytes]]:
        """(partition, key, value) records for ``events``: batches per partition, order kept."""
        by_partition: dict[int, list[Event]] = defaultdict(list)
        out: list[tuple[int, bytes, bytes]] = []
        for event in events:
            key = partition_key(event)
            partition = self.partition_for(key)
            if self.batch_events <= 1:
                out.append((partition, key.encode(), encode(event)))
                continue
            pending = by_partition[partition]
            pending.append(event)
            if len(pending) >= self.batch_events:
                out.append(self._batch(partition, pending))
                pending.clear()
        out.extend(self._batch(p, evs) for p, evs in by_partition.items() if evs)
        return out

    @staticmethod
    def _batch(partition: int, events: Sequence[Event]) -> tuple[int, bytes, bytes]:
        return partition, partition_key(events[0]).encode(), encode_batch(list(events))

    async def send(self, events: Iterable[Event]) -> int:
        """Send and wait until the broker has every record; returns the number of records."""
        records = self.records(events)
        futures = [await self.send_raw(value, key, partition) for partition, key, value in records]
        await asyncio.gather(*futures)
        return len(records)

    async def send_raw(
        self,
        value: bytes | None,
        key: bytes | None = None,
        partition: int | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> asyncio.Future[Any]:
        """Queue one record as is (bad input in tests and tools; dead letters of the adapters)."""
        if self._producer is None:
            raise RuntimeError("start() first")
        future: asyncio.Future[Any] = await self._producer.send(
            self.topic, value, key=key, partition=partition, headers=headers
        )
        return future
