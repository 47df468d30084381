"""The worker runtime against an in-memory log: restore, seek, dead letters, checkpoints,
snapshots, and a crash at any point ending exactly where no crash would have."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from faust.types import TP

from floorboard.config import RuntimeSettings
from floorboard.engine.day import day_records, merge_days
from floorboard.engine.engine import Engine
from floorboard.engine.snapshot import Snapshot, decode
from floorboard.events.codec import encode
from floorboard.streams.broker import free_port
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.produce import EventProducer
from floorboard.streams.readback import PartitionView
from floorboard.streams.worker.app import create_app
from floorboard.streams.worker.checkpoint import CheckpointStore
from floorboard.streams.worker.deadletter import DeadLetter
from floorboard.streams.worker.partition import SourceRecord
from floorboard.streams.worker.runtime import PROBE_AFTER_S, FirstOffset, WorkerRuntime
from floorboard.streams.worker.settings import WorkerSettings
from tests.factory import MINUTE
from tests.streams.worker.compare import comparable, differences, reference
from tests.streams.worker.memory import MemoryLog, RecordingConsumer
from tests.streams.worker.scenario import scenario, scenario_config
from tests.streams.worker.test_transport import FetchThread

CONFIG = scenario_config()
EVENTS = scenario(contacts=150, tag="rt")
AT = max(e.ts for e in EVENTS) + MINUTE
SETTINGS = RuntimeSettings(
    events_topic="ev", snapshots_topic="snap", deadletter_topic="dlq", events_partitions=4
)
PARTITIONS = [0, 1, 2, 3]


def batches() -> list[tuple[int, SourceRecord]]:
    producer = EventProducer(KafkaConnection("unused:9092"), "ev", partitions=4, batch_events=4)
    offsets: Counter[int] = Counter()
    out = []
    for partition, key, value in producer.records(EVENTS):
        out.append((partition, SourceRecord(offsets[partition], key, value)))
        offsets[partition] += 1
    return out


BATCH = batches()


def by_partition(items: list[tuple[int, SourceRecord]]) -> dict[int, list[SourceRecord]]:
    """One fetch result: the records of each partition, in order."""
    out: dict[int, list[SourceRecord]] = {}
    for partition, record in items:
        out.setdefault(partition, []).append(record)
    return out


def runtime(
    log: MemoryLog, first_offset: FirstOffset | None = None, **worker: Any
) -> tuple[WorkerRuntime, RecordingConsumer]:
    store = CheckpointStore("ck", log.reader("ck"), log.send_many)
    settings = WorkerSettings(read_at=AT, **worker)
    rt = WorkerRuntime(CONFIG, SETTINGS, settings, log, store, first_offset)
    rt.retry_backoff_s = 0.0
    consumer = RecordingConsumer()
    rt.consumer = consumer
    return rt, consumer


def published(log: MemoryLog) -> list[Snapshot]:
    latest: dict[bytes | None, bytes | None] = {}
    for record in [*log.records("snap"), *log.records(SETTINGS.agents_topic)]:
        latest[record.key] = record.value
    return [decode(v) for v in latest.values() if v is not None]


async def deliver(
    rt: WorkerRuntime, items: list[tuple[int, SourceRecord]], chunk: int = 25
) -> None:
    """Feed like the consumer does: position-checked batches, never beyond what was assigned."""
    for start in range(0, len(items), chunk):
        await rt.handle(by_partition(items[start : start + chunk]))


def assert_exact(log: MemoryLog) -> None:
    want = comparable(reference(CONFIG, EVENTS, AT))
    assert differences(comparable(published(log)), want) == []


async def test_all_partitions_processed_and_published_match_the_reference() -> None:
    log = MemoryLog()
    rt, consumer = runtime(log)
    await rt.assign(PARTITIONS)
    assert sorted(consumer.seeks) == [(p, 0) for p in PARTITIONS]
    await deliver(rt, BATCH)
    await rt.publish()
    assert_exact(log)
    assert rt.totals()["records"] == len(BATCH)
    assert log.records("dlq") == []


async def test_a_crash_between_checkpoints_resumes_exactly() -> None:
    log = MemoryLog()
    rt, _ = runtime(log)
    await rt.assign(PARTITIONS)
    half = len(BATCH) // 2
    await deliver(rt, BATCH[:half])
    await rt.checkpoint_all()
    await deliver(rt, BATCH[half : half + 40])  # processed, never checkpointed: lost in the crash
    # crash: a new process restores from the checkpoint topic alone
    fresh_log_view = log
    rt2, consumer = runtime(fresh_log_view)
    await rt2.assign(PARTITIONS)
    resume = dict(consumer.seeks)
    assert all(0 < offset <= half for offset in resume.values())
    # the broker redelivers from the restored positions (and Faust may start even earlier)
    redelivered = [(p, r) for p, r in BATCH if r.offset >= resume[p] - 3]
    await deliver(rt2, redelivered)
    await rt2.publish()
    assert_exact(log)
    counters = comparable(published(log))["counters"]
    assert "redelivered" not in counters


async def test_revoked_partitions_come_back_without_a_restore_when_nobody_else_wrote() -> None:
    log = MemoryLog()
    rt, _ = runtime(log)
    await rt.assign(PARTITIONS)
    await deliver(rt, BATCH[:100])
    await rt.revoke(PARTITIONS)
    assert rt.slots == {} and sorted(rt.parked) == PARTITIONS
    await rt.assign(PARTITIONS)
    assert rt.stats["restores_reused"] == 4 and rt.stats["restores"] == 4
    await deliver(rt, BATCH[100:])
    await rt.publish()
    assert_exact(log)


async def test_a_partition_that_another_worker_advanced_is_restored_again() -> None:
    log = MemoryLog()
    a, _ = runtime(log)
    b, _ = runtime(log)
    await a.assign(PARTITIONS)
    await deliver(a, BATCH[:100])
    await a.revoke(PARTITIONS)
    await b.assign(PARTITIONS)
    await deliver(b, BATCH[100:200])
    await b.revoke(PARTITIONS)
    await a.assign(PARTITIONS)
    assert a.stats["restores_reused"] == 0 and a.stats["restores"] == 8
    await deliver(a, BATCH[200:])
    await a.publish()
    assert_exact(log)


async def test_a_failed_checkpoint_is_merged_into_the_next_one() -> None:
    log = MemoryLog()
    rt, _ = runtime(log)
    await rt.assign(PARTITIONS)
    await deliver(rt, BATCH[:80])
    log.accept = 0  # broker away
    await rt.checkpoint_all()
    assert rt.stats["checkpoint_failures"] == 4
    log.accept = None
    await deliver(rt, BATCH[80:160])
    await rt.checkpoint_all()
    rt2, consumer = runtime(log)
    await rt2.assign(PARTITIONS)
    resume = dict(consumer.seeks)
    await deliver(rt2, [(p, r) for p, r in BATCH if r.offset >= resume[p]])
    await rt2.publish()
    assert_exact(log)


async def test_a_checkpoint_waits_for_its_dead_letters_and_re_sends_failed_ones() -> None:
    log = MemoryLog()
    rt, _ = runtime(log)
    await rt.assign([0])
    log.failures["dlq"] = 1
    await rt.handle(
        {0: [SourceRecord(0, b"k", b"{broken"), SourceRecord(1, b"k", encode(EVENTS[0]))]}
    )
    assert log.records("dlq") == []  # the first delivery failed
    await rt.checkpoint_all()
    [stored] = log.records("dlq")
    letter = DeadLetter.from_record(stored.key, stored.value, stored.headers)
    assert (letter.reason, letter.raw, letter.topic, letter.partition, letter.offset) == (
        "malformed_json", b"{broken", "ev", 0, 0,
    )  # fmt: skip
    assert log.logs[("ck", 0)][0].key == b"wal"


async def test_no_checkpoint_covers_a_dead_letter_that_never_reached_the_broker() -> None:
    log = MemoryLog()
    rt, _ = runtime(log)
    await rt.assign([0])
    log.failures["dlq"] = 100
    await rt.handle({0: [SourceRecord(0, b"k", b"{broken")]})
    await rt.checkpoint_all()
    assert rt.stats["checkpoint_failures"] == 1 and log.logs[("ck", 0)] == []
    # the letter stays queued: the next checkpoint sends it again before writing anything
    log.failures.clear()
    await rt.checkpoint_all()
    assert len(log.records("dlq")) == 1 and log.logs[("ck", 0)][0].key == b"wal"
    # had the worker died instead, the record would be read again and its letter sent again
    log.logs.clear()
    rt2, consumer = runtime(log)
    await rt2.assign([0])
    assert consumer.seeks == [(0, 0)]


async def test_a_checkpoint_started_during_a_fetch_covers_its_records_and_their_letters() -> None:
    log = MemoryLog()
    rt, _ = runtime(log)
    await rt.assign([0])
    release = asyncio.Event()
    send = log.send

    async def slow_letter(topic: str, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        if topic == "dlq":
            await release.wait()  # the broker is slow to take the dead letter
        return await send(topic, *args, **kwargs)

    log.send = slow_letter  # type: ignore[method-assign]
    fetch = asyncio.ensure_future(rt.handle({0: [SourceRecord(0, b"k", b"{broken")]}))
    await asyncio.sleep(0.01)  # the record is applied; its letter is on its way
    checkpoint = asyncio.ensure_future(rt.checkpoint_all())  # a timer tick, or a revocation
    await asyncio.sleep(0.01)
    assert log.logs[("ck", 0)] == []  # it waits for the fetch instead of covering it half
    release.set()
    await fetch
    await checkpoint
    slot = rt.slots[0]
    assert slot.letters == [] and slot.state.checkpointed == slot.state.processed_offset
    assert len(log.records("dlq")) == 1 and log.logs[("ck", 0)][0].key == b"wal"


async def test_records_of_partitions_not_assigned_here_are_left_alone() -> None:
    log = MemoryLog()
    rt, _ = runtime(log)
    await rt.assign([0])
    await rt.handle({1: [SourceRecord(0, None, encode(EVENTS[0]))]})
    assert rt.stats["records_unassigned"] == 1 and rt.totals()["records"] == 0


async def test_a_large_change_set_triggers_an_early_checkpoint() -> None:
    log = MemoryLog()
    rt, _ = runtime(log, checkpoint_max_keys=50)
    await rt.assign(PARTITIONS)
    await deliver(rt, BATCH, chunk=200)
    for task in list(rt._tasks):
        await task
    assert rt.stats["checkpoints"] >= 1


async def test_changes_publish_a_partition_a_call_and_the_timer_only_stale_ones() -> None:
    log = MemoryLog()
    rt, _ = runtime(log, snapshot_min_interval_s=3600.0, snapshot_interval_s=3600.0)
    await rt.assign(PARTITIONS)
    fetched = by_partition(BATCH[:100])
    assert sorted(fetched) == PARTITIONS
    await rt.handle(fetched)  # one partition published after the fetch, not all at once
    assert rt.stats["snapshots"] == 1
    assert sum(slot.state.changed for slot in rt.slots.values()) == 3
    for _ in range(4):
        await rt.publish_changes()  # the others, one a call; then nothing is left
    assert rt.stats["snapshots"] == 4 and not any(s.state.changed for s in rt.slots.values())
    await deliver(rt, BATCH[100:200])  # within each partition's minimum interval: left for later
    await rt.publish_changes()
    await rt.publish(only_stale=True)  # changed, but published within the interval
    assert rt.stats["snapshots"] == 4
    stale = rt.slots[2]
    stale.published_at -= 3600.0
    await rt.publish(only_stale=True)
    assert rt.stats["snapshots"] == 5 and not stale.state.changed
    waited = [rt.slots[p] for p in (3, 0, 1)]  # longest first; all past the minimum interval
    for rank, slot in enumerate(waited):
        slot.next_change_publish = rank - 10.0
    for done in range(1, 4):
        await rt.publish_changes()  # the other three, changed since they were published
        assert [slot.state.changed for slot in waited] == [False] * done + [True] * (3 - done)
    await rt.publish_changes()
    assert rt.stats["snapshots"] == 8
    await deliver(rt, BATCH[200:])
    await rt.publish()
    assert_exact(log)


async def test_lag_comes_from_the_fetch_high_water_mark() -> None:
    log = MemoryLog()
    rt, consumer = runtime(log)
    await rt.assign([0, 1])
    await deliver(rt, [(p, r) for p, r in BATCH if p == 0][:5])
    consumer.highwaters = {0: 12}
    assert rt.lag() == {0: 7}  # partition 1 has no high-water mark yet: unknown, not zero


async def test_a_gap_that_seeking_cannot_close_is_checked_with_the_broker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[int, int]] = []

    async def broker_says(partition: int, offset: int) -> int | None:
        asked.append((partition, offset))
        return 7  # the earliest record still on the broker (retention took 0..6)

    log = MemoryLog()
    rt, consumer = runtime(log, first_offset=broker_says)
    await rt.assign([0])
    records = [r for p, r in BATCH if p == 0][7:12]
    clock = [1000.0]
    monkeypatch.setattr("floorboard.streams.worker.runtime.time.monotonic", lambda: clock[0])
    await rt.handle({0: records[:1]})
    assert asked == [] and consumer.seeks[-1] == (0, 0)  # first, seek back and wait
    clock[0] += PROBE_AFTER_S + 1
    await rt.handle({0: records[:1]})
    for task in list(rt._tasks):
        await task
    assert asked == [(0, 0)] and consumer.seeks[-1] == (0, 7)
    await rt.handle({0: records})
    assert rt.slots[0].state.next_offset == 12
    assert rt.totals()["offsets_missing"] == 7


async def test_a_gap_of_records_that_exist_is_never_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broker_says(partition: int, offset: int) -> int | None:
        return offset  # the record is there: the consumer is just slow to deliver it

    log = MemoryLog()
    rt, _ = runtime(log, first_offset=broker_says)
    await rt.assign([0])
    ahead = [r for p, r in BATCH if p == 0][7]
    clock = [1000.0]
    monkeypatch.setattr("floorboard.streams.worker.runtime.time.monotonic", lambda: clock[0])
    for _ in range(5):
        clock[0] += PROBE_AFTER_S
        await rt.handle({0: [ahead]})
        for task in list(rt._tasks):
            await task
    assert rt.slots[0].state.next_offset == 0 and rt.totals()["records"] == 0


async def on_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[WorkerRuntime, RecordingConsumer, list[SourceRecord], list[float]]:
    """A runtime owning partition 0 on a clock the test moves; the partition's records."""
    rt, consumer = runtime(MemoryLog())
    await rt.assign([0])
    clock = [1000.0]
    monkeypatch.setattr("floorboard.streams.worker.runtime.time.monotonic", lambda: clock[0])
    return rt, consumer, [r for p, r in BATCH if p == 0], clock


