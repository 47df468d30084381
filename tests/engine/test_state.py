"""Keyed state and checkpoints: a restore from any checkpoint, even one whose keys were only partly
written when the process died, ends exactly where the uninterrupted engine does."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.config import Config
from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.engine.state import Checkpoint, KeyedState, decode_key, encode_key
from floorboard.engine.tables import CELL_MINUTES, CONTACTS, FORMAT, TEAM_MINUTES
from floorboard.events.model import Event
from tests.engine.helpers import feed
from tests.engine.strategies import LATEST_S, by_event_time, centre_events
from tests.factory import T0, config, contact, event

CFG: Config = config(allowed_lateness_s=600, spread_min_responses=1)
END = T0 + (LATEST_S + 600) * 1000

Table = dict[bytes, bytes]


class CompactedTable:
    """The checkpoint topic as a restore sees it: latest value per key, and the last WAL record."""

    def __init__(self) -> None:
        self.items: Table = {}
        self.wal: bytes | None = None

    def write_keys(self, changes: Sequence[tuple[bytes, bytes | None]]) -> None:
        for key, value in changes:
            if value is None:
                self.items.pop(key, None)  # a None value is a tombstone: compaction drops it
            else:
                self.items[key] = value

    def last(self) -> Checkpoint | None:
        return None if self.wal is None else Checkpoint.decode(self.wal)


def restore(table: CompactedTable) -> tuple[Engine, int]:
    engine = Engine(CFG)
    return engine, engine.restore(table.items.items(), table.last()) + 1


def assert_same(restored: Engine, reference: Engine) -> None:
    # What readers see, and the durable state itself, key for key.
    assert snapshot(restored, END, "x")[:-1] == snapshot(reference, END, "x")[:-1]
    assert restored.state.tables == reference.state.tables
    assert restored.watermarks == reference.watermarks
    counters = {k: v for k, v in restored.counters.items() if k != "redelivered"}
    assert counters == dict(reference.counters)


def write_checkpoint(
    table: CompactedTable, engine: Engine, offset: int, data: st.DataObject | None = None
) -> Checkpoint:
    """Take a checkpoint and write it: the write-ahead record, then its keys — all of them, or
    with ``data`` a drawn subset, as a crash while writing them leaves the topic."""
    checkpoint = engine.checkpoint(offset)
    table.wal = checkpoint.encode()
    changes = checkpoint.changes
    if data is not None:
        keep = data.draw(st.lists(st.booleans(), min_size=len(changes), max_size=len(changes)))
        changes = [c for c, k in zip(changes, keep, strict=True) if k]
    table.write_keys(changes)
    return checkpoint


def two_cuts(events: list[Event], data: st.DataObject) -> tuple[int, int]:
    first = data.draw(st.integers(0, len(events)))
    return first, data.draw(st.integers(first, len(events)))


def reference_run(events: list[Event]) -> Engine:
    engine = Engine(CFG)
    feed(engine, events)
    return engine


# --- the property ---


@settings(max_examples=50, deadline=None)
@given(centre_events(), st.data())
def test_restore_mid_stream_then_the_rest_equals_no_crash(
    events: list[Event], data: st.DataObject
) -> None:
    events = by_event_time(events)
    cut = data.draw(st.integers(0, len(events)))
    table = CompactedTable()
    first = Engine(CFG)
    feed(first, events[:cut])
    write_checkpoint(table, first, cut - 1)

    restored, resume = restore(table)
    assert resume == cut
    feed(restored, events[resume:], start=resume)
    assert_same(restored, reference_run(events))


@settings(max_examples=50, deadline=None)
@given(centre_events(), st.data())
def test_restore_from_a_half_written_checkpoint_is_exact(
    events: list[Event], data: st.DataObject
) -> None:
    """Checkpoint twice; die while the second one's keys are being written; restore; go on."""
    events = by_event_time(events)
    first, second = two_cuts(events, data)
    table = CompactedTable()
    crashed = Engine(CFG)
    feed(crashed, events[:first])
    write_checkpoint(table, crashed, first - 1)
    feed(crashed, events[first:second], start=first)
    write_checkpoint(table, crashed, second - 1, data)  # the marker, then only some of its keys

    restored, resume = restore(table)
    assert resume == second
    if resume > 0:  # a redelivered event from before the marker is skipped, not counted twice
        assert restored.apply(events[resume - 1], resume - 1) == "duplicate"
    feed(restored, events[resume:], start=resume)
    assert_same(restored, reference_run(events))


