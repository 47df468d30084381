"""Erlang C against textbook values and against the closed form evaluated in log space."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorboard.engine import erlang


def closed_form_c(agents: int, load: float) -> float:
    """P(wait) = (A^N/N! · N/(N−A)) ÷ (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)), in logs."""
    log_terms = [k * math.log(load) - math.lgamma(k + 1) for k in range(agents)]
    log_top = agents * math.log(load) - math.lgamma(agents + 1) + math.log(agents / (agents - load))
    biggest = max([*log_terms, log_top])
    top = math.exp(log_top - biggest)
    return top / (sum(math.exp(t - biggest) for t in log_terms) + top)


def test_erlang_b_and_c_known_values() -> None:
    assert erlang.erlang_b(1, 1.0) == pytest.approx(0.5)
    # A = 2 Erlangs on 3 agents: B = 4/19, C = 4/9
    assert erlang.erlang_b(3, 2.0) == pytest.approx(4 / 19)
    assert erlang.erlang_c(3, 2.0) == pytest.approx(4 / 9)
    assert erlang.erlang_c(2, 2.0) == 1.0  # unstable queue: everyone waits
    assert erlang.erlang_c(5, 0.0) == 0.0


def test_service_level_and_asa() -> None:
    # 2 Erlangs, 3 agents, AHT 180 s: SL(20 s) = 1 − (4/9)·e^(−20/180), ASA = (4/9)·180 s
    rate = 2 / 180
    assert erlang.service_level(rate, 180, 3, 20) == pytest.approx(1 - 4 / 9 * math.exp(-20 / 180))
    assert erlang.asa(rate, 180, 3) == pytest.approx(80.0)
    assert erlang.asa(rate, 180, 2) == math.inf
    assert erlang.service_level(rate, 180, 2, 20) == 0.0
    # the realism test's operating point: 18 Erlangs on 22 agents
    assert erlang.service_level(0.1, 180, 22, 20) == pytest.approx(0.8217, abs=5e-4)
    assert erlang.asa(0.1, 180, 22) == pytest.approx(12.51, abs=0.01)


@given(agents=st.integers(1, 120), utilisation=st.floats(0.05, 0.98))
def test_recursion_matches_the_closed_form(agents: int, utilisation: float) -> None:
    load = agents * utilisation
    assert erlang.erlang_c(agents, load) == pytest.approx(closed_form_c(agents, load), rel=1e-9)


@given(agents=st.integers(2, 400), utilisation=st.floats(0.1, 0.99))
def test_more_agents_never_hurt(agents: int, utilisation: float) -> None:
    rate, aht = agents * utilisation / 300, 300.0
    now = erlang.service_level(rate, aht, agents, 20)
    more = erlang.service_level(rate, aht, agents + 1, 20)
    assert 0.0 <= now <= more <= 1.0
    assert erlang.asa(rate, aht, agents + 1) <= erlang.asa(rate, aht, agents)


def test_large_centres_stay_finite() -> None:
    # 800 and 5,000 Erlangs would overflow a factorial formula
    sl = erlang.service_level(800 / 300, 300, 830, 20)
    assert 0.0 < sl < 1.0
    assert erlang.erlang_c(5100, 5000.0) == pytest.approx(closed_form_c(5100, 5000.0), rel=1e-9)


def test_agents_for_service_level_is_the_smallest_that_meets_it() -> None:
    rate, aht = 0.1, 180.0
    n = erlang.agents_for_service_level(rate, aht, 20, 0.80)
    assert n == 22  # the realism test's set-up is staffed for 80/20
    assert erlang.service_level(rate, aht, n, 20) >= 0.80
    assert erlang.service_level(rate, aht, n - 1, 20) < 0.80
    assert erlang.agents_for_service_level(0.0, aht, 20, 0.8) == 1


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        erlang.erlang_b(-1, 1.0)
    with pytest.raises(ValueError):
        erlang.service_level(0.1, 0.0, 3, 20)
    with pytest.raises(ValueError):
        erlang.agents_for_service_level(0.1, 180, 20, 1.0)
