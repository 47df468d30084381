"""Local time at a site, including the days the clocks change."""

from __future__ import annotations

import datetime as dt

import pytest

from floorboard.simulator.clock import SiteClock
from tests.simulator.helpers import example

OSLO = example().sites["oslo"]


@pytest.mark.parametrize(
    "day",
    [dt.date(2026, 11, 23), dt.date(2027, 3, 28), dt.date(2026, 10, 25)],  # normal, spring, autumn
)
def test_wall_clock_times_hold_on_every_day(day: dt.date) -> None:
    clock = SiteClock(OSLO)
    for hours, wall in ((0.0, dt.time(0)), (7.0, dt.time(7)), (18.5, dt.time(18, 30))):
        ts = clock.at(day, hours)
        local = dt.datetime.fromtimestamp(ts / 1000, tz=OSLO.zone)
        assert (local.date(), local.time()) == (day, wall)
        assert clock.hour(ts) == pytest.approx(hours)
        assert clock.date(ts) == day


def test_opening_follows_the_config() -> None:
    clock = SiteClock(OSLO)
    monday = clock.opening(dt.date(2026, 11, 23))
    assert monday == (clock.at(dt.date(2026, 11, 23), 8), clock.at(dt.date(2026, 11, 23), 16))
    friday = clock.opening(dt.date(2026, 11, 27))
    assert friday is not None and friday[1] == clock.at(dt.date(2026, 11, 27), 15)
    assert clock.opening(dt.date(2026, 11, 28)) is None  # Saturday
    assert clock.opening(dt.date(2026, 12, 24)) is None  # a holiday
