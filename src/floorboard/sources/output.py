"""Where an adapter's events and rejected records go, and the counts of every source record.

Events: a JSONL file (one event per line) or the events topic (one event per record, keyed by
``partition_key``: the contact, or the team for agent states). Rejected records keep their
original bytes: as the value of a record on the dead-letter topic, or base64 in a JSONL
dead-letter file, with the reason and message beside them. On Kafka the headers are the
worker's (floorboard.streams.worker.deadletter), so one reader serves both, plus two::

    floorboard.reason     the adapter's reason (truncated, bad_time, bad_number, …)
    floorboard.message    what is wrong, naming the field
    floorboard.topic      ingest/<source>: not from a topic
    floorboard.partition  -1
    floorboard.offset     byte offset of the line in its file (-1 when not from a file)
    floorboard.batch      0
    floorboard.source     the adapter (asterisk, …)
    floorboard.origin     where the record came from (file@offset, or peer)
"""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import msgspec
import orjson
from aiokafka.errors import KafkaError
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from floorboard.events.model import Event
from floorboard.metrics.names import INGEST_RECORDS
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.produce import EventProducer

_encoder = msgspec.json.Encoder()  # the codec's encoding, into one buffer per batch


class OutputUnavailable(Exception):
    """The broker cannot be reached or a topic is missing."""


@dataclass(frozen=True, slots=True)
class DeadRecord:
    raw: bytes
    reason: str
    message: str
    origin: str
    offset: int = -1


class Output(Protocol):
    async def write(self, events: list[Event], dead: list[DeadRecord]) -> None:
        """Deliver and wait: once it returns, everything is on the broker or in the file."""

    async def close(self) -> None: ...


class JsonlOutput:
    def __init__(self, out: IO[bytes], dead: IO[bytes], source: str) -> None:
        self.out, self.dead, self.source = out, dead, source

    @classmethod
    def open(cls, path: Path, dead_path: Path | None, source: str, append: bool) -> JsonlOutput:
        mode = "ab" if append else "wb"
        dead = dead_path or path.with_name(path.name + ".deadletter")
        return cls(path.open(mode), dead.open(mode), source)

    async def write(self, events: list[Event], dead: list[DeadRecord]) -> None:
        if events:
            buffer = bytearray()
            for event in events:
                _encoder.encode_into(event, buffer, -1)
                buffer += b"\n"
            self.out.write(buffer)
            self.out.flush()
        if dead:
            self.dead.write(b"".join(self._dead_line(d) for d in dead))
            self.dead.flush()

    def _dead_line(self, d: DeadRecord) -> bytes:
        doc = {
            "source": self.source, "reason": d.reason, "message": d.message,
            "origin": d.origin, "raw_base64": base64.b64encode(d.raw).decode(),
        }  # fmt: skip
        return orjson.dumps(doc) + b"\n"

    async def close(self) -> None:
        self.out.close()
        self.dead.close()


class KafkaOutput:
    def __init__(self, conn: KafkaConnection, topic: str, deadletter_topic: str, source: str):
        self.events = EventProducer(conn, topic, batch_events=1)
        self.deadletters = EventProducer(conn, deadletter_topic, partitions=1)
        self.source = source

    async def start(self) -> None:
        try:
            await self.events.start()
            await self.deadletters.start()
        except (RuntimeError, KafkaError) as exc:
            await self.close()
            raise OutputUnavailable(str(exc) or type(exc).__name__) from None

    async def write(self, events: list[Event], dead: list[DeadRecord]) -> None:
        futures: list[asyncio.Future[Any]] = []
        for partition, key, value in self.events.records(events):
            futures.append(await self.events.send_raw(value, key, partition))
        for d in dead:
            headers = [
                ("floorboard.reason", d.reason.encode()),
                ("floorboard.message", d.message.encode()),
                ("floorboard.topic", f"ingest/{self.source}".encode()),
                ("floorboard.partition", b"-1"),
                ("floorboard.offset", str(d.offset).encode()),
                ("floorboard.batch", b"0"),
                ("floorboard.source", self.source.encode()),
                ("floorboard.origin", d.origin.encode()),
            ]
            futures.append(await self.deadletters.send_raw(d.raw, headers=headers))
        await asyncio.gather(*futures)

    async def close(self) -> None:
        await self.events.stop()
        await self.deadletters.stop()


class IngestCounts(Collector):
    """``floorboard_ingest_records_total{source,outcome,reason}``: every source record once."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, str]] = Counter()

    def add(self, source: str, outcome: str, reason: str, n: int = 1) -> None:
        self.counts[(source, outcome, reason)] += n

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            INGEST_RECORDS.name.removesuffix("_total"),
            INGEST_RECORDS.help,
            labels=INGEST_RECORDS.labels,
        )
        for labels, n in sorted(self.counts.items()):
            family.add_metric(labels, n)
        yield family

    def summary(self) -> str:
        by_outcome: Counter[str] = Counter()
        for (_, outcome, _), n in self.counts.items():
            by_outcome[outcome] += n
        return ", ".join(f"{k} {by_outcome[k]}" for k in ("mapped", "ignored", "rejected"))

    def lines(self) -> Iterable[str]:
        for (source, outcome, reason), n in sorted(self.counts.items()):
            if outcome != "mapped":
                yield f"{source} {outcome} {reason}: {n}"
