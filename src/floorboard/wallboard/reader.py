"""Feeds a RecordStore from the snapshots topic (and the agents topic for the supervisor's screen).
Wallboards only read the topics, so any number of screens can run without adding load to the
workers."""

from __future__ import annotations

import asyncio
import logging
import time

import msgspec
from aiokafka import AIOKafkaConsumer, TopicPartition

from floorboard.engine.snapshot import decode
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.readback import reader
from floorboard.wallboard.link import Link, wall_ms
from floorboard.wallboard.store import RecordStore

log = logging.getLogger(__name__)
# Workers publish every record at least once a second; a few thousand records back from the end
# cover every entity without replaying the whole topic.
BACKLOG_RECORDS = 5000
RETRY_S = 2.0
# aiokafka retries a lost broker quietly inside getmany(): after this long without records the
# reader asks the broker for the partitions' ends, and takes no answer as the broker being gone.
PROBE_AFTER_S = 5.0
PROBE_TIMEOUT_S = 5.0
# How often a reader looks again for a topic that did not exist yet.
TOPIC_CHECK_S = 5.0


class BrokerUnreachable(Exception):
    """The broker stopped answering a connected reader."""


class SnapshotReader:
    def __init__(
        self,
        conn: KafkaConnection,
        *topics: str,
        retry_s: float = RETRY_S,
        probe_after_s: float = PROBE_AFTER_S,
        probe_timeout_s: float = PROBE_TIMEOUT_S,
    ) -> None:
        self.conn = conn
        self.topics = topics
        self.retry_s = retry_s
        self.probe_after_s = probe_after_s
        self.probe_timeout_s = probe_timeout_s
        self.link = Link(conn.bootstrap)

    async def __call__(self, store: RecordStore) -> None:
        """Read forever, reconnecting after broker trouble; the board shows the outage meanwhile."""
        while True:
            try:
                await self._run(store)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a broker outage must not kill the board
                if self.link.down_since_ms is None:  # one line per outage, not per retry
                    log.warning("snapshot reader: %s; retrying every %g s", exc, self.retry_s)
                self.link.mark_down(wall_ms(), str(exc) or type(exc).__name__)
                await asyncio.sleep(self.retry_s)

    async def _run(self, store: RecordStore) -> None:
        """One consumer's life: until an error, or until a topic that was missing appears (a
        new consumer then reads it: a running one does not learn of topics created after it)."""
        consumer = reader(self.conn, auto_offset_reset="latest")
        try:
            # Inside the try: a start that fails must still close the consumer.
            await consumer.start()
            self.link.mark_up()
            while not (tps := self._partitions(consumer)):
                await asyncio.sleep(0.5)
                if await self._appeared(consumer, []):
                    return
            consumer.assign(tps)
            # end_offsets may lag the true end on some brokers; it is only a starting point here.
            ends = await consumer.end_offsets(tps)
            for tp in tps:
                consumer.seek(tp, max(0, ends[tp] - BACKLOG_RECORDS))
            await self._consume(consumer, tps, store)
        finally:
            await consumer.stop()

    def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        """The partitions of the topics that exist; a supervisor's board reads the snapshots
        while the agents topic does not exist yet."""
        return [
            TopicPartition(topic, p)
            for topic in self.topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]

    async def _appeared(self, consumer: AIOKafkaConsumer, tps: list[TopicPartition]) -> bool:
        """Whether a topic missing from ``tps`` exists now."""
        missing = set(self.topics) - {tp.topic for tp in tps}
        return bool(missing and missing & await consumer.topics())

    async def _consume(
        self, consumer: AIOKafkaConsumer, tps: list[TopicPartition], store: RecordStore
    ) -> None:
        quiet_since = next_topic_check = time.monotonic()
        while True:
            if time.monotonic() >= next_topic_check:
                if await self._appeared(consumer, tps):
                    return
                next_topic_check = time.monotonic() + TOPIC_CHECK_S
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            received = wall_ms()
            if any(batches.values()):
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > self.probe_after_s:
                try:
                    await asyncio.wait_for(consumer.end_offsets(tps), self.probe_timeout_s)
                except TimeoutError as exc:
                    raise BrokerUnreachable(f"no answer from {self.link.address}") from exc
                quiet_since = time.monotonic()
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
