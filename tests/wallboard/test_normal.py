"""Compared with normal: this half hour beside the same half hour yesterday and last week."""

from __future__ import annotations

from floorboard.engine.day import day_records
from floorboard.engine.engine import Engine
from floorboard.engine.layout import Layout
from floorboard.engine.read import layout_id, snapshot
from floorboard.events.model import Event
from floorboard.wallboard.board import BoardBuilder
from floorboard.wallboard.store import RecordStore
from tests.engine.helpers import oslo
from tests.factory import contact
from tests.wallboard.data import example_config

NOW = oslo(2026, 11, 30, 12, 10)  # a Monday


def board_line(events: list[Event], with_day_records: bool = True) -> str:
    cfg = example_config()
    engine = Engine(cfg)
    for ev in sorted(events, key=lambda e: e.ts):
        engine.apply(ev)
    store = RecordStore(layout_id(engine.layout), max_age_ms=10**12)
    store.add_all(snapshot(engine, NOW, "p0"), NOW)
    if with_day_records:
        store.add_all(day_records(engine, NOW, "p0"), NOW)
    builder = BoardBuilder(cfg, Layout(cfg.wait_bounds_ms, cfg.handle_bounds_ms), hold=1)
    return builder.supervisor(store.views(NOW), "today", "oslo").normal


def calls(day: int, waits: list[int], prefix: str) -> list[Event]:
    """Billing voice calls from 12:00 on November ``day``, answered after ``waits`` seconds
    (none: abandoned after 60 s), each talked 200 s."""
    out: list[Event] = []
    for i, wait in enumerate(waits):
        at = oslo(2026, 11, day, 12, i)
        if wait < 0:
            out += contact(f"{prefix}{i}", at, abandon_s=60)
        else:
            out += contact(f"{prefix}{i}", at, wait_s=wait, talk_s=200)
    return out


def test_on_a_monday_last_monday_is_the_normal_to_beat() -> None:
    # last Monday at this time 4 of 5 answered within 20 s; today 1 of 4, one abandoned
    last_week = calls(23, [5, 5, 5, 5, 40], "lw")
    today = calls(30, [5, 40, 40, -1], "td")
    assert board_line(last_week + today) == (
        "This half hour (last Mon at this time): SL 25% (80%) · abandoned 25% (0%) · "
        "AHT 3:20 (3:20)"
    )


def test_yesterday_and_last_week_side_by_side() -> None:
    events = calls(23, [5, 5, 5, 5, 40], "lw") + calls(29, [5, 40], "yd")
    events += calls(30, [5, 40, 40, -1], "td")
    assert board_line(events) == (
        "This half hour (yesterday · last Mon): SL 25% (50% · 80%) · "
        "abandoned 25% (0% · 0%) · AHT 3:20 (3:20 · 3:20)"
    )
    # before the queue-day records arrive, yesterday alone
    assert board_line(events, with_day_records=False) == (
        "This half hour (same half hour yesterday): SL 25% (50%) · abandoned 25% (0%) · "
        "AHT 3:20 (3:20)"
    )
