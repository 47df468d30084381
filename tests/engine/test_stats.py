"""Intervals, histogram quantiles and quartiles against hand computation (z = 1.96, t from
printed tables)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorboard.engine.stats import (
    Z95,
    histogram_quantile,
    mean_interval,
    nps_interval,
    quartiles,
    t95,
    t_within,
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


@pytest.mark.parametrize(
    ("df", "quantile"),
    # t_0.975 from any printed table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
    [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (29, 2.045), (60, 2.000), (120, 1.980)],
)
def test_t_quantile_matches_the_printed_table(df: int, quantile: float) -> None:
    assert t95(df) == pytest.approx(quantile, abs=5e-4)
    assert t_within(t95(df), df) == pytest.approx(0.95, abs=1e-9)


def test_t_quantile_gives_way_to_z_beyond_1000_degrees_of_freedom() -> None:
    assert t95(1000) == pytest.approx(1.9623, abs=1e-4)
    assert t95(1001) == Z95


def test_mean_interval_by_hand() -> None:
    # 1, 2, 3, 4, 5: mean 3, s² = 10/4 = 2.5, s/√n = √0.5 = 0.70711; t(4) = 2.7764
    # half = 2.7764·0.70711 = 1.9632 (z would give 1.3859, 29 % narrower)
    assert mean_interval(15, 55, 5) == pytest.approx((1.0368, 4.9632), abs=1e-4)
    # ten answers 1,2,3,3,4,4,4,5,5,5: Σ 36, Σx² 146, mean 3.6, s² = (146 − 129.6)/9 = 1.8222
    # s/√n = 0.42687; t(9) = 2.2622, half 0.96567 (z: 0.83666, 13 % narrower)
    assert mean_interval(36, 146, 10) == pytest.approx((2.6343, 4.5657), abs=1e-4)
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
