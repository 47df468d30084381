from __future__ import annotations

import random

import pytest

from floorboard.streams.worker.histogram import DELAY_BOUNDS_S, Histogram


def test_ages_fall_in_the_buckets_one_observation_each_would() -> None:
    rng = random.Random(7)
    now_s = 1_795_388_400.1234  # not a whole ms: no age lands exactly on a bound
    times = [int(now_s * 1000) - rng.choice([0, 50, 400, 4_000, 90_000, 5_000_000]) - i
             for i in range(2_000)]  # fmt: skip
    one_by_one, at_once = Histogram(DELAY_BOUNDS_S), Histogram(DELAY_BOUNDS_S)
    for t in times:
        one_by_one.observe(now_s - t / 1000)
    at_once.observe_ages(now_s, list(times))
    assert at_once.counts == one_by_one.counts
    assert sum(at_once.counts) == len(times)
    assert at_once.sum == pytest.approx(one_by_one.sum, rel=1e-9)


def test_an_age_on_a_bound_counts_in_that_bound_and_later_times_in_the_first() -> None:
    hist = Histogram((1.0, 2.0))
    hist.observe_ages(10.0, [9_000, 8_000, 7_999, 12_000])  # ages 1, 2, 2.001, -2 s
    assert hist.counts == [2, 1, 1]
    assert hist.cumulative() == [("1.0", 2.0), ("2.0", 3.0), ("+Inf", 4.0)]
    assert hist.sum == pytest.approx(1 + 2 + 2.001 - 2)
    hist.observe_ages(10.0, [])
    assert sum(hist.counts) == 4
