from __future__ import annotations

import orjson

from floorboard.config import parse_config
from floorboard.engine.engine import Engine
from floorboard.events.codec import encode, encode_batch
from floorboard.streams.worker.offsets import record_end
from floorboard.streams.worker.partition import PartitionState, SourceRecord
from tests.factory import BASE_CONFIG, MINUTE, T0, config, contact, event


def part(next_record: int = 0) -> PartitionState:
    exact_at = record_end(next_record - 1) if next_record else -1
    return PartitionState(Engine(config()), "events", 2, exact_at)


def test_single_and_batch_records_apply_every_event() -> None:
    p = part()
    first, second = contact("c1", T0, wait_s=5, talk_s=60), contact("c2", T0, abandon_s=3)
    records = [
        SourceRecord(0, b"k", encode(first[0])),
        SourceRecord(1, b"k", encode_batch(first[1:] + second)),
    ]
    dead, position = p.apply_records(records, now=0.0)
    assert (dead, position) == ([], "ok")
    assert p.engine.counters["applied"] == 5
    assert p.next_offset == 2
    assert p.processed_offset == record_end(1)


def test_bad_events_become_dead_letters_and_the_good_ones_count() -> None:
    p = part()
    good = contact("c1", T0, wait_s=5)
    missing = orjson.loads(
        encode(event("contact.offered", T0, contact_id="c9", queue="billing", channel="voice"))
    )
    del missing["queue"]
    unknown = {**orjson.loads(encode(good[0])), "id": "u1", "type": "contact.beamed"}
    late = event(
        "contact.offered", T0 - 20 * MINUTE, contact_id="c8", queue="billing", channel="voice"
    )
    elsewhere = event(
        "contact.offered", T0, site="bergen", contact_id="c7", queue="billing", channel="voice"
    )
    batch = (
        b"["
        + b",".join([encode(good[1]), orjson.dumps(missing), orjson.dumps(unknown), encode(late)])
        + b"]"
    )
    records = [
        SourceRecord(0, b"k0", encode(good[0])),
        SourceRecord(1, b"k1", b'{"v":1,"id":'),
        SourceRecord(2, b"k2", batch),
        SourceRecord(3, b"k3", encode(elsewhere)),
    ]
    dead, _ = p.apply_records(records, now=0.0)
    by_reason = {d.reason: d for d in dead}
    assert sorted(by_reason) == [
        "invalid",
        "malformed_json",
        "too_late",
        "unknown_site",
        "unknown_type",
    ]
    assert (
        by_reason["malformed_json"].raw == b'{"v":1,"id":' and not by_reason["malformed_json"].batch
    )
    assert by_reason["malformed_json"].offset == 1 and by_reason["malformed_json"].key == b"k1"
    assert "queue" in by_reason["invalid"].message and by_reason["invalid"].batch
    assert by_reason["unknown_type"].event_type == "contact.beamed"
    assert (
        by_reason["too_late"].event_id == late.id
        and "allowed_lateness_s=600" in by_reason["too_late"].message
    )
    assert orjson.loads(by_reason["too_late"].raw)["id"] == late.id
    assert by_reason["unknown_site"].raw == encode(
        elsewhere
    )  # a single-event record: its own bytes
    assert all((d.topic, d.partition) == ("events", 2) for d in dead)
    counters = p.engine.counters
    assert counters["applied"] == 2
    assert counters["too_late"] == counters["unknown_site"] == 1
    assert (
        counters["rejected:malformed_json"]
        == counters["rejected:invalid"]
        == counters["rejected:unknown_type"]
        == 1
    )
    assert p.stats["dead_letter:too_late"] == 1 and p.stats["records"] == 4


def test_hostile_records_are_one_dead_letter_each_and_the_good_ones_still_count() -> None:
    # issue 12, rows 1, 2, 3 and 7: each broke the worker or flooded the dead-letter topic
    p = part()
    good = contact("c1", T0, wait_s=5)
    qa = orjson.loads(encode(event("qa.evaluation", T0, contact_id="c1", score=1, max_score=2)))
    records = [
        SourceRecord(0, None, b"[" * 256 + b"]" * 256),
        SourceRecord(1, None, b'{"a":' * 1000),
        SourceRecord(2, None, orjson.dumps({**qa, "max_score": 1e17})),
        SourceRecord(3, None, b"[" + b"0," * 499_999 + b"0]"),
        SourceRecord(4, None, encode_batch(good)),
        SourceRecord(5, None, b"[]"),
    ]
    dead, _ = p.apply_records(records, now=0.0)
    assert [(d.reason, d.count, d.offset) for d in dead] == [
        ("too_deep", 1, 0), ("too_deep", 1, 1), ("out_of_range", 1, 2), ("too_large", 500_000, 3),
    ]  # fmt: skip
    assert p.engine.counters["applied"] == 2
    assert p.engine.counters["rejected:too_large"] == 500_000
    assert p.stats["dead_letter:too_large"] == 500_000
    assert p.stats["events"] == 1 + 1 + 1 + 500_000 + 2
    assert p.stats["empty_batches"] == 1 and p.next_offset == 6
    # the accepted state checkpoints: nothing in it overflows msgpack's 64-bit integers
    assert p.engine.checkpoint(p.processed_offset).encode()


