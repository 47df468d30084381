"""The record store keeps the latest record per source and entity and merges by addition."""

from __future__ import annotations

import msgspec

from floorboard.engine.day import PUBLISH_EVERY_S, day_records
from floorboard.engine.engine import Engine
from floorboard.engine.read import layout_id, snapshot
from floorboard.engine.snapshot import QueueSnapshot
from floorboard.wallboard.store import DAY_MAX_AGE_MS, RecordStore
from tests.wallboard.data import NOW, example_config, morning, records


def test_two_partitions_are_summed_and_replaced_not_added_twice() -> None:
    cfg = example_config()
    recs = records(cfg)
    layout = recs[0].layout
    store = RecordStore(layout, max_age_ms=5000)
    other = [msgspec.structs.replace(r, source="p1") for r in recs]
    store.add_all(recs, NOW)
    store.add_all(other, NOW)
    store.add_all(recs, NOW + 1000)  # a newer copy of p0 replaces the old one
    queue = next(r for r in recs if isinstance(r, QueueSnapshot) and r.queue == "billing")
    merged = store.views(NOW + 1000).queues[("oslo", "billing", "voice")]
    assert merged.windows["today"][0] == 2 * queue.windows["today"][0]
    assert merged.waiting == 2 * queue.waiting


def test_old_records_expire_and_other_layouts_are_refused() -> None:
    cfg = example_config()
    recs = records(cfg)
    store = RecordStore(recs[0].layout, max_age_ms=5000)
    store.add_all(recs, NOW)
    assert store.views(NOW + 6000).queues == {}
    foreign = msgspec.structs.replace(recs[0], layout="other")
    store.add(foreign, NOW)
    assert store.rejected_layout == 1
    assert store.age_ms(NOW + 2500) == 2500


def test_tombstone_removes_an_entity() -> None:
    from floorboard.engine.snapshot import record_key

    cfg = example_config()
    recs = records(cfg)
    store = RecordStore(recs[0].layout, max_age_ms=5000)
    store.add_all(recs, NOW)
    billing = next(r for r in recs if isinstance(r, QueueSnapshot) and r.queue == "billing")
    store.remove(record_key(billing))
    assert ("oslo", "billing", "voice") not in store.views(NOW).queues


def test_queue_day_records_outlive_the_per_second_ones_between_their_publications() -> None:
    cfg = example_config()
    engine = Engine(cfg)
    for ev in morning():
        engine.apply(ev)
    store = RecordStore(layout_id(engine.layout), max_age_ms=5000)
    store.add_all([*snapshot(engine, NOW, "p0"), *day_records(engine, NOW, "p0")], NOW)
    later = NOW + 2 * int(PUBLISH_EVERY_S * 1000)  # a day record was missed
    assert not store.views(later).queues
    assert ("oslo", "billing", "voice") in store.days(10)
    assert not store.views(NOW + DAY_MAX_AGE_MS + 1).queues and not store.days(10)


def test_counters_are_those_of_the_merged_views() -> None:
    cfg = example_config()
    recs = records(cfg)
    store = RecordStore(recs[0].layout, max_age_ms=5000)
    store.add_all(recs, NOW)
    store.add_all([msgspec.structs.replace(r, source="p1") for r in recs], NOW)
    counters = store.counters()
    assert counters["applied"] > 0
    assert counters == store.views(NOW).counters
