"""Erlang C against textbook values."""

from __future__ import annotations

import math

import pytest

from floorboard import erlang


def test_erlang_b_and_c_known_values() -> None:
    assert erlang.erlang_b(1, 1.0) == pytest.approx(0.5)
    # A = 2 Erlangs on 3 agents: B = 0.2105, C = 0.4444
    assert erlang.erlang_b(3, 2.0) == pytest.approx(4 / 19)
    assert erlang.erlang_c(3, 2.0) == pytest.approx(4 / 9)
    assert erlang.erlang_c(2, 2.0) == 1.0  # unstable queue: everyone waits


def test_service_level_and_asa() -> None:
    # 2 Erlangs, 3 agents, AHT 180 s: SL(20 s) = 1 − (4/9)·e^(−20/180), ASA = (4/9)·180 s
    rate = 2 / 180
    assert erlang.service_level(rate, 180, 3, 20) == pytest.approx(1 - 4 / 9 * math.exp(-20 / 180))
    assert erlang.asa(rate, 180, 3) == pytest.approx(80.0)
    assert erlang.asa(rate, 180, 2) == math.inf


def test_large_centres_stay_finite() -> None:
    # 800 Erlangs would overflow a factorial formula
    sl = erlang.service_level(800 / 300, 300, 830, 20)
    assert 0.0 < sl < 1.0


def test_agents_for_service_level_is_the_smallest_that_meets_it() -> None:
    rate, aht = 0.1, 180.0
    n = erlang.agents_for_service_level(rate, aht, 20, 0.80)
    assert erlang.service_level(rate, aht, n, 20) >= 0.80
    assert erlang.service_level(rate, aht, n - 1, 20) < 0.80
