"""The drill-down's day: the bounded list of abandoned contacts (table ABANDONS), the queue-day
records and their merge over sources, and the half hours of a DST day."""

from __future__ import annotations

import random
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.config import Config
from floorboard.engine.day import QueueDayView, QueueKey, day_records, interval_rows, merge_days
from floorboard.engine.engine import Engine
from floorboard.engine.snapshot import QueueDay, decode, encode
from floorboard.engine.tables import ABANDONS
from floorboard.events.model import Event, partition_key
from tests.engine.helpers import oslo, run
from tests.engine.strategies import LATEST_S, arrival_order, by_event_time, centre_events
from tests.factory import MINUTE, SECOND, T0, config, contact


def abandons(day: int, hour: int, count: int, queue: str = "billing") -> list[Event]:
    """``count`` contacts abandoned a minute apart from ``hour`` on 2026-11-``day``, waits 10 s,
    11 s, …"""
    start = oslo(2026, 11, day, hour)
    out: list[Event] = []
    for i in range(count):
        cid = f"c{day}-{hour}-{queue}-{i}"
        out += contact(cid, start + i * MINUTE, queue=queue, abandon_s=10 + i)
    return out


def merged(cfg: Config, *engines: Engine, at: int) -> dict[QueueKey, QueueDayView]:
    records = [r for i, e in enumerate(engines) for r in day_records(e, at, f"p{i}")]
    return merge_days(records, cfg.engine.abandoned_list_max)


def test_the_list_keeps_the_most_recent_and_counts_the_rest_in_any_arrival_order() -> None:
    cfg = config(abandoned_list_max=3)
    events = abandons(23, 9, 5)
    at = oslo(2026, 11, 23, 10)
    ordered = run(cfg, events)
    shuffled = list(events)
    random.Random(4).shuffle(shuffled)
    assert run(cfg, shuffled).state.tables[ABANDONS] == ordered.state.tables[ABANDONS]
    (record,) = day_records(ordered, at, "p0")
    # the three most recent (09:02, 09:03, 09:04 offered; waits 12, 13, 14 s), of five
    assert record.abandoned == [
        (oslo(2026, 11, 23, 9, i) + (10 + i) * 1000, (10 + i) * 1000) for i in (2, 3, 4)
    ]
    assert record.abandoned_total == 5
    day = merge_days([record], 3)[("oslo", "billing", "voice")]
    assert day.left_out == 2


def test_each_local_day_has_its_own_list_and_a_past_day_is_evicted() -> None:
    cfg = config()
    engine = run(cfg, abandons(23, 23, 2) + abandons(24, 0, 1))
    days = sorted(key[-1] for key in engine.state.tables[ABANDONS])
    assert days == [oslo(2026, 11, 23, 0), oslo(2026, 11, 24, 0)]
    (today,) = day_records(engine, oslo(2026, 11, 24, 0, 30), "p0")
    assert (today.day_start, today.abandoned_total) == (oslo(2026, 11, 24, 0), 1)
    # the 24th at 03:00 is past every window of the 23rd: its list goes
    for ev in abandons(24, 3, 1):
        engine.apply(ev)
    assert sorted(key[-1] for key in engine.state.tables[ABANDONS]) == [oslo(2026, 11, 24, 0)]


def _contact(event: Event) -> bytes:
    return str(getattr(event, "contact_id", "")).encode()


def test_records_of_two_partitions_merge_to_those_of_one_engine() -> None:
    cfg = config(abandoned_list_max=4)
    events = abandons(23, 9, 6) + abandons(23, 11, 3, queue="support")
    events += contact("ans", oslo(2026, 11, 23, 9, 40), wait_s=12, talk_s=100)
    events.sort(key=lambda e: e.ts)
    at = oslo(2026, 11, 23, 12)
    one = merged(cfg, run(cfg, events), at=at)
    # split by contact, as the source topic is
    halves = [[e for e in events if zlib.crc32(_contact(e)) % 2 == i] for i in (0, 1)]
    two = merged(cfg, run(cfg, halves[0]), run(cfg, halves[1]), at=at)
    assert one == two
    billing = one[("oslo", "billing", "voice")]
    assert billing.abandoned_total == 6 and len(billing.abandoned) == 4
    assert sum(v[0] for v in billing.intervals.values()) == 7  # offered, with the answered one


