"""Reading a topic's partitions from an offset to their end.

"The end" is the high-water mark reported inside fetch responses (``consumer.highwater``), not
``end_offsets()``: Tansu answers ListOffsets(latest) with the start of the last record batch
plus one, which would stop a reader short of the last batch (docs/known-issues.md).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from floorboard.engine.snapshot import Snapshot, decode
from floorboard.streams.autocreate import no_auto_create
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.topics import partition_counts

READ_FETCH_BYTES = 64 * 1024 * 1024


def reader(conn: KafkaConnection, **overrides: Any) -> AIOKafkaConsumer:
    """A group-less consumer for reading partitions by offset (assign + seek only)."""
    kwargs: dict[str, Any] = {
        **conn.client_kwargs(),
        "group_id": None,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "fetch_max_wait_ms": 50,
        "max_partition_fetch_bytes": READ_FETCH_BYTES,
        "fetch_max_bytes": READ_FETCH_BYTES,
    }
    kwargs.update(overrides)
    return AIOKafkaConsumer(**kwargs)


def source_reader(conn: KafkaConnection) -> AIOKafkaConsumer:
    """A reader for checking a worker's source, which never creates the topic it asks about:
    after a broker restart that would be the broker's default partition count."""
    consumer = reader(conn)
    no_auto_create(consumer._client)
    return consumer


async def read_to_end(
    consumer: AIOKafkaConsumer,
    partitions: dict[TopicPartition, int],
    timeout: float = 60.0,
) -> AsyncIterator[list[Any]]:
    """Yield batches of records from each partition's start offset until its high-water mark.

    ``consumer`` must be started; the partitions are (re)assigned here.
    """
    consumer.assign(list(partitions))
    for tp, offset in partitions.items():
        consumer.seek(tp, offset)
    pending = set(partitions)
    deadline = time.monotonic() + timeout
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"reading {sorted(map(str, pending))} to the end took > {timeout}s")
        fetched = await consumer.getmany(*pending, timeout_ms=200)
        for records in fetched.values():
            if records:
                yield records
        for tp in list(pending):
            highwater = consumer.highwater(tp)
            if highwater is not None and await consumer.position(tp) >= highwater:
                pending.discard(tp)


async def first_offset(
    conn: KafkaConnection, tp: TopicPartition, start: int, timeout: float = 5.0
) -> int | None:
    """Offset of the first record at or after ``start`` (None: none arrived in ``timeout``).

    Below the log start (retention) the reader resets to the earliest record, so a result above
    ``start`` means the offsets in between hold no records.
    """
    consumer = source_reader(conn)
    await consumer.start()
    try:
        consumer.assign([tp])
        consumer.seek(tp, start)
        fetched = await consumer.getmany(tp, timeout_ms=int(timeout * 1000), max_records=1)
        records = fetched.get(tp) or []
        return int(records[0].offset) if records else None
    finally:
        await consumer.stop()


@dataclass(frozen=True, slots=True)
class PartitionView:
    """What the broker holds now: log start, high-water mark (from a fetch, see known-issues.md
    on ``end_offsets``) and the CRC-32 of the value at the asked offset (None: no such record)."""

    start: int
    highwater: int
    crc: int | None


async def partition_view(
    conn: KafkaConnection, tp: TopicPartition, offset: int, timeout: float = 5.0
) -> PartitionView | None:
    """The partition as the broker holds it now; None when no fetch was answered in time."""
    consumer = source_reader(conn)
    try:
        await consumer.start()  # inside: a caller's timeout can cancel it, and it is closed
        consumer.assign([tp])
        start = int((await consumer.beginning_offsets([tp]))[tp])
        consumer.seek(tp, max(offset, start))
        fetched = await consumer.getmany(tp, timeout_ms=int(timeout * 1000), max_records=1)
        highwater = consumer.highwater(tp)
        if highwater is None:
            return None
        records = fetched.get(tp) or []
        found = records[0] if records and records[0].offset == offset else None
        crc = zlib.crc32(found.value or b"") if found is not None else None
        return PartitionView(start, int(highwater), crc)
    finally:
        await consumer.stop()


async def topic_partitions(conn: KafkaConnection, topic: str) -> list[TopicPartition]:
    """The topic's partitions; empty when the topic does not exist."""
    count = (await partition_counts(conn, [topic])).get(topic, 0)
    return [TopicPartition(topic, p) for p in range(count)]


async def latest_by_key(
    conn: KafkaConnection, topic: str, partitions: Iterable[int] | None = None
) -> dict[bytes, bytes]:
    """A compacted topic's current content: the latest value per key, tombstones removed."""
    tps = await topic_partitions(conn, topic)
    consumer = reader(conn)
    await consumer.start()
    try:
        if partitions is not None:
            wanted = set(partitions)
            tps = [tp for tp in tps if tp.partition in wanted]
        out: dict[bytes, bytes] = {}
        async for batch in read_to_end(consumer, dict.fromkeys(tps, 0)):
            for record in batch:
                if record.key is None:
                    continue
                if record.value is None:
                    out.pop(record.key, None)
                else:
                    out[record.key] = record.value
        return out
    finally:
        await consumer.stop()


async def read_snapshots(conn: KafkaConnection, topic: str) -> list[Snapshot]:
    """Every current snapshot record of the snapshots topic, ready for ``views.merge``."""
    latest = await latest_by_key(conn, topic)
    return [decode(value) for value in latest.values()]