@settings(max_examples=50, deadline=None)
@given(centre_events(), st.data())
def test_crash_before_the_marker_restores_the_previous_checkpoint(
    events: list[Event], data: st.DataObject
) -> None:
    """Die while writing the second write-ahead record: its keys were never written."""
    events = by_event_time(events)
    first, second = two_cuts(events, data)
    table = CompactedTable()
    crashed = Engine(CFG)
    feed(crashed, events[:first])
    write_checkpoint(table, crashed, first - 1)
    feed(crashed, events[first:second], start=first)
    crashed.checkpoint(second - 1)  # taken, but neither step reached the topic

    restored, resume = restore(table)
    assert resume == first  # replay from the older marker
    feed(restored, events[resume:], start=resume)
    assert_same(restored, reference_run(events))


@settings(max_examples=40, deadline=None)
@given(centre_events(), st.data())
def test_two_crashes_with_the_worker_redo_stay_exact(
    events: list[Event], data: st.DataObject
) -> None:
    """After a restore from a half-written checkpoint the worker rewrites that checkpoint's keys
    before its next marker (floorboard/streams/worker/checkpoint.py); a second half-written checkpoint
    and restore must still be exact."""
    events = by_event_time(events)
    a, b = two_cuts(events, data)
    table = CompactedTable()
    engine = Engine(CFG)
    feed(engine, events[:a])
    write_checkpoint(table, engine, a - 1, data)
    engine, resume = restore(table)
    assert resume == a
    redo = table.last()
    assert redo is not None
    feed(engine, events[a:b], start=a)
    table.write_keys(redo.changes)  # the redo goes out before the next marker
    write_checkpoint(table, engine, b - 1, data)
    engine, resume = restore(table)
    assert resume == b
    feed(engine, events[b:], start=b)
    assert_same(engine, reference_run(events))


# --- the pieces ---


def test_keys_round_trip() -> None:
    key = (FORMAT, CELL_MINUTES, "oslo", "billing", "voice", "", T0)
    assert decode_key(encode_key(key)) == key


def test_ids_of_one_second_on_both_sides_of_a_checkpoint_are_all_written() -> None:
    """The engine keeps appending to the ids list of the current second without looking it up
    again; a checkpoint in the middle of that second must still write the later ids."""
    events = [event("contact.offered", T0 + i * 100, id=f"e{i}", contact_id=f"c{i}",
                    queue="billing", channel="voice") for i in range(4)]  # fmt: skip
    table = CompactedTable()
    engine = Engine(CFG)
    feed(engine, events[:2])
    write_checkpoint(table, engine, 1)
    feed(engine, events[2:], start=2)
    write_checkpoint(table, engine, 3)
    restored, resume = restore(table)
    assert_same(restored, engine)
    for offset, ev in enumerate(events):  # redelivered under new offsets: still duplicates
        assert restored.apply(ev, resume + offset) == "duplicate"


def test_buckets_changed_on_both_sides_of_a_checkpoint_are_all_written() -> None:
    """The engine finds a bucket it already marked changed without marking it again; after a
    checkpoint it must mark it again, or the second checkpoint would miss the later change."""

    def agent(ts: int, state: str) -> Event:
        return event("agent.state", ts, agent="a1", team="red", state=state, queues=["billing"])

    def offered(ts: int, cid: str) -> Event:
        return event("contact.offered", ts, contact_id=cid, queue="billing", channel="voice")

    # One cell minute and one team minute, changed before and after the first checkpoint.
    events = [agent(T0, "ready"), offered(T0 + 1000, "c1"), agent(T0 + 10_000, "busy"),
              offered(T0 + 20_000, "c2"), agent(T0 + 30_000, "ready")]  # fmt: skip
    table = CompactedTable()
    engine = Engine(CFG)
    feed(engine, events[:3])
    write_checkpoint(table, engine, 2)
    feed(engine, events[3:], start=3)
    changed = {decode_key(k)[1] for k, _ in write_checkpoint(table, engine, 4).changes}
    assert {CELL_MINUTES, TEAM_MINUTES} <= changed
    restored, _ = restore(table)
    assert_same(restored, engine)


