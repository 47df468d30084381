"""The worker's partitions and the work around them, independent of Faust.

* assignment: restore each partition's engine from its checkpoint and set the read position;
* batches: apply records, queue dead letters, ask for a seek when the position is off;
* every ``checkpoint_interval_s`` (or when many keys changed): dead letters delivered, then the
  engine checkpoint in its two steps; a failed write is merged into the next attempt;
* soon after changes (``publish_changes``, after a fetch and from a short timer, one partition
  at a time) and every ``snapshot_interval_s`` for partitions not published meanwhile: snapshot
  records;
* revocation: a final checkpoint, then the engine is parked in case the partition comes back.

``app.py`` connects this to Faust's agent, signals, timers and web server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from floorboard.config import Config, RuntimeSettings
from floorboard.engine.engine import Engine
from floorboard.engine.layout import Layout
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import Snapshot
from floorboard.engine.state import Checkpoint
from floorboard.streams.readback import PartitionView
from floorboard.streams.worker.checkpoint import CheckpointStore, restore_engine
from floorboard.streams.worker.deadletter import DeadLetter
from floorboard.streams.worker.health import Health
from floorboard.streams.worker.histogram import BATCH_BOUNDS_S, DELAY_BOUNDS_S, Histogram
from floorboard.streams.worker.outputs import Sink
from floorboard.streams.worker.partition import PartitionState, Record
from floorboard.streams.worker.publisher import day_publication, snapshot_records
from floorboard.streams.worker.settings import WorkerSettings

log = logging.getLogger(__name__)
DELIVERY_ATTEMPTS = 5
# Out of position this long despite seeking: ask the broker whether the missing offsets exist.
PROBE_AFTER_S = 5.0
# How often the broker is asked for the log start of the owned partitions (readiness, resets).
SOURCE_CHECK_S = 2.0
SOURCE_CHECK_TIMEOUT_S = 5.0
# How often each partition's anchor record is checked on the broker while nothing else asks for
# it: a topic deleted and recreated under a running worker gives no other sign.
ANCHOR_CHECK_S = 5.0
# How often a timer looks for changes a fetch left unpublished (``publish_changes``).
CHANGES_CHECK_S = 0.05
# A partition's change-driven publications start at least this many times their duration,
# times the partitions owned, apart: reads take at most a quarter of the time while a fetch's
# worth of records waits, half when the worker keeps up (then only the latency of the snapshots
# is at stake).
READ_SPACING = {"behind": 3.0, "keeping_up": 2.0}
# (partition, offset) -> offset of the first record at or after it, None if there is none yet
FirstOffset = Callable[[int, int], Awaitable[int | None]]
# (partition, offset) -> the partition as the broker holds it now, None when it did not answer
View = Callable[[int, int], Awaitable[PartitionView | None]]


class ConsumerControl(Protocol):
    """What the runtime needs from the source consumer."""

    async def seek(self, partition: int, offset: int) -> None: ...

    def highwater(self, partition: int) -> int | None: ...

    async def earliest(self, partitions: list[int]) -> dict[int, int]: ...


@dataclass(eq=False)
class Slot:
    """A partition's state plus the bookkeeping of its outputs."""

    state: PartitionState
    redo: list[tuple[bytes, bytes | None]] | None = None  # restored WAL keys to write again
    retry: list[tuple[bytes, bytes | None]] | None = None  # keys of a failed checkpoint
    letters: list[tuple[DeadLetter, asyncio.Future[Any]]] = field(default_factory=list)
    topic_end: int = 0  # checkpoint partition's end as of our last read or write
    verify: bool = False  # records wait until the source is checked for a reset
    # (offset, CRC-32) of an applied record the broker was last found to hold, or None: every
    # record applied up to the last check came from the topic that holds it.
    anchor: tuple[int, int] | None = None
    anchor_checked: float = 0.0  # monotonic time of the last check of the anchor
    active: bool = True
    published_at: float = 0.0
    next_change_publish: float = 0.0  # monotonic time before which changes wait
    published: list[Snapshot] = field(default_factory=list)  # as last published
    day_published_at: float = 0.0  # monotonic time of the last queue-day records
    day_keys: set[bytes] = field(default_factory=set)  # their keys
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class WorkerRuntime:
    def __init__(
        self,
        config: Config,
        settings: RuntimeSettings,
        worker: WorkerSettings,
        outputs: Sink,
        store: CheckpointStore,
        first_offset: FirstOffset | None = None,
        view: View | None = None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.worker = worker
        self.outputs = outputs
        self.store = store
        self.first_offset = first_offset
        self.view = view
        self.retry_backoff_s = 0.5
        self.topic = settings.events_topic
        self.consumer: ConsumerControl | None = None
        self.slots: dict[int, Slot] = {}
        self.parked: dict[int, Slot] = {}
        self.stats: Counter[str] = Counter()  # worker-level: checkpoints, restores, seeks …
        self._retired: Counter[str] = Counter()  # partition stats of slots no longer here
        self._tasks: set[asyncio.Task[None]] = set()
        self._probing: set[int] = set()
        # Failed probes per partition since the last answer: a broker that is down fails one
        # every tick, so only the first is a warning.
        self._probe_failures: Counter[tuple[int, str]] = Counter()
        # Held while a fetch is applied: a checkpoint taken in between covers no record whose
        # dead letters are not queued yet (timers and revocation run between fetches' awaits).
        self._batch = asyncio.Lock()
        self.closed = False
        self._publishing = asyncio.Lock()
        self.layout: Layout = Engine(config).layout
        # Worker-level, like stats: they keep counting across rebalances.
        self.batch_duration = Histogram(BATCH_BOUNDS_S)
        self.event_delay = Histogram(DELAY_BOUNDS_S)
        self.snapshot_duration = Histogram(BATCH_BOUNDS_S)
        self.health = Health(worker)
        self._broker_lost = False  # the last broker check went unanswered
        # Written only by the consumer's thread (``source_interrupted``), read here: a change
        # means a consumer connection broke since ``_interruptions_seen``.
        self._interruptions = 0
        self._interruptions_seen = 0

    # --- assignment ---

    async def assign(self, partitions: Iterable[int]) -> None:
        """Take over partitions (eager rebalancing revokes all first, so these are new to us)."""
        await self.outputs.start()
        new = sorted(set(partitions) - set(self.slots))
        restored = await asyncio.gather(*map(self._restore, new))
        for partition, slot in zip(new, restored, strict=True):
            slot.active = True
            self.slots[partition] = slot
            await self._seek(partition, slot.state.next_offset)
            # Kept in memory across a rejoin (which a broker restart forces): is the source the
            # one it was read from? Asked until the broker answers.
            slot.verify = self._can_verify(slot)
            self._probe_reset(slot)

    async def _restore(self, partition: int) -> Slot:
        started = time.monotonic()
        parked = self.parked.pop(partition, None)
        if parked is not None and not await self.store.written_since(partition, parked.topic_end):
            self.stats["restores_reused"] += 1
            return parked
        if parked is not None:
            self._retired.update(parked.state.stats)
        restored = await self.store.load(partition)
        engine = Engine(self.config)
        exact_at = restore_engine(engine, restored)
        state = PartitionState(engine, self.topic, partition, exact_at, self.event_delay)
        redo = list(restored.last.changes) if restored.last and restored.needs_redo else None
        self.stats["restores"] += 1
        log.info(
            "partition %d: restored from %d checkpoint records in %.2f s; resuming at offset %d",
            partition, restored.records_read, time.monotonic() - started, state.next_offset,
        )  # fmt: skip
        return Slot(state, redo=redo, topic_end=restored.end)

    async def revoke(self, partitions: Iterable[int]) -> None:
        for partition in sorted(set(partitions) & set(self.slots)):
            slot = self.slots[partition]
            await self.checkpoint(slot)
            slot.active = False
            del self.slots[partition]
            self.parked[partition] = slot

    # --- the hot path ---

    async def handle(self, fetched: Mapping[int, Sequence[Record]]) -> None:
        """Apply one fetch's records: by partition, each partition's in offset order."""
        if self.closed:
            return  # not checkpointed, so the next owner reads these records again
        now = time.monotonic()
        async with self._batch:
            self._take_interruptions()
            for partition, records in fetched.items():
                slot = self.slots.get(partition)
                if slot is None:
                    self.stats["records_unassigned"] += len(records)  # the new owner reads them
                    continue
                if slot.verify:
                    # Not applied until the source is checked: a topic that started over must
                    # be read from its start, not from the old position. Read again after the
                    # check.
                    self.stats["records_unverified"] += len(records)
                    if slot.state.mismatch_since is None:  # resume_stalled seeks if they stay
                        slot.state.mismatch_since = now
                    continue
                letters, position = slot.state.apply_records(records, now)
                if slot.anchor is None:  # the first check then asks for a record of this topic
                    slot.anchor = slot.state.last_record
                for letter in letters:
                    future = await self._send_letter(letter)
                    slot.letters.append((letter, future))
                if position == "seek":
                    await self._reposition(slot, now)
                if slot.state.engine.state.dirty_count >= self.worker.checkpoint_max_keys:
                    self._spawn(self.checkpoint(slot))
        await self.publish_changes()
        self.batch_duration.observe(time.monotonic() - now)

    async def _send_letter(self, letter: DeadLetter) -> asyncio.Future[Any]:
        return await self.outputs.send(
            self.settings.deadletter_topic, letter.key, letter.raw, headers=letter.headers()
        )

    async def resume_stalled(self) -> None:
        """Seek again for partitions still out of position, from a timer.

        A seek can be lost (made while a rebalance had taken the partition from the consumer).
        Once the source is drained no record arrives to ask for another seek, so the partition
        would stall for good.
        """
        now = time.monotonic()
        self._take_interruptions()
        behind = self.lag()
        for partition, slot in list(self.slots.items()):
            if slot.verify or self._ends_before_position(partition, slot):
                self._probe_reset(slot)
            elif behind.get(partition) and slot.state.wants_seek(now):
                await self._reposition(slot, now)

    def _ends_before_position(self, partition: int, slot: Slot) -> bool:
        """The fetched high-water mark is below records already applied: a sign of a reset."""
        if self.consumer is None:
            return False
        highwater = self.consumer.highwater(partition)
        return highwater is not None and highwater < slot.state.next_offset

    def source_interrupted(self) -> None:
        """A connection of the consumer broke (called from the consumer's thread, before any
        record of a later fetch is delivered): the broker may have started over."""
        self._interruptions += 1

    def _take_interruptions(self) -> None:
        """After a broken connection, hold every partition's records until its source is
        checked: a restarted broker's new topic would otherwise continue at the old position."""
        seen = self._interruptions
        if seen != self._interruptions_seen:
            self._interruptions_seen = seen
            for slot in self.slots.values():
                slot.verify = self._can_verify(slot)

    def _can_verify(self, slot: Slot) -> bool:
        return self.view is not None and (slot.anchor or slot.state.last_record) is not None

    def _probe_reset(self, slot: Slot) -> None:
        """Ask the broker itself (the consumer's mark can be stale) whether the anchor record
        (else the last applied one) is still there: a partition that ends before it, or holds
        another record at its offset, has started over (a broker on memory storage restarted, a
        topic recreated). Checking the anchor, not the last record, also catches a new topic
        whose records were already applied at the old offsets: they are read again from its
        start and count as duplicates."""
        partition = slot.state.partition
        latest = slot.state.last_record
        anchor = slot.anchor or latest
        if self.view is None or anchor is None or partition in self._probing:
            return
        self._probing.add(partition)
        view = self.view
        interruptions = self._interruptions
        resets = slot.state.stats["source_resets"]

        async def run() -> None:
            try:
                # Bounded: a request for a topic not yet recreated can wait on metadata for long.
                found = await asyncio.wait_for(
                    view(partition, anchor[0]), 3 * SOURCE_CHECK_TIMEOUT_S
                )
            except Exception as exc:
                self._probe_failed(partition, "reset", exc)
                return
            finally:
                self._probing.discard(partition)
            self._probe_answered(partition, "reset")
            if found is None:
                return  # no answer: asked again on the next tick while slot.verify is set
            async with self._batch:  # not in the middle of a fetch's records
                if self._interruptions != interruptions:
                    return  # the answer may be the old broker's: asked again
                if not slot.active or slot.state.stats["source_resets"] != resets:
                    return
                held, slot.verify = slot.verify, False
                slot.anchor_checked = time.monotonic()
                if found.crc == anchor[1]:
                    slot.anchor = latest  # applied before the answer, from this same topic
                    if not held:
                        return
                else:
                    slot.anchor = None
                    slot.state.restart_source(found.start, anchor[0])
            # From the start of a new topic, or again from the position (records held meanwhile).
            await self._seek(partition, slot.state.next_offset)

        self._spawn(run())

    async def _reposition(self, slot: Slot, now: float) -> None:
        await self._seek(slot.state.partition, slot.state.next_offset)
        since = slot.state.mismatch_since
        if since is not None and now - since > PROBE_AFTER_S:
            self._probe(slot)

    async def _seek(self, partition: int, offset: int) -> None:
        if self.consumer is not None:
            self.stats["seeks"] += 1
            await self.consumer.seek(partition, offset)

    def _probe(self, slot: Slot) -> None:
        """Seeking back has not brought the expected offset: does it exist at all?"""
        partition = slot.state.partition
        if self.first_offset is None or partition in self._probing:
            return
        self._probing.add(partition)
        expected = slot.state.next_offset
        probe = self.first_offset

        async def run() -> None:
            try:
                first = await probe(partition, expected)
            except Exception as exc:
                self._probe_failed(partition, "offset", exc)
                return
            finally:
                self._probing.discard(partition)
            self._probe_answered(partition, "offset")
            if first is not None and slot.active and slot.state.next_offset == expected:
                slot.state.skip_missing(first)
                await self._seek(partition, slot.state.next_offset)

        self._spawn(run())

    def _probe_failed(self, partition: int, kind: str, exc: Exception) -> None:
        failures = self._probe_failures
        failures[(partition, kind)] += 1
        if failures[(partition, kind)] == 1:
            log.warning(
                "partition %d: %s probe failed (retried each tick, logged again when the broker "
                "answers): %r",
                partition,
                kind,
                exc,
            )
        else:
            log.debug("partition %d: %s probe failed: %r", partition, kind, exc)

    def _probe_answered(self, partition: int, kind: str) -> None:
        failed = self._probe_failures.pop((partition, kind), 0)
        if failed:
            log.info("partition %d: %s probe answered after %d failed", partition, kind, failed)

    # --- the source and readiness ---

    async def check_source(self) -> None:
        """From a timer: sample the lag, and ask the broker for the owned partitions' log start
        (partition 0 when none is owned): its answer is the readiness condition ``broker``."""
        self.health.observe_lag(sum(self.lag().values()))
        if self.consumer is None or self.closed:
            return
        partitions = sorted(self.slots) or [0]
        try:
            await asyncio.wait_for(self.consumer.earliest(partitions), SOURCE_CHECK_TIMEOUT_S)
        except Exception as exc:  # no answer within the timeout counts the same as an error
            log.debug("broker offsets request failed: %r", exc)
            self._broker_lost = True
            return
        self.health.broker_answered()
        if self._broker_lost:  # back after an outage: is it still the source it was?
            self._broker_lost = False
            for slot in self.slots.values():
                slot.verify = self._can_verify(slot)
        due = time.monotonic() - ANCHOR_CHECK_S
        for slot in list(self.slots.values()):
            if slot.anchor_checked < due:
                self._probe_reset(slot)

    def readiness(self) -> dict[str, str | None]:
        return self.health.conditions(len(self.slots))

    # --- checkpoints ---

    async def checkpoint_all(self) -> None:
        if self.closed:
            return
        for slot in list(self.slots.values()):
            await self.checkpoint(slot)

    async def checkpoint(self, slot: Slot) -> None:
        async with slot.lock:
            part = slot.state
            if not slot.active or not (part.needs_checkpoint or slot.redo or slot.retry):
                return
            async with self._batch:
                offset = part.processed_offset
                # Taken synchronously: the checkpoint and the letters it covers match exactly.
                checkpoint = part.engine.checkpoint(offset)
                letters, slot.letters = slot.letters, []
            if slot.retry:
                merged = dict(slot.retry)
                merged.update(checkpoint.changes)
                checkpoint = Checkpoint(
                    checkpoint.offset,
                    checkpoint.watermarks,
                    checkpoint.counters,
                    list(merged.items()),
                )
            try:
                await self._deliver(letters)
                slot.topic_end = await self.store.write(part.partition, checkpoint, slot.redo)
            except Exception as exc:  # the broker is away: keep everything for the next try
                slot.retry = checkpoint.changes
                slot.letters = letters + slot.letters  # delivered ones resolve at once next time
                self.stats["checkpoint_failures"] += 1
                self.health.checkpoint_result(ok=False)
                log.warning("partition %d: checkpoint failed, will retry: %r", part.partition, exc)
                return
            slot.redo = slot.retry = None
            self.health.checkpoint_result(ok=True)
            part.checkpointed = offset
            self.stats["checkpoints"] += 1
            self.stats["checkpoint_keys"] += len(checkpoint.changes)

    async def _deliver(self, letters: list[tuple[DeadLetter, asyncio.Future[Any]]]) -> None:
        """Wait until every dead letter is on the broker, re-sending any that failed."""
        for letter, future in letters:
            for attempt in range(DELIVERY_ATTEMPTS):
                try:
                    await future
                    break
                except Exception as exc:
                    if attempt + 1 == DELIVERY_ATTEMPTS:
                        raise
                    log.warning("dead letter delivery failed, re-sending: %r", exc)
                    await asyncio.sleep(self.retry_backoff_s * (attempt + 1))
                    future = await self._send_letter(letter)

    # --- snapshots ---

    def now_ms(self) -> int:
        """Read time: fixed, or the wall clock, or the newest event time if that is ahead."""
        if self.worker.read_at is not None:
            return self.worker.read_at
        wall = int(time.time() * 1000)
        return max([wall, *self.watermarks().values()])

    async def publish_changes(self) -> None:
        """Publish the changed partition that has waited longest, unless it was published less
        than ``snapshot_min_interval_s`` ago, or less than ``READ_SPACING`` times as long as its
        publication took times the partitions owned: reading an engine costs more as its state
        grows (1,000 agents: tens of ms), and while records wait, change-driven reads must leave
        most of the time to applying them. One partition a call, so the reads spread out between
        fetches instead of holding the event loop for all partitions at once."""
        started = time.monotonic()
        if self._publishing.locked():
            return  # a publication under way leaves later changes to the next call
        due = [
            slot
            for slot in self.slots.values()
            if slot.state.changed and slot.next_change_publish <= started
        ]
        if not due:
            return
        slot = min(due, key=lambda s: s.next_change_publish)
        async with self._publishing:
            if self.closed:
                return
            await self._publish_slot(slot, self.now_ms(), started)
        spent = time.monotonic() - started
        behind = sum(self.lag().values()) >= self.worker.batch_max_records
        spacing = READ_SPACING["behind" if behind else "keeping_up"]
        slot.next_change_publish = started + max(
            self.worker.snapshot_min_interval_s, spacing * len(self.slots) * spent
        )

    async def publish(self, only_stale: bool = False) -> None:
        """Publish every partition, or only those not published within the last interval
        (``only_stale``: the timer's, since ``publish_changes`` covers changes soon after
        them), so every partition is republished at least once an interval; and each
        partition's queue-day records once ``day_records_interval_s`` has passed."""
        async with self._publishing:  # one at a time: a partition's records stay in order
            if self.closed:  # late timer ticks must not restart the producer
                return
            now_ms = self.now_ms()
            sent = time.monotonic()
            stale_before = sent - 0.8 * self.worker.snapshot_interval_s
            for slot in list(self.slots.values()):
                if not only_stale or slot.published_at <= stale_before:
                    await self._publish_slot(slot, now_ms, sent)
                else:
                    await self._publish_day(slot, now_ms, sent)

    async def _publish_slot(self, slot: Slot, now_ms: int, sent: float) -> None:
        """One partition's records, and its queue-day records if they are due."""
        await self._publish_day(slot, now_ms, sent)
        slot.state.changed = False
        slot.published_at = sent
        began = time.monotonic()
        publication = snapshot_records(
            slot.state, now_ms, self.settings.snapshots_topic, self.settings.agents_topic
        )
        slot.published = publication.snapshots
        for topic, key, value in publication.records:
            future = await self.outputs.send(topic, key, value)
            future.add_done_callback(self._publish_done)
        self.snapshot_duration.observe(time.monotonic() - began)
        self.stats["snapshots"] += 1

    async def _publish_day(self, slot: Slot, now_ms: int, sent: float) -> None:
        """The drill-down's queue-day records, once ``day_records_interval_s`` has passed since
        the previous ones: apart from, and less often than, the rest."""
        if sent - slot.day_published_at < self.worker.day_records_interval_s:
            return
        slot.day_published_at = sent
        records, slot.day_keys = day_publication(
            slot.state, now_ms, self.settings.snapshots_topic, slot.day_keys
        )
        for topic, key, value in records:
            future = await self.outputs.send(topic, key, value)
            future.add_done_callback(self._publish_done)

    def _publish_done(self, future: asyncio.Future[Any]) -> None:
        if not future.cancelled() and future.exception() is not None:
            self.stats["snapshot_failures"] += 1  # the next publish supersedes it anyway

    # --- lifecycle ---

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Final checkpoints and flush (graceful stop)."""
        for task in list(self._tasks):
            await task
        await self.checkpoint_all()
        self.closed = True  # late timer ticks must not restart the producer
        await self.outputs.flush()
        await self.outputs.stop()

    # --- reads for /kpi, /healthz and /metrics ---

    def records(self) -> list[Snapshot]:
        """Every owned partition's records as last published (at most one interval old).

        Scrapes and /kpi reuse the publication instead of reading the engines again.
        """
        out: list[Snapshot] = []
        for slot in list(self.slots.values()):
            if not slot.published:
                part = slot.state
                slot.published = snapshot(part.engine, self.now_ms(), part.source)
            out.extend(slot.published)
        return out

    def watermarks(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for slot in self.slots.values():
            for site, wm in slot.state.engine.watermarks.items():
                out[site] = max(out.get(site, wm), wm)
        return out

    def totals(self) -> Counter[str]:
        """Monotonic per-process counts: this process's work on every partition it has had."""
        out = Counter(self._retired)
        for slot in [*self.slots.values(), *self.parked.values()]:
            out.update(slot.state.stats)
        return out

    def lag(self) -> dict[int, int]:
        """Records not yet applied per partition, from the fetch high-water mark."""
        out: dict[int, int] = {}
        if self.consumer is None:
            return out
        for partition, slot in self.slots.items():
            highwater = self.consumer.highwater(partition)
            if highwater is not None:
                out[partition] = max(0, highwater - slot.state.next_offset)
        return out