async def test_a_partition_left_out_of_position_is_sought_again_by_the_timer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rt, consumer, records, clock = await on_clock(monkeypatch)
    # a record ahead of position arrives, the seek back is lost, and nothing else arrives
    await rt.handle({0: [records[3]]})
    assert consumer.seeks[-1] == (0, 0)
    seeks = len(consumer.seeks)
    consumer.highwaters = {0: len(records)}
    await rt.resume_stalled()
    assert len(consumer.seeks) == seeks  # the last seek is too recent to repeat
    clock[0] += 2.0
    await rt.resume_stalled()
    assert consumer.seeks[-1] == (0, 0) and len(consumer.seeks) == seeks + 1
    await rt.handle({0: records})
    clock[0] += 2.0
    await rt.resume_stalled()  # in position again: nothing to do
    assert len(consumer.seeks) == seeks + 1
    assert rt.slots[0].state.next_offset == len(records)


async def test_no_seek_retry_once_nothing_is_left_to_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rt, consumer, records, clock = await on_clock(monkeypatch)
    await rt.handle({0: records})
    await rt.handle({0: [records[1]]})  # a stale redelivery after the end
    consumer.highwaters = {0: len(records)}
    seeks = len(consumer.seeks)
    clock[0] += 2.0
    await rt.resume_stalled()
    assert len(consumer.seeks) == seeks