def test_changes_are_the_touched_keys_once_and_deletes_are_none() -> None:
    state = KeyedState([CELL_MINUTES, CONTACTS])
    state.touch(CELL_MINUTES, ("oslo", 1))
    state.tables[CELL_MINUTES][("oslo", 1)] = [1, 2]
    state.touch(CELL_MINUTES, ("oslo", 1))  # touched twice, reported once
    state.tables[CONTACTS][("oslo", "c1")] = ["billing"]
    state.delete(CONTACTS, ("oslo", "c1"))
    assert state.dirty_count == 2
    changes = dict(state.changes())
    assert changes == {
        encode_key((FORMAT, CELL_MINUTES, "oslo", 1)): msgspec.msgpack.encode([1, 2]),
        encode_key((FORMAT, CONTACTS, "oslo", "c1")): None,
    }
    assert state.dirty_count == 0 and state.changes() == []

    other = KeyedState([CELL_MINUTES, CONTACTS])
    other.tables[CONTACTS][("oslo", "c1")] = ["stale"]
    other.load(changes.items())
    assert other.tables == {CELL_MINUTES: {("oslo", 1): [1, 2]}, CONTACTS: {}}
    assert other.dirty_count == 0  # loaded state is clean: it is already on the topic


def test_delete_all_reports_each_key() -> None:
    state = KeyedState([CONTACTS])
    state.tables[CONTACTS].update({("oslo", "c1"): [], ("oslo", "c2"): []})
    state.delete_all(CONTACTS, [("oslo", "c1"), ("oslo", "gone")])
    assert state.tables[CONTACTS] == {("oslo", "c2"): []}
    assert state.dirty[CONTACTS] == {("oslo", "c1"), ("oslo", "gone")}


# A key and a write-ahead record as format 1 wrote them: single-letter tables, no format field.
FORMAT_1_KEY = encode_key(("m", "oslo", "billing", "voice", "", T0))
FORMAT_1_WAL = msgspec.msgpack.encode({
    "offset": 9, "watermarks": {"oslo": T0}, "counters": {"applied": 10},
    "changes": [(FORMAT_1_KEY, msgspec.msgpack.encode([1]))],
})  # fmt: skip


def test_a_checkpoint_of_another_format_is_not_read() -> None:
    newer = msgspec.structs.replace(Checkpoint(9, {}, {}, []), format=FORMAT + 1)
    assert Checkpoint.decode(newer.encode()) is None
    assert Checkpoint.decode(FORMAT_1_WAL) is None
    engine = Engine(CFG)
    assert engine.restore([(FORMAT_1_KEY, msgspec.msgpack.encode([1]))], None) == -1
    assert not any(engine.state.tables.values())  # so the worker reads the source from its start


def test_keys_left_over_from_another_format_are_skipped() -> None:
    table = CompactedTable()
    table.items[FORMAT_1_KEY] = msgspec.msgpack.encode([1])  # compaction keeps it for ever
    reference = reference_run(contact("c1", T0, wait_s=5))
    write_checkpoint(table, reference, 1)
    restored, resume = restore(table)
    assert resume == 2
    assert_same(restored, reference)


def test_checkpoint_record_round_trips() -> None:
    engine = Engine(CFG)
    feed(engine, contact("c1", T0, wait_s=5))
    checkpoint = engine.checkpoint(1)
    again = Checkpoint.decode(checkpoint.encode())
    assert again == checkpoint
    assert again.offset == 1 and again.watermarks == {"oslo": T0 + 5000}
    assert again.counters == {"applied": 2}


def test_restore_without_a_marker_is_an_empty_engine() -> None:
    engine = Engine(CFG)
    assert engine.restore([], None) == -1
    assert engine.watermarks == {} and not any(engine.state.tables.values())
