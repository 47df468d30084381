"""Reading source records from a Kafka topic (where a Kinesis bridge puts them), at least once.

Each record's value is one source record. Offsets are committed, in the consumer group, only
after the events of the records before them are delivered; a restart re-reads at most the
uncommitted batch, whose events carry the same ids (duplicates the engine drops). The mapper's
memory is saved with ``--state`` after each commit.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from floorboard.events.model import Event
from floorboard.sources.output import DeadRecord, IngestCounts, Output
from floorboard.sources.run import LineMapper, load_state, save_state
from floorboard.streams.kafka import KafkaConnection


async def ingest_topic(
    source: str,
    conn: KafkaConnection,
    topic: str,
    group: str,
    mapper: LineMapper,
    output: Output,
    counts: IngestCounts,
    stop: asyncio.Event,
    state_path: Path | None = None,
) -> None:
    saved = load_state(state_path)
    if saved is not None:
        mapper.restore(saved.mapper)
    consumer = AIOKafkaConsumer(
        topic, **conn.client_kwargs(), group_id=group, enable_auto_commit=False,
        auto_offset_reset="earliest",
    )  # fmt: skip
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            if not batches:
                continue
            events: list[Event] = []
            dead: list[DeadRecord] = []
            for tp, records in batches.items():
                for record in records:
                    raw = record.value or b""
                    result = mapper.map_raw(raw)
                    counts.add(source, result.outcome, result.reason)
                    events += result.events
                    if result.outcome == "rejected":
                        origin = f"{tp.topic}/{tp.partition}@{record.offset}"
                        dead.append(DeadRecord(raw, result.reason, result.message, origin))
            await output.write(events, dead)
            await consumer.commit()
            if state_path is not None:
                save_state(state_path, None, mapper.state())
    finally:
        await consumer.stop()