async def test_readiness_follows_ownership_broker_answers_and_checkpoints() -> None:
    log = MemoryLog()
    rt, consumer = runtime(log, ready_broker_within_s=15, ready_checkpoint_within_s=30)
    now = [100.0]
    rt.health.clock = lambda: now[0]
    assert {k for k, v in rt.readiness().items() if v} == {"partitions", "broker"}
    await rt.assign(PARTITIONS)
    await rt.check_source()
    assert all(reason is None for reason in rt.readiness().values())
    consumer.answering = False  # a frozen broker
    now[0] += 16
    await rt.check_source()
    assert {k for k, v in rt.readiness().items() if v} == {"broker"}
    consumer.answering = True
    await rt.check_source()
    await deliver(rt, BATCH[:10])
    log.failures["ck"] = 10**6  # the checkpoint topic refuses every write
    await rt.checkpoint_all()
    now[0] += 31
    await rt.check_source()
    assert {k for k, v in rt.readiness().items() if v} == {"checkpoints"}
    log.failures["ck"] = 0
    await rt.checkpoint_all()
    assert all(reason is None for reason in rt.readiness().values())


async def test_a_topic_that_starts_over_is_read_again_from_its_start() -> None:
    # issue 12, row 5: after a broker restart the worker kept its old position and skipped the
    # new topic's low offsets
    old = [r for p, r in BATCH if p == 0]
    on_broker = {"records": old[:10]}  # what partition 0 holds

    async def broker_says(partition: int, offset: int) -> PartitionView | None:
        held = on_broker["records"]
        there = [r for r in held if r.offset == offset]
        crc = zlib.crc32(there[0].value or b"") if there else None
        return PartitionView(0, len(held), crc)

    log = MemoryLog()
    rt, consumer = runtime(log)
    rt.view = broker_says
    await rt.assign([0])
    await rt.handle({0: old[:10]})
    consumer.highwaters = {0: 3}  # a stale mark below the position: the broker is asked
    await rt.resume_stalled()
    for task in list(rt._tasks):
        await task
    assert rt.slots[0].state.next_offset == 10 and rt.totals()["source_resets"] == 0
    # the topic was recreated and holds other records, as many as before: only their content
    # tells (the high-water mark alone would miss it)
    renumbered = [SourceRecord(i, r.key, r.value) for i, r in enumerate(old[10:])]
    on_broker["records"] = renumbered[:10]
    await rt.revoke([0])
    await rt.assign([0])  # the rejoin a broker restart forces; the parked state is reused
    # delivered before the broker answered: held, not applied at the old position
    await rt.handle({0: [SourceRecord(10, None, renumbered[10].value)]})
    assert rt.stats["records_unverified"] == 1 and rt.slots[0].state.next_offset == 10
    for task in list(rt._tasks):
        await task
    assert rt.slots[0].state.next_offset == 0 and consumer.seeks[-1] == (0, 0)
    assert rt.totals()["source_resets"] == 1
    assert rt.slots[0].state.engine.counters["source_resets"] == 1  # shown by the wallboard
    # the new topic's records, numbered from 0 again, are applied
    await rt.handle({0: renumbered})
    assert rt.slots[0].state.next_offset == len(renumbered)
    straight, _ = runtime(MemoryLog())  # the same records without a reset in between
    await straight.assign([0])
    await straight.handle({0: old})
    assert rt.totals()["applied"] == straight.totals()["applied"]


