"""Checkpoint write and restore, including crashes in the middle of either step."""

from __future__ import annotations

import contextlib

import pytest

from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.engine.state import Checkpoint
from floorboard.events.model import Event
from floorboard.streams.kafka import KafkaConnection
from floorboard.streams.produce import EventProducer
from floorboard.streams.worker.checkpoint import WAL_KEY, CheckpointStore, fold, restore_engine
from floorboard.streams.worker.partition import PartitionState, SourceRecord
from tests.streams.worker.compare import comparable, differences, reference
from tests.streams.worker.memory import MemoryLog
from tests.streams.worker.scenario import scenario, scenario_config

TOPIC = "cp"
Changes = list[tuple[bytes, bytes | None]]
CONFIG = scenario_config()
EVENTS = scenario(contacts=120, tag="cp")
AT = max(e.ts for e in EVENTS) + 60_000


def source_records(events: list[Event]) -> list[SourceRecord]:
    """Everything in partition 0, as batches of 3 events."""
    producer = EventProducer(KafkaConnection("unused:9092"), "events", partitions=1, batch_events=3)
    return [
        SourceRecord(i, key, value) for i, (_, key, value) in enumerate(producer.records(events))
    ]


RECORDS = source_records(EVENTS)


def feed(part: PartitionState, records: list[SourceRecord]) -> None:
    part.apply_records([r for r in records if r.offset >= part.next_offset], now=0.0)


async def checkpoint(
    store: CheckpointStore, part: PartitionState, redo: Changes | None = None
) -> Checkpoint:
    cp = part.engine.checkpoint(part.processed_offset)
    await store.write(0, cp, redo)
    part.checkpointed = cp.offset
    return cp


async def restore(store: CheckpointStore) -> tuple[PartitionState, Changes | None]:
    restored = await store.load(0)
    engine = Engine(CONFIG)
    exact_at = restore_engine(engine, restored)
    redo = list(restored.last.changes) if restored.last and restored.needs_redo else None
    return PartitionState(engine, "events", 0, exact_at), redo


def assert_matches_reference(part: PartitionState) -> None:
    got = comparable(snapshot(part.engine, AT, part.source))
    want = comparable(reference(CONFIG, EVENTS, AT))
    assert differences(got, want) == []


def test_fold_keeps_the_latest_value_per_key_and_the_last_write_ahead_record() -> None:
    first = Checkpoint(9, {}, {}, [(b"\x91\xa1a", b"1")]).encode()
    second = Checkpoint(19, {}, {}, [(b"\x91\xa1a", b"2"), (b"\x91\xa1b", None)]).encode()
    restored = fold([
        (WAL_KEY, first), (b"\x91\xa1a", b"1"), (b"\x91\xa1b", b"x"),
        (WAL_KEY, second), (b"\x91\xa1a", b"2"), (b"\x91\xa1b", None), (None, b"ignored"),
    ], end=7)  # fmt: skip
    assert restored.items == {b"\x91\xa1a": b"2"}
    assert restored.last is not None and restored.last.offset == 19
    assert not restored.needs_redo and restored.end == 7
    cut = fold([(WAL_KEY, first), (b"\x91\xa1a", b"1"), (WAL_KEY, second)])
    assert cut.needs_redo  # step 2 of the second checkpoint never happened


@pytest.mark.parametrize("kept", [0, 1, 40, 10_000])
async def test_a_crash_while_writing_keys_restores_exactly(kept: int) -> None:
    log = MemoryLog()
    store = CheckpointStore(TOPIC, log.reader(TOPIC), log.send_many)
    third = len(RECORDS) // 3
    part = PartitionState(Engine(CONFIG), "events", 0)
    feed(part, RECORDS[:third])
    await checkpoint(store, part)
    feed(part, RECORDS[third : 2 * third])
    log.accept = 1 + kept  # the write-ahead record and ``kept`` keys reach the broker
    failing = pytest.raises(ConnectionError) if kept < 10_000 else contextlib.nullcontext()
    with failing:
        await checkpoint(store, part)
    log.accept = None
    restored, _ = await restore(store)
    assert restored.next_offset == 2 * third  # the write-ahead record makes the cut exact
    feed(restored, RECORDS)
    assert_matches_reference(restored)


async def test_a_crash_while_writing_the_write_ahead_record_falls_back_to_the_previous_one() -> (
    None
):
    log = MemoryLog()
    store = CheckpointStore(TOPIC, log.reader(TOPIC), log.send_many)
    part = PartitionState(Engine(CONFIG), "events", 0)
    feed(part, RECORDS[:50])
    await checkpoint(store, part)
    feed(part, RECORDS[50:100])
    log.accept = 0
    with pytest.raises(ConnectionError):
        await checkpoint(store, part)
    log.accept = None
    restored, _ = await restore(store)
    assert restored.next_offset == 50
    feed(restored, RECORDS)
    assert_matches_reference(restored)


@pytest.mark.parametrize("redo", [True, False])
async def test_after_a_cut_checkpoint_its_keys_are_written_again_before_the_next(
    redo: bool,
) -> None:
    """Crash in step 2 of checkpoint A; restore; checkpoint B; crash before any key of B.

    The restore of B re-applies only B's write-ahead record, so keys that only A changed must be
    in the table by then: the worker writes A's keys again first (``redo``). Without it the
    restored state is wrong: other figures, or an agent's minute missing its chunk.
    """
    log = MemoryLog()
    store = CheckpointStore(TOPIC, log.reader(TOPIC), log.send_many)
    part = PartitionState(Engine(CONFIG), "events", 0)
    feed(part, RECORDS[:60])
    log.accept = 1  # only A's write-ahead record
    with pytest.raises(ConnectionError):
        await checkpoint(store, part)
    log.accept = None
    second, pending = await restore(store)
    assert pending is not None
    feed(second, RECORDS[:90])
    if redo:
        await store._write_keys(0, pending)  # what the runtime does before B's write-ahead record
    log.accept = 1  # B's write-ahead record only
    with pytest.raises(ConnectionError):
        await checkpoint(store, second)
    log.accept = None
    third, _ = await restore(store)
    try:
        feed(third, RECORDS)
    except KeyError:  # without the redo an agent record can name a minute whose chunk A lost
        assert not redo
        return
    got = comparable(snapshot(third.engine, AT, third.source))
    want = comparable(reference(CONFIG, EVENTS, AT))
    assert (differences(got, want) == []) is redo
