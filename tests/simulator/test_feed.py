"""Feed faults: outages hold records back, dirty feeds corrupt a share; batches group by key."""

from __future__ import annotations

import orjson

from simulator import SCENARIOS, generate
from simulator.emit import grouped
from simulator.feed import records
from streams.events.codec import decode_record
from tests.simulator.helpers import HOUR, MONDAY_7, example


def test_outage_holds_records_and_delivers_them_late() -> None:
    scenario = SCENARIOS["feed_outage"].replace(outage_start_min=60.0, outage_minutes=15.0)
    events = list(generate(example(), scenario, MONDAY_7, 2 * HOUR, 1))
    recs = list(records(events, scenario, MONDAY_7, 1))
    begin, end = MONDAY_7 + 60 * 60_000, MONDAY_7 + 75 * 60_000
    assert len(recs) == len(events)
    assert not [r for r in recs if begin <= r.send_ms < end]  # nothing sent during the outage
    held = [r for r in recs if begin <= orjson.loads(r.value)["ts"] < end]
    assert held and all(r.send_ms >= end for r in held)


def test_dirty_feed_share_and_kinds() -> None:
    scenario = SCENARIOS["dirty_feed"]
    events = list(generate(example(), scenario, MONDAY_7, 3 * HOUR, 2))
    recs = list(records(events, scenario, MONDAY_7, 2))
    reasons: dict[str, int] = {}
    good_ids: list[str] = []
    for r in recs:
        good, bad = decode_record(r.value)
        good_ids += [e.id for e in good]
        for rejected in bad:
            reasons[rejected.reason] = reasons.get(rejected.reason, 0) + 1
    dirty = len(recs) - len(events)  # duplicates, late copies and unknown types are extra
    assert {"malformed_json", "unknown_type"} <= set(reasons)
    assert len(good_ids) > len(set(good_ids))  # duplicates
    share = (reasons["malformed_json"] + dirty) / len(events)
    assert 0.03 < share < 0.07  # about 5 % of events are touched


def test_batches_group_events_per_key_and_isolate_bad_bytes() -> None:
    events = list(generate(example(), SCENARIOS["normal"], MONDAY_7, HOUR, 3))[:500]
    recs = list(records(events, SCENARIOS["normal"], MONDAY_7, 3))
    recs.insert(10, recs[10].__class__(recs[10].key, b'{"broken', recs[10].send_ms))
    pairs = list(grouped(recs, per_record=50))
    decoded = [e for _, value in pairs for e in decode_record(value)[0]]
    assert sorted(e.id for e in decoded) == sorted(e.id for e in events)
    assert (recs[10].key, b'{"broken') in pairs
    for key, value in pairs:
        for e in decode_record(value)[0]:
            from streams.events.model import partition_key

            assert partition_key(e) == key
