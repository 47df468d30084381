"""Engine checkpoints in the worker's own compacted topic, one partition per source partition.

Each checkpoint is written in the engine's two steps (floorboard/engine/state.py), both into the
checkpoint partition with the source partition's number:

1. a *write-ahead* record, key ``wal``: the whole :class:`Checkpoint` (offset, watermarks,
   counters and every changed key) in one record, so it is atomic;
2. one record per changed key (value None = tombstone), which compaction keeps latest-per-key.

Restore reads the partition to its high-water mark, keeps the latest value per key and the last
write-ahead record, and lets the engine re-apply that record over the table. Step 2 of the
restored record may have been cut short by the crash, so before the next write-ahead record the
worker writes the restored record's keys again (``redo``); otherwise a later restore, which only
re-applies the *newest* write-ahead record, would miss keys that only the older one changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiokafka import TopicPartition

from floorboard.engine.engine import Engine
from floorboard.engine.state import Checkpoint
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.readback import read_to_end, reader

WAL_KEY = b"wal"  # engine keys are msgpack arrays (first byte 0x9X/0xDC/0xDD): no clash

# (topic, partition, [(key, value)]) -> future of the partition's end offset once all are stored
SendMany = Callable[[str, int, Sequence[tuple[bytes, bytes | None]]], Awaitable[Awaitable[int]]]
LogRecord = tuple[int, bytes | None, bytes | None]  # offset, key, value
# (partition, start offset) -> the partition's records from there to its end
ReadFrom = Callable[[int, int], Awaitable[list[LogRecord]]]


@dataclass(frozen=True, slots=True)
class Restored:
    items: dict[bytes, bytes]
    last: Checkpoint | None
    records_read: int
    end: int = 0  # offset after the last record read

    @property
    def needs_redo(self) -> bool:
        """Whether step 2 of the last checkpoint may be incomplete (some key differs)."""
        if self.last is None:
            return False
        return any(self.items.get(key) != value for key, value in self.last.changes)


def fold(records: Sequence[tuple[bytes | None, bytes | None]], end: int = 0) -> Restored:
    """The latest value per key and the last write-ahead record of a checkpoint partition."""
    items: dict[bytes, bytes] = {}
    last_raw: bytes | None = None
    for key, value in records:
        if key is None:
            continue
        if key == WAL_KEY:
            if value is not None:
                last_raw = value
        elif value is None:
            items.pop(key, None)
        else:
            items[key] = value
    last = Checkpoint.decode(last_raw) if last_raw is not None else None
    return Restored(items, last, len(records), end)


def restore_engine(engine: Engine, restored: Restored) -> int:
    """Load a fresh engine; returns the engine offset its state is exact at (-1: empty)."""
    return engine.restore(restored.items.items(), restored.last)


def kafka_reader(conn: KafkaConnection, topic: str) -> ReadFrom:
    """Read a checkpoint partition from an offset to its high-water mark."""

    async def read_from(partition: int, start: int) -> list[LogRecord]:
        consumer = reader(conn)
        await consumer.start()
        out: list[LogRecord] = []
        try:
            tp = TopicPartition(topic, partition)
            async for batch in read_to_end(consumer, {tp: start}, timeout=300.0):
                out.extend((r.offset, r.key, r.value) for r in batch)
        finally:
            await consumer.stop()
        return out

    return read_from


class CheckpointStore:
    def __init__(self, topic: str, read_from: ReadFrom, send_many: SendMany) -> None:
        self.topic = topic
        self._read_from = read_from
        self._send_many = send_many

    async def load(self, partition: int) -> Restored:
        records = await self._read_from(partition, 0)
        end = records[-1][0] + 1 if records else 0
        return fold([(key, value) for _, key, value in records], end)

    async def written_since(self, partition: int, end: int) -> bool:
        """Whether anyone wrote to the checkpoint partition at or after offset ``end``."""
        return bool(await self._read_from(partition, end))

    async def write(
        self,
        partition: int,
        checkpoint: Checkpoint,
        redo: list[tuple[bytes, bytes | None]] | None = None,
    ) -> int:
        """Both steps of one checkpoint (after ``redo``), each awaited before the next begins.

        Returns the checkpoint partition's end offset after the last record written.
        """
        if redo:
            await self._write_keys(partition, redo)
        end = await self._write_keys(partition, [(WAL_KEY, checkpoint.encode())])
        return max(end, await self._write_keys(partition, checkpoint.changes))

    async def _write_keys(self, partition: int, items: list[tuple[bytes, bytes | None]]) -> int:
        return await (await self._send_many(self.topic, partition, items))
