"""The feed: clean scenarios decode, outages hold records back, dirty feeds corrupt a share;
Kafka batches group one key's events."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest

from floorboard.events.codec import decode_record
from floorboard.events.model import partition_key
from floorboard.simulator import SCENARIOS
from floorboard.simulator.emit import grouped
from floorboard.simulator.feed import Record, records
from tests.simulator.helpers import HOUR, MONDAY_7, day


@pytest.mark.parametrize("name", sorted(set(SCENARIOS) - {"dirty_feed"}))
def test_clean_scenarios_send_only_valid_events(name: str) -> None:
    scenario = SCENARIOS[name]
    events = day(name, hours=2)
    sent = 0
    for record in records(events, scenario, MONDAY_7, 3):
        good, bad = decode_record(record.value)
        assert bad == [] and len(good) == 1
        assert record.key == partition_key(good[0])
        sent += 1
    assert sent == len(events)


def test_outage_holds_records_and_delivers_them_late() -> None:
    scenario = SCENARIOS["feed_outage"].replace(outage_start_min=60.0, outage_minutes=15.0)
    events = day("feed_outage", seed=1, hours=2)
    recs = list(records(events, scenario, MONDAY_7, 1))
    begin, end = MONDAY_7 + 60 * 60_000, MONDAY_7 + 75 * 60_000
    assert len(recs) == len(events)
    assert not [r for r in recs if begin <= r.send_ms < end]  # nothing sent during the outage
    held = [r for r in recs if begin <= orjson.loads(r.value)["ts"] < end]
    assert len(held) > 100 and all(r.send_ms >= end for r in held)
    # the rest goes out on time
    assert all(r.send_ms == orjson.loads(r.value)["ts"] for r in recs if r not in held)


def test_dirty_feed_share_and_kinds() -> None:
    scenario = SCENARIOS["dirty_feed"]
    events = day("dirty_feed", seed=2, hours=3)
    recs = list(records(events, scenario, MONDAY_7, 2))
    reasons: Counter[str] = Counter()
    good_ids: list[str] = []
    too_old = 0
    for r in recs:
        good, bad = decode_record(r.value)
        good_ids += [e.id for e in good]
        too_old += sum(r.send_ms - e.ts > HOUR for e in good)  # far beyond allowed lateness
        reasons.update(rejected.reason for rejected in bad)
    duplicates = len(good_ids) - len(set(good_ids))
    kinds = {
        "malformed": reasons["malformed_json"],
        "unknown type": reasons["unknown_type"],
        "duplicate": duplicates,
        "late": too_old,
    }
    assert set(reasons) == {"malformed_json", "unknown_type"}
    # each kind is about a quarter of the dirty 5 %
    for kind, count in kinds.items():
        assert 0.008 < count / len(events) < 0.018, kind
    assert 0.04 < sum(kinds.values()) / len(events) < 0.06


def test_batches_group_events_per_key_and_isolate_bad_bytes() -> None:
    events = day(hours=1)[:500]
    recs = list(records(events, SCENARIOS["normal"], MONDAY_7, 3))
    broken = Record(recs[10].key, b'{"broken', recs[10].send_ms)
    recs.insert(10, broken)
    pairs = list(grouped(recs, per_record=50))
    decoded = [e for _, value in pairs for e in decode_record(value)[0]]
    assert sorted(e.id for e in decoded) == sorted(e.id for e in events)
    assert (broken.key, broken.value) in pairs
    for key, value in pairs:
        batch = decode_record(value)[0]
        assert len(batch) <= 50
        assert all(partition_key(e) == key for e in batch)
    assert len(pairs) < len(recs)  # events of a key do share records
