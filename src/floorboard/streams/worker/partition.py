"""One source partition on one worker: its engine, its read position and what it produced.

Pure: no Kafka here. The worker feeds records in partition order; this class applies them to
the engine with stable per-event offsets, turns everything it cannot count into dead letters and
tells the worker when the consumer position is wrong (records delivered from before the restored
checkpoint are skipped; a jump past the expected offset asks for a seek back).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
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
from floorboard.streams.worker.offsets import STRIDE, event_offset, record_end, resume_record

log = logging.getLogger(__name__)

SEEK_RETRY_S = 1.0
# ASCII whitespace, as bytes.lstrip() strips it, then the bracket of a JSON array.
_ARRAY_START = re.compile(rb"\s*\[")


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
        self._limits = engine.config.limits.codec
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
        # Counted once per call rather than per record: a Counter update per record costs as
        # much as a small event's decoding.
        tally = _Tally(time.time())
        last: Record | None = None
        for record in records:
            if record.offset == self.next_offset:
                self._apply(record, tally, dead)
                self.next_offset = record.offset + 1
                self._seek_at = self.mismatch_since = None
                last = record
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
        if last is not None:
            # Only the last record applied is compared with the source later (WorkerRuntime).
            self.last_record = (last.offset, zlib.crc32(last.value or b""))
            self.changed = True
            tally.add_to(self.stats)
            if self.delay is not None:
                self.delay.observe_ages(tally.wall_s, tally.applied)
        for letter in dead:
            self.stats["dead_letter:" + letter.reason] += letter.count
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

    def _apply(self, record: Record, tally: _Tally, dead: list[DeadLetter]) -> None:
        engine = self.engine
        value = record.value if record.value is not None else b""
        # Limits keep a record's events below STRIDE (config: limits.max_batch_events).
        events, rejected = decode_record(value, self._limits)
        # Whether the record is an array: only its dead letters ask, once per record.
        batch = _is_batch(value) if rejected else None
        for bad in rejected:
            engine.count_rejected(bad.reason, bad.count)
            dead.append(self._dead(record, bool(batch), bad.reason, bad.message, bad.raw,
                                   bad.event_id, bad.event_type, bad.count))  # fmt: skip
            tally.events += bad.count
        # The codec keeps a record's events below STRIDE, so offsets are first + index.
        apply, offset, applied = engine.apply, record.offset * STRIDE, tally.applied
        for event in events:
            outcome = apply(event, offset)
            offset += 1
            if outcome == "applied":
                applied.append(event.ts)
                continue
            self.stats[outcome] += 1
            if outcome in REFUSED:
                if batch is None:
                    batch = _is_batch(value)
                raw = encode(event) if batch else value
                dead.append(self._dead(record, batch, outcome, self._refusal(event, outcome),
                                       raw, event.id, event_type(event)))  # fmt: skip
        tally.records += 1
        tally.events += len(events)
        if not events and not rejected and _is_batch(value):
            self.stats["empty_batches"] += 1

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


def _is_batch(value: bytes) -> bool:
    """Whether a record holds a JSON array of events (its dead letters say so); matched in
    place, since stripping would copy a record of up to ``limits.max_record_bytes``."""
    return _ARRAY_START.match(value) is not None


class _Tally:
    """What one ``apply_records`` call counts, added to the partition's stats at its end."""

    __slots__ = ("applied", "events", "records", "wall_s")

    def __init__(self, wall_s: float) -> None:
        self.wall_s = wall_s  # the wall clock the applied events' delays are measured against
        self.applied: list[int] = []  # event times of the applied events
        self.events = self.records = 0

    def add_to(self, stats: Counter[str]) -> None:
        if self.applied:
            stats["applied"] += len(self.applied)
        stats["records"] += self.records
        stats["events"] += self.events
