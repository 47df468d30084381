"""The additive vector: histogram slots follow Prometheus' ``le``, every SL threshold is an exact
bound, and adding and subtracting vectors are exact inverses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorboard.config import parse_config
from floorboard.engine.layout import SCALARS, Layout, add_into, is_zero, sub_into, summed
from tests.factory import BASE_CONFIG, config

LAYOUT = Layout((5000, 10000, 20000), (60000,))


def test_vector_regions_do_not_overlap() -> None:
    # scalars, answered waits (4 slots), abandoned waits (4), talk+hold (2), ACW (2)
    n = len(SCALARS)
    assert (LAYOUT.answered_wait_hist, LAYOUT.abandoned_wait_hist) == (n, n + 4)
    assert (LAYOUT.talk_hold_hist, LAYOUT.acw_hist, LAYOUT.size) == (n + 8, n + 10, n + 12)
    vector = list(range(LAYOUT.size))
    parts = (
        list(vector[:n]) + LAYOUT.answered_wait(vector) + LAYOUT.abandoned_wait(vector)
        + LAYOUT.talk_hold(vector) + LAYOUT.acw(vector)
    )  # fmt: skip
    assert parts == vector
    assert LAYOUT.as_dict(vector)["offered"] == SCALARS.index("offered")


@pytest.mark.parametrize(
    ("wait_ms", "slot"),
    [(0, 0), (5000, 0), (5001, 1), (10000, 1), (19999, 2), (20000, 2), (20001, 3), (10**9, 3)],
)
def test_wait_slot_upper_bound_is_inclusive(wait_ms: int, slot: int) -> None:
    assert LAYOUT.wait_slot(wait_ms) == slot


def test_within_counts_up_to_an_exact_bound_only() -> None:
    counts = [1, 2, 3, 4]
    assert LAYOUT.within(counts, LAYOUT.wait_bounds_ms, 10000) == 3
    assert LAYOUT.within(counts, LAYOUT.wait_bounds_ms, 20000) == 6
    with pytest.raises(ValueError, match="15000 ms is not a histogram bound"):
        LAYOUT.within(counts, LAYOUT.wait_bounds_ms, 15000)
    with pytest.raises(ValueError, match="not a histogram bound"):
        LAYOUT.within(counts, LAYOUT.wait_bounds_ms, 30000)


def test_every_sl_threshold_and_the_short_abandon_limit_are_bounds() -> None:
    data = {**BASE_CONFIG, "sites": {"oslo": {**BASE_CONFIG["sites"]["oslo"], "queues": {
        "billing": {"channels": ["voice"], "overrides": {"voice": {"sl_threshold_s": 25}}},
    }}}, "channels": {"chat": {"sl_threshold_s": 35}}, "engine": {"short_abandon_s": 7}}  # fmt: skip
    bounds = parse_config(data).wait_bounds_ms
    assert {25000, 35000, 7000, 20000} <= set(bounds)
    assert list(bounds) == sorted(set(bounds))
    assert 0 not in config(short_abandon_s=0).wait_bounds_ms  # 0 s is not a bucket bound


@given(st.lists(st.integers(0, 30000), max_size=30), st.sampled_from([5000, 10000, 20000]))
def test_within_equals_counting_the_waits(waits: list[int], limit: int) -> None:
    vector = LAYOUT.zero()
    for wait in waits:
        vector[LAYOUT.answered_wait_hist + LAYOUT.wait_slot(wait)] += 1
    hist = LAYOUT.answered_wait(vector)
    assert LAYOUT.within(hist, LAYOUT.wait_bounds_ms, limit) == sum(w <= limit for w in waits)


vectors = st.lists(st.integers(-(10**12), 10**12), min_size=LAYOUT.size, max_size=LAYOUT.size)


@given(vectors, vectors)
def test_add_and_sub_are_exact_inverses(a: list[int], b: list[int]) -> None:
    total = list(a)
    add_into(total, b)
    assert total == [x + y for x, y in zip(a, b, strict=True)]
    assert summed([a, b], LAYOUT.size) == total
    sub_into(total, b)
    assert total == a
    sub_into(total, a)
    assert is_zero(total)
