"""Reading to the end on a broker whose end_offsets() is wrong (docs/known-issues.md)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition

from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.readback import (
    first_offset,
    latest_by_key,
    partition_view,
    read_to_end,
    reader,
)
from floorboard.streams.topics import TopicMismatch, TopicSpec, ensure_topics, partition_counts

pytestmark = pytest.mark.broker


async def write_batch(bootstrap: str, topic: str, items: list[tuple[bytes, bytes | None]]) -> None:
    """All items in one record batch: the case Tansu's ListOffsets gets wrong."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        batch = producer.create_batch()
        for key, value in items:
            batch.append(key=key, value=value, timestamp=None)
        await (await producer.send_batch(batch, topic, partition=0))
    finally:
        await producer.stop()


async def test_read_to_end_reads_the_whole_last_batch(broker: EmbeddedBroker) -> None:
    conn = KafkaConnection(broker.bootstrap)
    topic = f"rb-{uuid.uuid4().hex[:8]}"
    await ensure_topics(conn, [TopicSpec(topic, 1)])
    await write_batch(broker.bootstrap, topic, [(b"k%d" % i, b"v%d" % i) for i in range(10)])
    consumer = reader(conn)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        got = [r.offset async for batch in read_to_end(consumer, {tp: 0}) for r in batch]
        assert got == list(range(10))
        assert [r.offset async for batch in read_to_end(consumer, {tp: 10}) for r in batch] == []
    finally:
        await consumer.stop()
    assert await first_offset(conn, TopicPartition(topic, 0), 4) == 4
    assert await first_offset(conn, TopicPartition(topic, 0), 10, timeout=0.5) is None


async def test_latest_by_key_applies_tombstones(broker: EmbeddedBroker) -> None:
    conn = KafkaConnection(broker.bootstrap)
    topic = f"rb-{uuid.uuid4().hex[:8]}"
    await ensure_topics(conn, [TopicSpec(topic, 1, {"cleanup.policy": "compact"})])
    await write_batch(broker.bootstrap, topic, [(b"a", b"1"), (b"b", b"1"), (b"a", b"2")])
    await write_batch(broker.bootstrap, topic, [(b"b", None), (b"c", b"3")])
    assert await latest_by_key(conn, topic) == {b"a": b"2", b"c": b"3"}


async def test_topics_are_created_once_and_mismatches_refused(broker: EmbeddedBroker) -> None:
    conn = KafkaConnection(broker.bootstrap)
    name = f"tp-{uuid.uuid4().hex[:8]}"
    assert await ensure_topics(conn, [TopicSpec(name, 3)]) == {name: 3}
    assert await ensure_topics(conn, [TopicSpec(name, 3)]) == {name: 3}
    assert await ensure_topics(conn, [TopicSpec(name, 5, exact=False)]) == {name: 3}
    with pytest.raises(TopicMismatch, match=f"{name} has 3 partitions, 6 are needed"):
        await ensure_topics(conn, [TopicSpec(name, 6)])
    assert await partition_counts(conn, [name, "no-such-topic"]) == {name: 3}


async def test_a_source_check_does_not_create_the_topic_it_asks_about(
    broker: EmbeddedBroker,
) -> None:
    # After a broker restart the worker's checks came first and created the events topic with
    # the broker's default of 4 partitions, before its owner recreated it with its own count.
    conn = KafkaConnection(broker.bootstrap)
    topic = f"gone-{uuid.uuid4().hex[:8]}"
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(partition_view(conn, TopicPartition(topic, 0), 0), 3)
    assert await partition_counts(conn, [topic]) == {}
    # an ordinary client still creates topics by naming them (the broker's setting)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await (await producer.send(topic, b"x"))
    finally:
        await producer.stop()
    assert await partition_counts(conn, [topic]) == {topic: 4}
