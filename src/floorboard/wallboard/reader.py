"""Feeds a RecordStore from the snapshots topic (and the agents topic for the supervisor's screen).
Wallboards only read the topics, so any number of screens can run without adding load to the
workers."""

from __future__ import annotations

import asyncio
import logging
import time

import msgspec
from aiokafka import TopicPartition

from floorboard.engine.snapshot import decode
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.readback import reader
from floorboard.wallboard.store import RecordStore

log = logging.getLogger(__name__)
# Workers publish every record at least once a second; a few thousand records back from the end
# cover every entity without replaying the whole topic.
BACKLOG_RECORDS = 5000


class SnapshotReader:
    def __init__(self, conn: KafkaConnection, *topics: str) -> None:
        self.conn = conn
        self.topics = topics

    async def __call__(self, store: RecordStore) -> None:
        """Read forever, reconnecting after broker trouble; the stale banner shows any gap."""
        while True:
            try:
                await self._run(store)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a broker outage must not kill the board
                log.warning("snapshot reader: %s; retrying", exc)
                await asyncio.sleep(1.0)

    async def _run(self, store: RecordStore) -> None:
        consumer = reader(self.conn, auto_offset_reset="latest")
        await consumer.start()
        try:
            tps: list[TopicPartition] = []
            for topic in self.topics:
                partitions = consumer.partitions_for_topic(topic)
                while not partitions:
                    await consumer.force_metadata_update()
                    partitions = consumer.partitions_for_topic(topic)
                    if not partitions:
                        await asyncio.sleep(0.5)
                tps += [TopicPartition(topic, p) for p in sorted(partitions)]
            consumer.assign(tps)
            # end_offsets may lag the true end on some brokers; it is only a starting point here.
            ends = await consumer.end_offsets(tps)
            for tp in tps:
                consumer.seek(tp, max(0, ends[tp] - BACKLOG_RECORDS))
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=5000)
                received = int(time.time() * 1000)
                for records in batches.values():
                    for record in records:
                        if record.value is None:
                            if record.key is not None:
                                store.remove(record.key.decode())
                            continue
                        try:
                            store.add(decode(record.value), received)
                        except msgspec.DecodeError:
                            log.warning(
                                "snapshot reader: undecodable record at offset %s", record.offset
                            )
        finally:
            await consumer.stop()
