"""Where records go, and how fast: a JSONL file, stdout, or a Kafka topic; paced or flat out."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from floorboard.simulator.feed import Record

if TYPE_CHECKING:
    from floorboard.streams.kafka import KafkaConnection


def paced(
    records: Iterable[Record],
    speed: float | None,
    start_ms: int,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[list[Record]]:
    """Group records into small send batches, sleeping so simulated time runs ``speed``× wall time.

    ``speed`` None sends as fast as possible.
    """
    batch: list[Record] = []
    wall0 = clock()
    for record in records:
        if speed is not None:
            due = wall0 + (record.send_ms - start_ms) / 1000 / speed
            delay = due - clock()
            if delay > 0.02:  # send what is due, then wait for the next record's time
                if batch:
                    yield batch
                    batch = []
                sleep(delay)
        batch.append(record)
        if len(batch) >= 5000:
            yield batch
            batch = []
    if batch:
        yield batch


def write_jsonl(batches: Iterable[list[Record]], out: BinaryIO) -> int:
    count = 0
    for batch in batches:
        out.write(b"".join(r.value + b"\n" for r in batch))
        out.flush()
        count += len(batch)
    return count


def to_file(batches: Iterable[list[Record]], path: Path | None) -> int:
    if path is None:
        return write_jsonl(batches, sys.stdout.buffer)
    with path.open("wb") as handle:
        return write_jsonl(batches, handle)


def grouped(batch: list[Record], per_record: int) -> Iterator[tuple[str, bytes]]:
    """(key, value) pairs; with ``per_record`` > 1 events of one key share a JSON-array record."""
    if per_record <= 1:
        for record in batch:
            yield record.key, record.value
        return
    by_key: dict[str, list[bytes]] = defaultdict(list)
    for record in batch:
        by_key[record.key].append(record.value)
    for key, values in by_key.items():
        for i in range(0, len(values), per_record):
            chunk = values[i : i + per_record]
            # A corrupt element would spoil a whole array: bad bytes travel alone.
            good = [v for v in chunk if _is_object(v)]
            for bad in (v for v in chunk if not _is_object(v)):
                yield key, bad
            if good:
                yield key, b"[" + b",".join(good) + b"]"


def _is_object(value: bytes) -> bool:
    return value.startswith(b"{") and value.endswith(b"}")


async def to_kafka(
    batches: Iterable[list[Record]], conn: KafkaConnection, topic: str, per_record: int = 1
) -> int:
    from aiokafka import AIOKafkaProducer

    # The embedded broker does not support idempotent producers.
    producer = AIOKafkaProducer(
        **conn.client_kwargs(), enable_idempotence=False, linger_ms=5,
        max_batch_size=1 << 20, max_request_size=16 << 20,
    )  # fmt: skip
    try:
        await producer.start()
    except BaseException:
        await producer.stop()  # a producer that could not start still holds a client
        raise
    count = 0
    try:
        async for batch in _in_thread(batches):
            for key, value in grouped(batch, per_record):
                await producer.send(topic, value=value, key=key.encode())
            count += len(batch)
        await producer.flush()
    finally:
        await producer.stop()
    return count


async def _in_thread(batches: Iterable[list[Record]]) -> AsyncIterator[list[Record]]:
    """Run the (sleeping, CPU-bound) generator off the event loop."""
    iterator = iter(batches)
    while True:
        batch = await asyncio.to_thread(next, iterator, None)
        if batch is None:
            return
        yield batch