def test_an_event_from_the_future_is_dead_lettered_and_does_not_move_the_clock() -> None:
    # issue 12, row 4: one event in 2999 made every later good event too late
    p = PartitionState(Engine(config(), clock=lambda: T0 / 1000), "events", 2)
    far = event("contact.offered", 32_472_144_000_000, contact_id="f", queue="billing",
                channel="voice")  # fmt: skip
    good = contact("c1", T0 + MINUTE, wait_s=5)
    dead, _ = p.apply_records(
        [SourceRecord(0, None, encode(far)), SourceRecord(1, None, encode_batch(good))], now=0.0
    )
    assert [(d.reason, d.event_id) for d in dead] == [("from_future", far.id)]
    assert "max_future_skew_s=300" in dead[0].message
    assert p.engine.counters["applied"] == 2
    assert p.engine.watermarks == {"oslo": max(e.ts for e in good)}


def test_a_team_beyond_the_bound_is_dead_lettered_with_the_limit_named() -> None:
    cfg = parse_config({**BASE_CONFIG, "limits": {"max_teams_per_site": 1}})
    p = PartitionState(Engine(cfg), "events", 2)
    first = event("agent.state", T0, agent="a1", team="red", state="ready")
    other = event("agent.state", T0, agent="a2", team="blue", state="ready")
    dead, _ = p.apply_records([SourceRecord(0, None, encode_batch([first, other]))], now=0.0)
    assert [(d.reason, d.event_id, d.count) for d in dead] == [("too_many_teams", other.id, 1)]
    assert "team: 'blue'" in dead[0].message and "max_teams_per_site=1" in dead[0].message
    assert p.stats["dead_letter:too_many_teams"] == 1 and p.stats["applied"] == 1


def test_records_before_the_restored_position_are_skipped_and_far_ones_ask_for_a_seek() -> None:
    p = part(next_record=10)
    ev = contact("c1", T0)[0]
    dead, position = p.apply_records([SourceRecord(9, None, encode(ev))], now=0.0)
    assert (dead, position, p.engine.counters["applied"]) == ([], "ok", 0)  # just behind
    _, position = p.apply_records([SourceRecord(3, None, encode(ev))], now=0.0)
    assert position == "seek"
    assert p.stats["skipped_behind"] == 2 and p.next_offset == 10


def test_a_jump_ahead_asks_for_a_seek_back_and_is_not_applied() -> None:
    p = part(next_record=10)
    ev = contact("c1", T0)[0]
    _, position = p.apply_records([SourceRecord(15, None, encode(ev))], now=0.0)
    assert position == "seek" and p.engine.counters["applied"] == 0 and p.next_offset == 10
    # the seek brings the missing records; they apply in order
    _, position = p.apply_records(
        [SourceRecord(o, None, encode(ev)) for o in range(10, 12)], now=0.5
    )
    assert position == "ok" and p.next_offset == 12


def test_seek_requests_are_rate_limited() -> None:
    p = part(next_record=10)
    ev = encode(contact("c1", T0)[0])
    assert p.apply_records([SourceRecord(20, None, ev)], now=0.0)[1] == "seek"
    assert p.apply_records([SourceRecord(21, None, ev)], now=0.2)[1] == "ok"
    assert p.apply_records([SourceRecord(22, None, ev)], now=1.5)[1] == "seek"


def test_a_jump_ahead_is_never_applied_however_long_it_lasts() -> None:
    p = part(next_record=10)
    ev = encode(contact("c1", T0)[0])
    for t in range(100):
        p.apply_records([SourceRecord(12, None, ev)], now=float(t))
    assert p.next_offset == 10 and p.engine.counters["applied"] == 0
    assert p.mismatch_since == 0.0


def test_offsets_the_broker_does_not_hold_are_skipped_on_its_word() -> None:
    # e.g. retention removed them, or transaction markers occupy them
    p = part(next_record=10)
    ev = encode(contact("c1", T0)[0])
    p.skip_missing(12)
    dead, position = p.apply_records([SourceRecord(12, None, ev)], now=0.0)
    assert (dead, position) == ([], "ok")
    assert p.next_offset == 13 and p.engine.counters["applied"] == 1
    assert p.stats["offsets_missing"] == 2 and p.mismatch_since is None
    p.skip_missing(5)  # never backwards
    assert p.next_offset == 13
