"""The ceiling: raw aiokafka ``getmany`` over the same topic, decoding nothing."""

from __future__ import annotations

import time

from aiokafka import AIOKafkaConsumer, TopicPartition


async def drain(bootstrap: str, topic: str, expected_records: int) -> float:
    """Seconds to fetch ``expected_records`` records from the start of every partition."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
        auto_offset_reset="earliest", max_partition_fetch_bytes=16 << 20, fetch_max_bytes=64 << 20,
    )  # fmt: skip
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, 0)
        seen = 0
        start = time.perf_counter()
        while seen < expected_records:
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            seen += sum(len(records) for records in batches.values())
        return time.perf_counter() - start
    finally:
        await consumer.stop()
