from __future__ import annotations

from floorboard.engine.engine import Engine
from floorboard.engine.snapshot import QueueSnapshot, SourceStatus, decode
from floorboard.events.codec import encode_batch
from floorboard.streams.worker.partition import PartitionState, SourceRecord
from floorboard.streams.worker.publisher import snapshot_records
from tests.factory import MINUTE, T0, config, contact


def test_records_are_keyed_by_source_and_entity_with_the_status_last() -> None:
    part = PartitionState(Engine(config()), "events", 1)
    events = contact("c1", T0, wait_s=3) + contact("c2", T0, queue="support", abandon_s=2)
    part.apply_records([SourceRecord(0, None, encode_batch(events))], now=0.0)
    records = snapshot_records(part, T0 + MINUTE).records
    keys = [key.decode() for key, _ in records]
    assert keys[-1] == "events/1|status"
    assert (
        "events/1|queue|oslo|billing|voice" in keys and "events/1|queue|oslo|support|voice" in keys
    )
    decoded = [decode(v) for _, v in records if v is not None]
    assert all(r.source == "events/1" and r.as_of == T0 + MINUTE for r in decoded)
    assert isinstance(decoded[-1], SourceStatus) and decoded[-1].counters["applied"] == 4


def test_a_record_that_went_away_gets_a_tombstone_once() -> None:
    part = PartitionState(Engine(config()), "events", 0)
    part.apply_records([SourceRecord(0, None, encode_batch(contact("c1", T0, wait_s=3)))], 0.0)
    first = dict(snapshot_records(part, T0 + MINUTE).records)
    queue_key = b"events/0|queue|oslo|billing|voice"
    assert isinstance(decode(first[queue_key] or b""), QueueSnapshot)
    # two days later every bucket is evicted: the queue record is gone from the engine
    later = T0 + 2 * 24 * 60 * MINUTE
    part.apply_records(
        [SourceRecord(1, None, encode_batch(contact("c9", later, queue="support")))], 0.0
    )
    second = dict(snapshot_records(part, later).records)
    assert second[queue_key] is None
    third = dict(snapshot_records(part, later).records)
    assert queue_key not in third
