"""One source partition on one worker: its engine, its read position and what it produced.

Pure: no Kafka here. The worker feeds records in partition order; this class applies them to
the engine with stable per-event offsets, turns everything it cannot count into dead letters and
tells the worker when the consumer position is wrong (records delivered from before the restored
checkpoint are skipped; a jump past the expected offset asks for a seek back).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from floorboard.engine.engine import Engine
from floorboard.events.codec import decode_record, encode
from floorboard.events.model import Event, event_type
from floorboard.streams.worker.deadletter import DeadLetter
from floorboard.streams.worker.offsets import STRIDE, event_offset, record_end, resume_record

log = logging.getLogger(__name__)

SEEK_RETRY_S = 1.0


class Record(Protocol):
    """A source record as fetched (aiokafka's ConsumerRecord) or built (SourceRecord)."""

    @property
    def offset(self) -> int: ...

    @property
    def key(self) -> bytes | None: ...

    @property
    def value(self) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class SourceRecord:
    offset: int
    key: bytes | None
    value: bytes | None


Position = Literal["ok", "seek"]


class PartitionState:
    def __init__(self, engine: Engine, topic: str, partition: int, exact_at: int = -1) -> None:
        self.engine = engine
        self.topic = topic
        self.partition = partition
        self.next_offset = resume_record(exact_at)  # next source record to apply
        self.checkpointed = exact_at  # engine offset of the last durable checkpoint
        self.changed = True  # since the last snapshot publish
        self.stats: Counter[str] = Counter()
        self.published_keys: set[tuple[str, bytes]] = set()  # (topic, key)
        self._seek_at: float | None = None  # monotonic time of the last seek request
        self.mismatch_since: float | None = None  # first out-of-position record since in order

    @property
    def source(self) -> str:
        return f"{self.topic}/{self.partition}"  # the metrics take the partition after "/"

    @property
    def processed_offset(self) -> int:
        """Engine offset covering every record applied so far (-1: none)."""
        return record_end(self.next_offset - 1) if self.next_offset > 0 else -1

    @property
    def needs_checkpoint(self) -> bool:
        return self.processed_offset > self.checkpointed or self.engine.state.dirty_count > 0

    def apply_records(
        self, records: Iterable[Record], now: float
    ) -> tuple[list[DeadLetter], Position]:
        """Apply records in order; returns dead letters and whether to seek to next_offset."""
        dead: list[DeadLetter] = []
        position: Position = "ok"
        for record in records:
            if record.offset == self.next_offset:
                dead.extend(self._apply(record))
                self._seek_at = self.mismatch_since = None
                continue
            if self.mismatch_since is None:
                self.mismatch_since = now
            if record.offset < self.next_offset:
                self.stats["skipped_behind"] += 1  # already inside the restored state
                if self.next_offset - record.offset > 1 and self._may_seek(now):
                    position = "seek"  # far behind: jump forward instead of reading through
            else:
                # Never applied out of order: the records in between must come first. Only a
                # broker read (see WorkerRuntime._probe) may establish that they do not exist.
                self.stats["skipped_ahead"] += 1
                if self._may_seek(now):
                    position = "seek"
        return dead, position

    def skip_missing(self, first_existing: int) -> None:
        """The broker holds no records before ``first_existing`` (retention, control records)."""
        if first_existing <= self.next_offset:
            return
        log.warning(
            "%s: offsets %d..%d do not exist on the broker; continuing at %d",
            self.source, self.next_offset, first_existing - 1, first_existing,
        )  # fmt: skip
        self.stats["offsets_missing"] += first_existing - self.next_offset
        self.next_offset = first_existing

    def wants_seek(self, now: float) -> bool:
        """Still out of position, and the last seek is old enough to ask again."""
        return self.mismatch_since is not None and self._may_seek(now)

    def _may_seek(self, now: float) -> bool:
        if self._seek_at is not None and now - self._seek_at < SEEK_RETRY_S:
            return False
        self._seek_at = now
        return True

    def _apply(self, record: Record) -> list[DeadLetter]:
        engine = self.engine
        value = record.value if record.value is not None else b""
        batch = value.lstrip()[:1] == b"["
        events, rejected = decode_record(value)
        dead: list[DeadLetter] = []
        for bad in rejected:
            engine.count_rejected(bad.reason)
            dead.append(self._dead(record, batch, bad.reason, bad.message, bad.raw,
                                   bad.event_id, bad.event_type))  # fmt: skip
        stats = self.stats
        for index, event in enumerate(events):
            if index >= STRIDE:
                engine.count_rejected("invalid")
                message = f"event {event.id}: record holds more than {STRIDE} events"
                dead.append(self._dead(record, batch, "invalid", message, encode(event),
                                       event.id, event_type(event)))  # fmt: skip
                continue
            outcome = engine.apply(event, event_offset(record.offset, index))
            stats[outcome] += 1
            if outcome == "too_late" or outcome == "unknown_site":
                raw = encode(event) if batch else value
                dead.append(self._dead(record, batch, outcome, self._refusal(event, outcome),
                                       raw, event.id, event_type(event)))  # fmt: skip
        stats["records"] += 1
        stats["events"] += len(events) + len(rejected)
        for letter in dead:
            stats["dead_letter:" + letter.reason] += 1
        self.next_offset = record.offset + 1
        self.changed = True
        return dead

    def _dead(
        self,
        record: Record,
        batch: bool,
        reason: str,
        message: str,
        raw: bytes,
        event_id: str | None,
        etype: str | None,
    ) -> DeadLetter:
        return DeadLetter(
            reason=reason,
            message=message,
            raw=raw,
            topic=self.topic,
            partition=self.partition,
            offset=record.offset,
            key=record.key,
            batch=batch,
            event_id=event_id,
            event_type=etype,
        )

    def _refusal(self, event: Event, outcome: str) -> str:
        who = f"event {event.id} ({event_type(event)})"
        if outcome == "unknown_site":
            return f"{who}: site: {event.site!r} is not a configured site"
        watermark = self.engine.watermarks.get(event.site, event.ts)
        allowed = self.engine.config.engine.allowed_lateness_s
        return (
            f"{who}: ts: {_iso(event.ts)} is more than allowed_lateness_s={allowed} behind "
            f"site {event.site}'s newest event time {_iso(watermark)} in this partition"
        )


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).isoformat(timespec="milliseconds")
