"""The same half hour last week: the week table (week.py) and its read, DST-correct."""

from __future__ import annotations

from floorboard.engine.day import day_records, merge_days
from floorboard.engine.engine import Engine
from floorboard.engine.tables import CELL_QUARTERS, WEEK_QUARTERS
from floorboard.engine.windows import last_week_span
from floorboard.events.model import Event
from tests.engine.helpers import OSLO, oslo, run
from tests.factory import config, contact


def test_last_week_is_the_same_wall_clock_half_hour_across_dst_changes() -> None:
    # after the clocks went back (25 Oct): 169 h back; after they went forward (29 Mar): 167 h
    autumn = last_week_span(oslo(2026, 10, 26, 10, 10), OSLO)
    assert (autumn.start, autumn.end) == (oslo(2026, 10, 19, 10), oslo(2026, 10, 19, 10, 30))
    assert oslo(2026, 10, 26, 10, 10) - autumn.start == 169 * 3_600_000 + 10 * 60_000
    spring = last_week_span(oslo(2026, 3, 30, 10, 40), OSLO)
    assert spring.start == oslo(2026, 3, 23, 10, 30)
    assert oslo(2026, 3, 30, 10, 40) - spring.start == 167 * 3_600_000 + 10 * 60_000


def week_across_the_autumn_change() -> list[Event]:
    """Monday 19 Oct (CEST): a fast call at 10:05 and an abandon at 11:05 — 168 h before Monday
    26 Oct 10:10 (CET) is 11:10 on the 19th, so only a wall-clock week finds the 10:05 call;
    then Monday 26 Oct (CET)."""
    return [
        *contact("w1", oslo(2026, 10, 19, 10, 5), wait_s=5, talk_s=100),
        *contact("w2", oslo(2026, 10, 19, 11, 5), abandon_s=40),
        *contact("t1", oslo(2026, 10, 26, 10, 2), wait_s=50, talk_s=100),
    ]


def test_cells_move_to_the_week_table_and_last_weeks_half_hour_is_read_by_key() -> None:
    cfg = config()
    engine = run(cfg, week_across_the_autumn_change())
    # last week's cells left the quarter table (which the windows scan) for the week table
    assert all(key[-1] >= oslo(2026, 10, 25, 0) for key in engine.state.tables[CELL_QUARTERS])
    assert engine.state.tables[WEEK_QUARTERS]
    records = day_records(engine, oslo(2026, 10, 26, 10, 10), "p0")
    (billing,) = [r for r in records if (r.queue, r.channel) == ("billing", "voice")]
    assert billing.last_week is not None
    ix = engine.layout.index
    assert (billing.last_week[ix["offered"]], billing.last_week[ix["answered"]]) == (1, 1)
    assert billing.last_week[ix["abandoned"]] == 0  # 11:05 is not "this time" last week
    # at 11:10 it is
    later = day_records(engine, oslo(2026, 10, 26, 11, 10), "p0")
    assert later[0].last_week is not None and later[0].last_week[ix["abandoned"]] == 1


def test_the_week_table_is_bounded_to_a_week_and_survives_a_restore() -> None:
    cfg = config()
    engine = run(cfg, week_across_the_autumn_change())
    restored = Engine(cfg)
    restored.restore([], engine.checkpoint(5))
    at = oslo(2026, 10, 26, 10, 10)
    assert day_records(restored, at, "p0") == day_records(engine, at, "p0")
    # eight days on, the 19th has left the week table too
    for e in (engine, restored):
        for ev in contact("t9", oslo(2026, 10, 27, 12), wait_s=5):
            e.apply(ev)
        assert all(k[-1] > oslo(2026, 10, 20, 0) for k in e.state.tables[WEEK_QUARTERS])
    at = oslo(2026, 10, 27, 12, 10)
    assert merge_days(day_records(restored, at, "p0"), 10) == merge_days(
        day_records(engine, at, "p0"), 10
    )
