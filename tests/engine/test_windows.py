"""Windows in the site's timezone, including Europe/Oslo's 23- and 25-hour DST days.

2026-03-29: Oslo springs forward at 02:00 CET (01:00 UTC) straight to 03:00 CEST.
2026-10-25: Oslo falls back at 03:00 CEST (01:00 UTC) to 02:00 CET; 02:00-03:00 happens twice.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorboard.engine.windows import (
    HOUR_MS,
    MINUTE_MS,
    QUARTER_MS,
    Tier,
    Window,
    local_interval_start,
    local_midnight,
    next_local_midnight,
    retention_ms,
    window_span,
)
from floorboard.events.model import Event
from tests.engine.helpers import OSLO, field, oslo, run, utc, views
from tests.factory import config, contact

SPRING = (2026, 3, 29)
FALL = (2026, 10, 25)
DAY_CFG = config(allowed_lateness_s=86400, dedup_ttl_s=86400)  # a whole day may arrive late


def offered_at(stamps: list[int]) -> list[Event]:
    return [contact(f"c{i}", ts)[0] for i, ts in enumerate(stamps)]


def billing(engine_events: list[Event], now: int) -> dict[str, list[int]]:
    return views(run(DAY_CFG, engine_events), now).queues[("oslo", "billing", "voice")].windows


# --- today ---


@pytest.mark.parametrize(("day", "hours"), [(SPRING, 23), (FALL, 25)])
def test_today_is_the_whole_local_day(day: tuple[int, int, int], hours: int) -> None:
    start, end = oslo(*day, 0), next_local_midnight(oslo(*day, 12), OSLO)
    assert end - start == hours * HOUR_MS
    span = window_span(Window.TODAY, end - 1, OSLO)
    assert (span.tier, span.start, span.end) == (Tier.QUARTER, start, end)


@pytest.mark.parametrize("day", [SPRING, FALL])
def test_today_counts_exactly_the_local_day(day: tuple[int, int, int]) -> None:
    y, m, d = day
    the_day_before = oslo(*(dt.date(y, m, d) - dt.timedelta(days=1)).timetuple()[:3], 23, 59)
    events = offered_at([the_day_before, oslo(*day, 0, 30), oslo(*day, 12), oslo(*day, 23, 30)])
    windows = billing(events, oslo(*day, 23, 45))
    assert field_of(windows["today"]) == 3  # 00:30, noon and 23:30; not 23:59 the day before
    # and just after midnight the new day starts empty
    assert "today" not in billing(events, next_local_midnight(oslo(*day, 12), OSLO) + MINUTE_MS)


def test_today_on_the_fall_back_day_counts_both_repeated_hours() -> None:
    first, second = oslo(*FALL, 2, 30, fold=0), oslo(*FALL, 2, 30, fold=1)
    assert second - first == HOUR_MS
    windows = billing(offered_at([first, second]), oslo(*FALL, 23))
    assert field_of(windows["today"]) == 2


# --- intervals in the repeated hour (fall back) ---


def test_local_interval_start_in_the_repeated_hour() -> None:
    first, second = utc(2026, 10, 25, 0, 40), utc(2026, 10, 25, 1, 40)  # both 02:40 local
    assert local_interval_start(first, OSLO, 30) == utc(2026, 10, 25, 0, 30)
    assert local_interval_start(second, OSLO, 30) == utc(2026, 10, 25, 1, 30)
    assert local_interval_start(first, OSLO, 15) == utc(2026, 10, 25, 0, 30)
    assert local_interval_start(second, OSLO, 15) == utc(2026, 10, 25, 1, 30)


@pytest.mark.parametrize(
    ("now", "window", "start", "end"),
    [
        # the second 02:10 (CET): interval 02:00-02:15 CET; the previous one is the first
        # 02:45-03:00 (CEST) — 15 real minutes earlier, not an hour
        (utc(2026, 10, 25, 1, 10), Window.INTERVAL_15, utc(2026, 10, 25, 1), utc(2026, 10, 25, 1, 15)),
        (utc(2026, 10, 25, 1, 10), Window.PREVIOUS_15, utc(2026, 10, 25, 0, 45), utc(2026, 10, 25, 1)),
        (utc(2026, 10, 25, 1, 10), Window.INTERVAL_30, utc(2026, 10, 25, 1), utc(2026, 10, 25, 1, 30)),
        (utc(2026, 10, 25, 1, 10), Window.PREVIOUS_30, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1)),
        # the second 02:40: previous 30 is the second 02:00-02:30
        (utc(2026, 10, 25, 1, 40), Window.PREVIOUS_30, utc(2026, 10, 25, 1), utc(2026, 10, 25, 1, 30)),
        # 03:05 CET: previous 15 is the second 02:45-03:00
        (utc(2026, 10, 25, 2, 5), Window.PREVIOUS_15, utc(2026, 10, 25, 1, 45), utc(2026, 10, 25, 2)),
    ],
)  # fmt: skip
def test_fall_back_interval_spans(now: int, window: Window, start: int, end: int) -> None:
    span = window_span(window, now, OSLO)
    assert (span.start, span.end) == (start, end)


def test_fall_back_intervals_count_each_repeated_hour_separately() -> None:
    events = offered_at([
        oslo(*FALL, 2, 35, fold=0),  # first 02:30-02:45
        oslo(*FALL, 2, 50, fold=0),  # first 02:45-03:00
        oslo(*FALL, 2, 35, fold=1),  # second 02:30-02:45
    ])  # fmt: skip
    in_second = billing(events, oslo(*FALL, 2, 40, fold=1))
    assert field_of(in_second.get("interval_15m")) == 1  # only the second 02:35
    assert field_of(in_second.get("previous_15m")) == 0  # second 02:15-02:30
    assert field_of(in_second.get("interval_30m")) == 1
    assert field_of(in_second["today"]) == 3
    just_after_change = billing(events, oslo(*FALL, 2, 5, fold=1))
    assert field_of(just_after_change.get("previous_15m")) == 1  # first 02:45-03:00
    assert field_of(just_after_change.get("previous_30m")) == 2  # first 02:30-03:00
    in_first = billing(events, oslo(*FALL, 2, 40, fold=0))
    assert field_of(in_first.get("interval_15m")) == 1  # only the first 02:35


# --- intervals after spring forward ---


@pytest.mark.parametrize(
    ("now", "window", "start", "end"),
    [
        # 03:05 CEST = 01:05 UTC: 03:00-03:15; previous is 01:45-02:00 CET (02:00-03:00 never was)
        (utc(2026, 3, 29, 1, 5), Window.INTERVAL_15, utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 15)),
        (utc(2026, 3, 29, 1, 5), Window.PREVIOUS_15, utc(2026, 3, 29, 0, 45), utc(2026, 3, 29, 1)),
        (utc(2026, 3, 29, 1, 10), Window.INTERVAL_30, utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30)),
        (utc(2026, 3, 29, 1, 10), Window.PREVIOUS_30, utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1)),
        # 03:20 CEST: previous 15 is 03:00-03:15 CEST
        (utc(2026, 3, 29, 1, 20), Window.PREVIOUS_15, utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 15)),
    ],
)  # fmt: skip
def test_spring_forward_interval_spans(now: int, window: Window, start: int, end: int) -> None:
    span = window_span(window, now, OSLO)
    assert (span.start, span.end) == (start, end)


def test_spring_forward_intervals_count_the_right_events() -> None:
    events = offered_at([
        oslo(*SPRING, 1, 40),  # 01:30-02:00 CET, in 01:30-01:45
        oslo(*SPRING, 1, 50),  # 01:45-02:00 CET
        oslo(*SPRING, 3, 2),  # 03:00-03:15 CEST
    ])  # fmt: skip
    now = oslo(*SPRING, 3, 5)
    windows = billing(events, now)
    assert field_of(windows.get("interval_15m")) == 1
    assert field_of(windows.get("previous_15m")) == 1  # 01:50 only
    assert field_of(windows.get("previous_30m")) == 2  # 01:40 and 01:50
    assert field_of(windows["today"]) == 3
    # rolling windows are real minutes: 01:36-02:00 CET and 03:00-03:05 CEST hold all three
    assert field_of(windows.get("rolling_30m")) == 3
    assert field_of(windows.get("rolling_15m")) == 1  # 01:51-02:00 CET misses 01:50


# --- the same rules anywhere, any day ---

ZONES = [ZoneInfo(z) for z in ("Europe/Oslo", "Asia/Kolkata", "Asia/Kathmandu",
                                "America/St_Johns", "Australia/Lord_Howe", "UTC")]  # fmt: skip
YEAR_2026 = st.integers(utc(2026, 1, 1, 0), utc(2027, 1, 1, 0))


@given(YEAR_2026, st.sampled_from(ZONES), st.sampled_from([15, 30]))
def test_intervals_are_local_clock_intervals_on_quarter_buckets(
    now: int, zone: ZoneInfo, minutes: int
) -> None:
    start = local_interval_start(now, zone, minutes)
    assert start % QUARTER_MS == 0  # every real offset is whole quarter hours
    assert start <= now < start + minutes * MINUTE_MS
    local = dt.datetime.fromtimestamp(start / 1000, tz=zone)
    assert local.minute % minutes == 0 and local.second == 0


@given(YEAR_2026, st.sampled_from(ZONES))
def test_today_starts_at_local_midnight_on_a_quarter_bucket(now: int, zone: ZoneInfo) -> None:
    span = window_span(Window.TODAY, now, zone)
    local_start = dt.datetime.fromtimestamp(span.start / 1000, tz=zone)
    assert (local_start.hour, local_start.minute) == (0, 0)
    assert local_start.date() == dt.datetime.fromtimestamp(now / 1000, tz=zone).date()
    assert span.start % QUARTER_MS == 0
    assert span.start <= now < span.end <= next_local_midnight(now, zone)
    assert local_midnight(span.start, zone) == span.start


@given(YEAR_2026, st.sampled_from([Window.ROLLING_15, Window.ROLLING_30, Window.ROLLING_60]))
def test_rolling_windows_cover_whole_minutes_up_to_now(now: int, window: Window) -> None:
    span = window_span(window, now, OSLO)
    width = {"rolling_15m": 15, "rolling_30m": 30, "rolling_60m": 60}[window]
    assert span.tier is Tier.MINUTE
    assert span.end - span.start == width * MINUTE_MS
    assert span.end - MINUTE_MS <= now < span.end


def test_quarter_retention_covers_a_25_hour_day_and_the_lateness() -> None:
    lateness = 600_000
    assert retention_ms(Tier.QUARTER, lateness) >= 25 * HOUR_MS + lateness + QUARTER_MS
    assert retention_ms(Tier.MINUTE, lateness) >= HOUR_MS + lateness + MINUTE_MS


def field_of(vector: list[int] | None) -> int:
    """Offered count of a window vector (0 when the window is empty)."""
    return field(run(DAY_CFG, []), vector, "offered")


# --- yesterday at this time ---


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (oslo(2026, 11, 24, 12, 10), oslo(2026, 11, 23, 12, 0)),  # 24 h back
        (oslo(2026, 3, 30, 10, 40), oslo(2026, 3, 29, 10, 30)),  # after spring forward: 23 h
        (oslo(2026, 10, 26, 10, 40), oslo(2026, 10, 25, 10, 30)),  # after fall back: 25 h
    ],
)
def test_yesterday_is_the_same_local_half_hour_one_day_earlier(now: int, start: int) -> None:
    span = window_span(Window.YESTERDAY_30, now, OSLO)
    assert (span.tier, span.start, span.end) == (Tier.QUARTER, start, start + 30 * MINUTE_MS)


def test_yesterday_at_this_time_is_kept_and_counted_whole() -> None:
    # in order, as a live feed: yesterday 12:05 and 12:25, 12:35 (another half hour), today 12:02
    stamps = [oslo(2026, 11, 23, 12, 5), oslo(2026, 11, 23, 12, 25), oslo(2026, 11, 23, 12, 35),
              oslo(2026, 11, 24, 12, 2)]  # fmt: skip
    engine = run(config(), offered_at(stamps))
    windows = views(engine, oslo(2026, 11, 24, 12, 10)).queues[("oslo", "billing", "voice")].windows
    assert field(engine, windows["yesterday_30m"], "offered") == 2
    assert field(engine, windows["interval_30m"], "offered") == 1
