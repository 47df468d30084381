"""One source partition on one worker: its engine, its read position and what it produced.

Pure: no Kafka here. The worker feeds records in partition order; this class applies them to
the engine with stable per-event offsets, turns everything it cannot count into dead letters and
tells the worker when the consumer position is wrong (records delivered from before the restored
checkpoint are skipped; a jump past the expected offset asks for a seek back).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from floorboard.engine.engine import REFUSED, Engine
from floorboard.events.codec import decode_record, encode
from floorboard.events.model import Event, event_type
from floorboard.streams.worker.deadletter import DeadLetter
from floorboard.streams.worker.histogram import Histogram
from floorboard.streams.worker.offsets import event_offset, record_end, resume_record

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
    def __init__(
        self,
        engine: Engine,
        topic: str,
        partition: int,
        exact_at: int = -1,
        delay: Histogram | None = None,
    ) -> None:
        self.engine = engine
        self.delay = delay  # event time to applied, in seconds, of applied events
        self.topic = topic
        self.partition = partition
        self.next_offset = resume_record(exact_at)  # next source record to apply
        self.checkpointed = exact_at  # engine offset of the last durable checkpoint
        self.changed = True  # since the last snapshot publish
        self.stats: Counter[str] = Counter()
        self.published_keys: set[tuple[str, bytes]] = set()  # (topic, key)
        self._seek_at: float | None = None  # monotonic time of the last seek request
        self.mismatch_since: float | None = None  # first out-of-position record since in order
        # (offset, CRC-32 of the value) of the last record applied in this process: a source
        # holding another record there has started over.
        self.last_record: tuple[int, int] | None = None

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

    def restart_source(self, first: int, gone: int) -> None:
        """The topic starts over (the record applied at offset ``gone`` is not there any more;
        the broker restarted or the topic was recreated): keep the state, read the new topic
        from ``first``."""
        log.warning(
            "%s: the source topic starts over: the record applied at offset %d is gone (the last "
            "one applied is at %d), and the topic begins again at %d (broker restarted or topic "
            "recreated); keeping today's state and reading the new topic from its start; events "
            "produced while the topic was gone are missing from the figures",
            self.source, gone, self.next_offset - 1, first,
        )  # fmt: skip
        self.stats["source_resets"] += 1
        self.engine.restart_source(event_offset(first, 0))
        self.next_offset = first
        self.last_record = None
        self.checkpointed = -1  # the next checkpoint is at the new, lower offset
        self._seek_at = self.mismatch_since = None
        self.changed = True

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
        # Limits keep a record's events below STRIDE (config: limits.max_batch_events).
        events, rejected = decode_record(value, engine.config.limits.codec)
        dead: list[DeadLetter] = []
        for bad in rejected:
            engine.count_rejected(bad.reason, bad.count)
            dead.append(self._dead(record, batch, bad.reason, bad.message, bad.raw,
                                   bad.event_id, bad.event_type, bad.count))  # fmt: skip
        stats = self.stats
        delay, wall_s = self.delay, time.time()
        # The codec keeps a record's events below STRIDE, so offsets are first + index. Applied
        # events, nearly all of them, are counted once per record.
        apply, first, applied = engine.apply, event_offset(record.offset, 0), 0
        for index, event in enumerate(events):
            outcome = apply(event, first + index)
            if outcome == "applied":
                applied += 1
                if delay is not None:
                    delay.observe(wall_s - event.ts / 1000)
                continue
            stats[outcome] += 1
            if outcome in REFUSED:
                raw = encode(event) if batch else value
                dead.append(self._dead(record, batch, outcome, self._refusal(event, outcome),
                                       raw, event.id, event_type(event)))  # fmt: skip
        if applied:
            stats["applied"] += applied
        stats["records"] += 1
        stats["events"] += len(events) + sum(bad.count for bad in rejected)
        if batch and not events and not rejected:
            stats["empty_batches"] += 1
        for letter in dead:
            stats["dead_letter:" + letter.reason] += letter.count
        self.next_offset = record.offset + 1
        self.last_record = (record.offset, zlib.crc32(value))
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
        count: int = 1,
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
            count=count,
        )

    def _refusal(self, event: Event, outcome: str) -> str:
        who = f"event {event.id} ({event_type(event)})"
        if outcome == "unknown_site":
            return f"{who}: site: {event.site!r} is not a configured site"
        if outcome == "unknown_queue":
            queue = getattr(event, "queue", "")
            return f"{who}: queue: {queue!r} is not a configured queue of site {event.site}"
        if outcome == "too_many_teams":
            bound = self.engine.config.limits.max_teams_per_site
            team = getattr(event, "team", "")
            return (
                f"{who}: team: {team!r} would be team name number {bound + 1} of site "
                f"{event.site} (limits.max_teams_per_site={bound})"
            )
        if outcome == "from_future":
            skew = self.engine.config.engine.max_future_skew_s
            return f"{who}: ts: {_iso(event.ts)} is more than max_future_skew_s={skew} ahead of now"
        watermark = self.engine.watermarks.get(event.site, event.ts)
        allowed = self.engine.config.engine.allowed_lateness_s
        return (
            f"{who}: ts: {_iso(event.ts)} is more than allowed_lateness_s={allowed} behind "
            f"site {event.site}'s newest event time {_iso(watermark)} in this partition"
        )


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).isoformat(timespec="milliseconds")
