"""The worker's producer for everything it writes: dead letters, snapshots and checkpoints.

One aiokafka producer, separate from Faust's, so checkpoint records can be large and each send
hands back its own delivery future: a checkpoint awaits exactly the dead letters it covers.
Idempotence stays off: aiokafka's idempotent producer does not work against Tansu, and exactness
comes from checkpoints and event-id dedup instead (docs/architecture.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer

from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.topics import CHECKPOINT_MAX_BYTES


class Sink(Protocol):
    """What the runtime writes through (Outputs here, an in-memory log in tests)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> asyncio.Future[Any]: ...

    async def send_many(
        self, topic: str, partition: int, items: Sequence[tuple[bytes, bytes | None]]
    ) -> asyncio.Future[int]: ...

    async def flush(self) -> None: ...


class Outputs:
    def __init__(self, conn: KafkaConnection, client_id: str) -> None:
        self._conn = conn
        self._client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._lock:
            if self._producer is not None:
                return
            producer = AIOKafkaProducer(
                **self._conn.client_kwargs(),
                client_id=self._client_id,
                acks="all",
                enable_idempotence=False,
                linger_ms=5,
                max_batch_size=1024 * 1024,
                max_request_size=CHECKPOINT_MAX_BYTES,
                request_timeout_ms=30_000,
                retry_backoff_ms=200,
            )
            await producer.start()
            self._producer = producer

    async def stop(self) -> None:
        async with self._lock:
            producer, self._producer = self._producer, None
            if producer is not None:
                await producer.stop()

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> asyncio.Future[Any]:
        """Queue one record; the returned future resolves once the broker has it."""
        if self._producer is None:
            await self.start()
        assert self._producer is not None
        future: asyncio.Future[Any] = await self._producer.send(
            topic, value, key=key, partition=partition, headers=list(headers or ()) or None
        )
        return future

    async def send_many(
        self, topic: str, partition: int, items: Sequence[tuple[bytes, bytes | None]]
    ) -> asyncio.Future[int]:
        """Queue keyed records to one partition in as few batches as fit.

        Far cheaper per record than ``send`` (no future per record), which matters because a
        checkpoint writes every changed key. The future resolves to the partition's end offset
        after the last record.
        """
        if self._producer is None:
            await self.start()
        producer = self._producer
        assert producer is not None
        pending: list[tuple[asyncio.Future[Any], int]] = []
        batch, count = producer.create_batch(), 0
        for key, value in items:
            if batch.append(key=key, value=value, timestamp=None) is None:
                sent = await producer.send_batch(batch, topic, partition=partition)
                pending.append((sent, count))
                batch, count = producer.create_batch(), 0
                batch.append(key=key, value=value, timestamp=None)  # the first always fits
            count += 1
        if count:
            pending.append((await producer.send_batch(batch, topic, partition=partition), count))

        async def end_offset() -> int:
            ends = [(await future).offset + count for future, count in pending]
            return max(ends, default=0)

        return asyncio.ensure_future(end_offset())

    async def flush(self) -> None:
        if self._producer is not None:
            await self._producer.flush()