class Broker:
    """What partition 0 holds, answered like ``partition_view``; ``gate`` holds answers back."""

    def __init__(self, records: list[SourceRecord]) -> None:
        self.records = records
        self.gate: asyncio.Event | None = None

    async def view(self, partition: int, offset: int) -> PartitionView | None:
        held = self.records  # as the broker holds it when asked
        there = [r for r in held if r.offset == offset]
        if self.gate is not None:
            await self.gate.wait()
        return PartitionView(0, len(held), zlib.crc32(there[0].value or b"") if there else None)


async def started_over() -> tuple[
    list[SourceRecord], list[SourceRecord], Broker, WorkerRuntime, RecordingConsumer
]:
    """Partition 0's records, the same after the first ten numbered from 0 again (a new topic),
    a broker holding the first ten, and a runtime checking its source with that broker that has
    applied them."""
    old = [r for p, r in BATCH if p == 0]
    renumbered = [SourceRecord(i, r.key, r.value) for i, r in enumerate(old[10:])]
    broker = Broker(old[:10])
    rt, consumer = runtime(MemoryLog())
    rt.view = broker.view
    await rt.assign([0])
    await rt.handle({0: old[:10]})
    return old, renumbered, broker, rt, consumer


async def settle(rt: WorkerRuntime) -> None:
    while rt._tasks:
        await asyncio.gather(*list(rt._tasks))


