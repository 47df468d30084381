"""``ingest amazon-connect --topic``: records from a Kafka topic, committed after delivery."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from floorboard.sources.amazon_connect import ConnectMapper
from floorboard.sources.output import IngestCounts, JsonlOutput
from floorboard.sources.topic import ingest_topic
from floorboard.streams.broker import EmbeddedBroker
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.topics import TopicSpec, ensure_topics
from tests.sources.test_amazon_connect import OPTIONS, contact_event, ctr

pytestmark = pytest.mark.broker


async def consume_until(
    conn: KafkaConnection, topic: str, group: str, out: Path, counts: IngestCounts, records: int
) -> None:
    output = JsonlOutput.open(out, None, "amazon-connect", append=True)
    stop = asyncio.Event()
    task = asyncio.create_task(
        ingest_topic(
            "amazon-connect", conn, topic, group, ConnectMapper(OPTIONS), output, counts, stop
        )
    )
    try:
        async with asyncio.timeout(60):
            while sum(counts.counts.values()) < records:
                assert not task.done(), task.exception()
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
        await output.close()


async def test_records_are_read_once_across_a_restart(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    conn = KafkaConnection(broker.bootstrap)
    topic, group = f"connect-{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    await ensure_topics(conn, [TopicSpec(topic, 1)])
    producer = AIOKafkaProducer(**conn.client_kwargs(), enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(topic, orjson.dumps(contact_event("QUEUED")))
        await producer.send_and_wait(topic, b"{oops")
        out, counts = tmp_path / "events.jsonl", IngestCounts()
        await consume_until(conn, topic, group, out, counts, 2)
        await producer.send_and_wait(topic, orjson.dumps(ctr()))
        await consume_until(conn, topic, group, out, counts, 3)
    finally:
        await producer.stop()
    ids = [orjson.loads(x)["id"] for x in out.read_bytes().splitlines()]
    assert ids == ["ac-c-1-o", "ac-c-2-o", "ac-c-2-a"]  # nothing read twice
    dead = [
        orjson.loads(x) for x in (tmp_path / "events.jsonl.deadletter").read_bytes().splitlines()
    ]
    assert [(d["reason"], d["origin"]) for d in dead] == [("malformed_json", f"{topic}/0@1")]
