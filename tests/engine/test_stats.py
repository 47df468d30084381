"""Intervals, histogram quantiles and quartiles against hand computation (z = 1.96)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorboard.engine.stats import (
    histogram_quantile,
    mean_interval,
    nps_interval,
    quartiles,
    wilson,
)


def test_wilson_interval_by_hand() -> None:
    # 8 of 10: z² = 3.8415; denominator 1 + z²/10 = 1.38415;
    # centre (0.8 + z²/20) / 1.38415 = 0.99207 / 1.38415 = 0.71674
    # half z·√(0.8·0.2/10 + z²/400) / 1.38415 = 1.96·0.16001 / 1.38415 = 0.22658
    assert wilson(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson(2, 3) == pytest.approx((0.2077, 0.9385), abs=1e-4)


def test_wilson_interval_at_the_edges_stays_in_zero_one() -> None:
    # 0 of 4: centre = half = (z²/8) / (1 + z²/4) = 0.48019 / 1.96037 = 0.24495
    assert wilson(0, 4) == pytest.approx((0.0, 0.4899), abs=1e-4)
    assert wilson(4, 4) == pytest.approx((0.5101, 1.0), abs=1e-4)
    assert wilson(0, 0) is None


def test_nps_interval_by_hand() -> None:
    # 5 promoters, 2 detractors of 10: NPS 30; p + d − (p − d)² = 0.7 − 0.09 = 0.61
    # SE = 100·√(0.61/10) = 24.698; ± 1.96·SE = ± 48.408
    assert nps_interval(5, 2, 10) == pytest.approx((-18.408, 78.408), abs=1e-3)
    # all detractors: SE 0, the interval collapses on −100
    assert nps_interval(0, 4, 4) == pytest.approx((-100.0, -100.0))
    assert nps_interval(0, 0, 0) is None


def test_mean_interval_by_hand() -> None:
    # 1, 2, 3, 4, 5: mean 3, s² = 10/4 = 2.5, half = 1.96·√(2.5/5) = 1.3859
    assert mean_interval(15, 55, 5) == pytest.approx((1.6141, 4.3859), abs=1e-4)
    assert mean_interval(5, 25, 1) is None  # no spread from one response
    assert mean_interval(8, 32, 2) == pytest.approx((4.0, 4.0))  # identical answers


BOUNDS = [5000, 10000, 20000, 30000]  # ms; a fifth slot is +Inf


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # counts 2 | 0 | 4 | 3 | 1 in (0,5] (5,10] (10,20] (20,30] (30,+Inf], total 10
        (0.10, 2500.0),  # rank 1 of 2 in (0,5]: 0 + 5000·1/2
        (0.20, 5000.0),  # rank 2 fills (0,5] exactly
        (0.50, 17500.0),  # rank 5: 3 into (10,20] holding 4 → 10000 + 10000·3/4
        (0.80, 26666.667),  # rank 8: 2 into (20,30] holding 3 → 20000 + 10000·2/3
        (0.95, 30000.0),  # rank 9.5 falls in +Inf: the highest finite bound
    ],
)
def test_histogram_quantile_interpolates_linearly(q: float, expected: float) -> None:
    assert histogram_quantile(q, [2, 0, 4, 3, 1], BOUNDS) == pytest.approx(expected, abs=1e-3)


def test_histogram_quantile_of_nothing_is_undefined() -> None:
    assert histogram_quantile(0.5, [0, 0, 0, 0, 0], BOUNDS) is None


@given(st.lists(st.integers(0, 20), min_size=5, max_size=5).filter(any), st.floats(0.01, 1.0))
def test_histogram_quantile_lies_in_the_bucket_of_its_rank(counts: list[int], q: float) -> None:
    value = histogram_quantile(q, counts, BOUNDS)
    assert value is not None
    rank, cumulative = q * sum(counts), 0
    for i, count in enumerate(counts):
        if count and cumulative + count >= rank:
            lower = BOUNDS[i - 1] if i > 0 else 0
            upper = BOUNDS[i] if i < len(BOUNDS) else BOUNDS[-1]
            assert lower <= value <= upper
            break
        cumulative += count


def test_quartiles_interpolate_between_order_statistics() -> None:
    # sorted 1, 2, 4, 8: Q1 at position 0.75 → 1.75, median at 1.5 → 3, Q3 at 2.25 → 5
    assert quartiles([8, 1, 4, 2]) == (1.75, 3.0, 5.0)
    assert quartiles([3.0]) == (3.0, 3.0, 3.0)
