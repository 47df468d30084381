"""The simulator behaves like a real centre: it agrees with Erlang C, and overload hurts."""

from __future__ import annotations

import pytest

from floorboard import erlang
from simulator.scenario import Scenario
from tests.simulator.helpers import one_voice_queue, pooled

START = 1795392000000  # 2026-11-23 00:00 UTC
RATE, AHT = 0.1, 180.0  # 360 calls an hour, 3-minute calls: 18 Erlangs

# Erlang C's assumptions: Poisson arrivals at a constant rate, exponential handle times (not the
# usual log-normal), no hold or wrap-up, nobody abandons, every agent always there.
STATIONARY = Scenario(
    "erlang", "M/M/N", teams=("t",), peak_per_hour={"voice": RATE * 3600}, flat_profile=True,
    exponential_handle=True, talk_mean_s=AHT, hold_probability=0, acw_mean_s=0,
    patience_mean_s=None, breaks=False, transfer_probability=0, survey_probability=0,
    qa_probability=0, shift_hours=24,
)  # fmt: skip


@pytest.mark.parametrize(
    ("agents", "sl_tolerance", "asa_tolerance"), [(22, 0.03, 0.25), (24, 0.02, 0.2)]
)
def test_voice_agrees_with_erlang_c(agents: int, sl_tolerance: float, asa_tolerance: float) -> None:
    """Six independent 20-hour runs (about 43,000 calls), pooled by adding their KPI vectors.

    Tolerances: SL within ±0.03 (±0.02) absolute and ASA within ±25 % (±20 %) relative; the
    spread of ASA between runs at this load is about that large.
    """
    figs = pooled(
        one_voice_queue(), STATIONARY.replace(agents_per_team=agents), START, 20, range(1, 7)
    )
    assert figs["answered"].value is not None and figs["answered"].value > 40_000
    expected_sl = erlang.service_level(RATE, AHT, agents, 20)
    expected_asa = erlang.asa(RATE, AHT, agents)
    assert figs["service_level"].value == pytest.approx(expected_sl, abs=sl_tolerance)
    assert figs["asa_s"].value == pytest.approx(expected_asa, rel=asa_tolerance)


def test_abandonment_rises_with_load() -> None:
    finite = STATIONARY.replace(agents_per_team=22, patience_mean_s=120.0)
    rates = []
    for factor in (0.7, 1.0, 1.2):
        figs = pooled(
            one_voice_queue("answered_of_offered"),
            finite.replace(rate_factor=factor),
            START,
            6,
            range(1, 3),
        )
        rates.append(figs["abandon_rate"].value)
    assert rates[0] is not None and rates[1] is not None and rates[2] is not None
    assert rates[0] < rates[1] < rates[2]
    assert rates[2] > 0.05