async def test_records_fetched_after_a_lost_connection_wait_for_the_source_check() -> None:
    # The broker-restart race: a check answered by the old broker just before it stopped, then
    # the new topic refilled past the old position before another check; its low offsets were
    # skipped. A lost connection now holds every later record until a check made after it.
    old, renumbered, broker, rt, consumer = await started_over()
    await settle(rt)
    broker.gate = asyncio.Event()
    await rt.check_source()  # a periodic check, asked of the old broker …
    await asyncio.sleep(0)
    rt.source_interrupted()  # … which then goes away: the consumer's connection breaks
    await rt.resume_stalled()  # a timer tick sees it before the old broker's answer arrives
    broker.gate.set()
    await settle(rt)
    broker.records = renumbered[:12]  # restarted, and already refilled past the old position
    await rt.handle({0: renumbered[10:12]})
    assert rt.stats["records_unverified"] == 2 and rt.slots[0].state.next_offset == 10
    assert rt.totals()["source_resets"] == 0  # the old broker's answer decided nothing
    await rt.resume_stalled()
    await settle(rt)
    assert rt.totals()["source_resets"] == 1 and consumer.seeks[-1] == (0, 0)
    await rt.handle({0: renumbered})
    straight, _ = runtime(MemoryLog())
    await straight.assign([0])
    await straight.handle({0: old})
    assert rt.totals()["applied"] == straight.totals()["applied"]
    assert rt.totals()["duplicate"] == straight.totals()["duplicate"]