def test_a_queue_day_record_round_trips_and_names_no_contact_or_agent() -> None:
    cfg = config()
    events = abandons(23, 9, 2) + contact("cust-x", oslo(2026, 11, 23, 9, 5), wait_s=5,
                                          agent="alice", team="red", talk_s=60)  # fmt: skip
    records = day_records(run(cfg, events), oslo(2026, 11, 23, 10), "p0")
    for record in records:
        raw = encode(record)
        assert decode(raw) == record
        assert b"cust-" not in raw and b"alice" not in raw and b"c23-" not in raw


def test_a_day_of_a_newer_day_start_replaces_yesterdays_record_of_another_source() -> None:
    cfg = config()
    late = day_records(run(cfg, abandons(23, 9, 2)), oslo(2026, 11, 23, 23, 59), "p0")
    today = day_records(run(cfg, abandons(24, 0, 1)), oslo(2026, 11, 24, 0, 5), "p1")
    days = merge_days([*late, *today], 10)
    assert days[("oslo", "billing", "voice")].abandoned_total == 1


def test_half_hours_from_local_midnight_on_dst_days() -> None:
    cfg = config()
    # 2026-10-25: the clocks go back at 03:00 (25 h); 2026-03-29: forward at 02:00 (23 h)
    for day, hours in (((10, 25), 25), ((3, 29), 23)):
        month, date = day
        events = contact("x", oslo(2026, month, date, 2, 10, fold=1), abandon_s=30)
        end_of_day = oslo(2026, month, date, 23, 50)
        engine = run(cfg, events)
        (record,) = day_records(engine, end_of_day, "p0")
        assert isinstance(record, QueueDay)
        (view,) = merge_days([record], 10).values()
        rows = interval_rows(view, cfg, engine.layout)
        assert len(rows) == 2 * hours
        assert rows[0].start == oslo(2026, month, date, 0)
        assert sum(r.figures["abandoned"].n for r in rows) == 1


def test_the_list_survives_a_checkpoint_and_restore() -> None:
    cfg = config(abandoned_list_max=2)
    engine = run(cfg, abandons(23, 9, 3))
    checkpoint = engine.checkpoint(2)
    restored = Engine(cfg)
    restored.restore([], checkpoint)
    assert restored.state.tables[ABANDONS] == engine.state.tables[ABANDONS]
    at = oslo(2026, 11, 23, 10)
    assert day_records(restored, at, "p0") == day_records(engine, at, "p0")
    # and goes on from there as the original does
    more = abandons(23, 9, 1, queue="support")
    for e in (engine, restored):
        for ev in more:
            e.apply(ev)
    assert day_records(restored, at, "p0") == day_records(engine, at, "p0")


BOUNDED = config(allowed_lateness_s=600, abandoned_list_max=2)
END = T0 + (LATEST_S + 600) * SECOND


@settings(max_examples=50, deadline=None)
@given(centre_events(), st.integers(2, 4), st.integers(0, 2**32 - 1), st.randoms())
def test_queue_days_of_any_partitioning_and_arrival_order_equal_one_engines(
    events: list[Event], partitions: int, salt: int, rnd: random.Random
) -> None:
    whole = run(BOUNDED, by_event_time(events))
    want = merge_days(day_records(whole, END, "whole"), 2)
    arrived = arrival_order(events, rnd, 600_000)
    parts = [Engine(BOUNDED) for _ in range(partitions)]
    for ev in arrived:
        parts[zlib.crc32(partition_key(ev).encode(), salt) % partitions].apply(ev)
    assert merged(BOUNDED, *parts, at=END) == want
