"""Windows in the site's timezone, including Europe/Oslo's 23- and 25-hour DST days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from streams.engine.windows import (
    MINUTE_MS,
    Tier,
    Window,
    local_interval_start,
    local_midnight,
    window_span,
)
from tests.factory import config, contact
from tests.streams.engine.helpers import queue_figures, run

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> int:
    return int(dt.datetime(y, mo, d, h, mi, tzinfo=UTC).timestamp() * 1000)


def test_today_on_spring_forward_day_is_23_hours() -> None:
    # 2026-03-29: Oslo goes from +01:00 to +02:00 at 02:00 local (01:00 UTC).
    now = utc(2026, 3, 29, 21, 40)  # 23:40 local
    span = window_span(Window.TODAY, now, OSLO)
    assert span.start == utc(2026, 3, 28, 23)  # local midnight (+01:00)
    assert span.tier is Tier.QUARTER
    assert (now - span.start) // MINUTE_MS == 22 * 60 + 40  # 23:40 of a 23-hour day


def test_today_on_fall_back_day_is_25_hours() -> None:
    # 2026-10-25: Oslo goes from +02:00 to +01:00 at 03:00 local (01:00 UTC).
    midnight = local_midnight(utc(2026, 10, 25, 22, 30), OSLO)
    assert midnight == utc(2026, 10, 24, 22)
    tomorrow = local_midnight(utc(2026, 10, 25, 23, 30), OSLO)
    assert tomorrow - midnight == 25 * 60 * MINUTE_MS


@pytest.mark.parametrize(
    ("local_events", "counted"),
    [
        # (day, hour, minute) local; 00:30 and 23:30 of the DST day count, 23:59 the day before not
        ([(25, 0, 30), (25, 23, 30), (24, 23, 59)], 2),
    ],
)
def test_today_counts_exactly_the_local_fall_back_day(
    local_events: list[tuple[int, int, int]], counted: int
) -> None:
    events = []
    for i, (d, h, m) in enumerate(local_events):
        ts = int(dt.datetime(2026, 10, d, h, m, tzinfo=OSLO).timestamp() * 1000)
        events += contact(f"c{i}", ts)
    engine = run(config(allowed_lateness_s=86400, dedup_ttl_s=86400), events)
    now = int(dt.datetime(2026, 10, 25, 23, 45, tzinfo=OSLO).timestamp() * 1000)
    assert queue_figures(engine, now)["offered"].value == counted


def test_today_counts_exactly_the_local_spring_forward_day() -> None:
    stamps = [
        dt.datetime(2026, 3, 29, 0, 30, tzinfo=OSLO),
        dt.datetime(2026, 3, 29, 3, 15, tzinfo=OSLO),  # just after the jump
        dt.datetime(2026, 3, 29, 23, 30, tzinfo=OSLO),
        dt.datetime(2026, 3, 28, 23, 59, tzinfo=OSLO),
    ]
    events = []
    for i, stamp in enumerate(stamps):
        events += contact(f"c{i}", int(stamp.timestamp() * 1000))
    engine = run(config(allowed_lateness_s=86400, dedup_ttl_s=86400), events)
    now = int(dt.datetime(2026, 3, 29, 23, 50, tzinfo=OSLO).timestamp() * 1000)
    assert queue_figures(engine, now)["offered"].value == 3


def test_intervals_in_the_repeated_hour() -> None:
    # 02:40 local happens twice on 2026-10-25: first at 00:40 UTC (+02), then at 01:40 UTC (+01).
    first, second = utc(2026, 10, 25, 0, 40), utc(2026, 10, 25, 1, 40)
    assert local_interval_start(first, OSLO, 30) == utc(2026, 10, 25, 0, 30)
    assert local_interval_start(second, OSLO, 30) == utc(2026, 10, 25, 1, 30)
    # the previous 30-minute interval of the second 02:30 is the first 02:30-03:00, 30 real minutes
    prev = window_span(Window.PREVIOUS_30, second, OSLO)
    assert (prev.start, prev.end) == (utc(2026, 10, 25, 1, 0), utc(2026, 10, 25, 1, 30))


def test_intervals_after_spring_forward() -> None:
    # 03:10 local on 2026-03-29 is 01:10 UTC; the interval starts at 03:00 local = 01:00 UTC and
    # the previous one is 01:30-02:00 local (00:30-01:00 UTC): 02:00-03:00 never existed.
    now = utc(2026, 3, 29, 1, 10)
    cur = window_span(Window.INTERVAL_30, now, OSLO)
    prev = window_span(Window.PREVIOUS_30, now, OSLO)
    assert (cur.start, cur.end) == (utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30))
    assert (prev.start, prev.end) == (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1))


def test_half_hour_offset_zone_intervals() -> None:
    # India (+05:30): local :00 and :30 fall on UTC :30 and :00.
    kolkata = ZoneInfo("Asia/Kolkata")
    now = utc(2026, 11, 23, 4, 50)  # 10:20 local
    assert local_interval_start(now, kolkata, 30) == utc(2026, 11, 23, 4, 30)
    assert local_interval_start(now, kolkata, 15) == utc(2026, 11, 23, 4, 45)


def test_rolling_windows_cover_whole_minutes() -> None:
    now = utc(2026, 11, 23, 8, 7) + 30_000
    span = window_span(Window.ROLLING_15, now, OSLO)
    assert span.tier is Tier.MINUTE
    assert (span.start, span.end) == (utc(2026, 11, 23, 7, 53), utc(2026, 11, 23, 8, 8))