async def test_a_topic_recreated_under_a_running_worker_is_found_by_its_anchor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Deleted and recreated with the broker up: no connection breaks and the new topic can
    # outgrow the old position before any fetch shows a lower high-water mark. The periodic
    # check asks for a record applied before the last check, which the new topic does not hold.
    monkeypatch.setattr("floorboard.streams.worker.runtime.ANCHOR_CHECK_S", 0.0)
    old, renumbered, broker, rt, consumer = await started_over()
    await rt.check_source()
    await settle(rt)
    assert rt.slots[0].anchor == rt.slots[0].state.last_record
    broker.records = renumbered[:15]
    await rt.handle({0: renumbered[10:15]})  # the new topic's records at the old offsets
    assert rt.slots[0].state.next_offset == 15 and rt.totals()["source_resets"] == 0
    await rt.check_source()
    await settle(rt)
    assert rt.totals()["source_resets"] == 1 and consumer.seeks[-1] == (0, 0)
    await rt.handle({0: renumbered})  # from the new topic's start: 10..14 again
    straight, _ = runtime(MemoryLog())
    await straight.assign([0])
    await straight.handle({0: old})
    again = sum(len(json.loads(r.value or b"[]")) for r in renumbered[10:15])
    assert rt.totals()["applied"] == straight.totals()["applied"]
    assert rt.totals()["duplicate"] == straight.totals()["duplicate"] + again


async def test_a_failing_ingest_handover_is_not_live_and_stops_the_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # issue 12, rows 1 and 8: ingest died, /healthz stayed "ok", nothing was applied. Ingest is
    # the consumer handing each fetch to the runtime: an error there fails /livez, sends the
    # process SIGTERM (exit status 1 through serve()) and ends the fetch loop.
    rt, _ = runtime(MemoryLog())
    web = create_app(rt, KafkaConnection("unused:9092"), rt.worker, free_port(), tmp_path)
    signals: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: signals.append((pid, sig)))

    async def broken(_fetched: object) -> None:
        raise TypeError("Recursion limit reached")

    monkeypatch.setattr(rt, "handle", broken)
    consumer = object.__new__(web.transport.Consumer)  # only the fetch path is exercised
    consumer._thread = FetchThread({TP(rt.topic, 0): BATCH[:1]})
    with pytest.raises(TypeError):
        await consumer._getmany(None, 1.0)
    assert rt.health.live() == "ingest loop failed: TypeError('Recursion limit reached')"
    assert signals == [(os.getpid(), signal.SIGTERM)]
    answer = await web.web.views["/livez"].get(None)
    assert answer.status == 503
    assert json.loads(answer.body)["reason"] == rt.health.live()


async def test_queue_day_records_of_all_partitions_merge_to_one_engines_day() -> None:
    log = MemoryLog()
    rt, _ = runtime(log)
    await rt.assign(PARTITIONS)
    await rt.publish()  # before any event: the next queue-day records wait their interval
    await deliver(rt, BATCH)
    await rt.publish()
    assert not merge_days(published(log), CONFIG.engine.abandoned_list_max)
    rt.worker = rt.worker.model_copy(update={"day_records_interval_s": 0.001})
    await rt.publish()
    engine = Engine(CONFIG)
    for offset, ev in enumerate(EVENTS):
        engine.apply(ev, offset)
    keep = CONFIG.engine.abandoned_list_max
    want = merge_days(day_records(engine, AT, "reference"), keep)
    assert want and any(day.abandoned for day in want.values())
    assert merge_days(published(log), keep) == want


async def test_a_broker_that_stays_down_is_logged_once_per_partition_then_its_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Each timer tick probes again while the broker is down: one warning, not one per tick.
    _, _, broker, rt, _ = await started_over()
    await settle(rt)

    async def down(partition: int, offset: int) -> PartitionView | None:
        raise ConnectionError("broker down")

    rt.view = down
    caplog.set_level(logging.DEBUG, "floorboard.streams.worker.runtime")
    for _ in range(5):
        rt.source_interrupted()
        await rt.resume_stalled()
        await settle(rt)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "partition 0: reset probe failed (retried each tick, logged again when the broker "
        "answers): ConnectionError('broker down')"
    ]
    assert sum("reset probe failed" in r.getMessage() for r in caplog.records) == 5
    rt.view = broker.view
    await rt.resume_stalled()
    await settle(rt)
    assert caplog.records[-1].getMessage() == "partition 0: reset probe answered after 5 failed"
