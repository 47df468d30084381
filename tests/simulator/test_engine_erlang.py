"""Erlang C through the KPI engine: the simulator's voice figures as the wallboard would show them.

test_realism.py counts SL and ASA straight from the events; here the same stationary runs go
through ``Engine.apply`` and are read back with ``views.merge`` + ``figures``, so the check also
shows that the simulator feeds the engine and that the engine reads it as an ACD report would.
"""

from __future__ import annotations

import pytest

from floorboard.config import Config, parse_config
from floorboard.engine import erlang
from floorboard.engine.engine import Engine
from floorboard.engine.layout import add_into
from floorboard.engine.read import snapshot
from floorboard.engine.views import figures, merge
from floorboard.simulator import generate
from tests.simulator.helpers import HOUR, Tally, tally
from tests.simulator.test_realism import AHT, RATE, START, STATIONARY

AGENTS = 22  # Erlang C: SL(20 s) 82.2 %, ASA 12.5 s
RUNS = range(101, 113)  # twelve 20-hour runs after a one-hour warm-up, about 86,000 calls


def voice_config() -> Config:
    # answered ≤ T ÷ answered is the service level Erlang C forecasts
    return parse_config(
        {
            "sites": {"x": {"timezone": "UTC", "queues": {"q": {"channels": ["voice"]}}}},
            "channels": {"voice": {"sl_threshold_s": 20, "sl_variant": "answered_of_answered"}},
        }
    )


def test_engine_figures_agree_with_erlang_c_and_with_the_events() -> None:
    """Engine and event count must agree exactly (same events, same window); both must agree
    with Erlang C within ±0.035 in SL and ±25 % in ASA, about three standard errors of twelve
    pooled runs (single 20-hour runs spread by 0.035 in SL and 3.5 s in ASA at this load)."""
    cfg = voice_config()
    layout = Engine(cfg).layout
    pooled_vector: list[int] | None = None
    counted = Tally(20)
    for seed in RUNS:
        scenario = STATIONARY.replace(agents_per_team=AGENTS)
        begin, end = START - HOUR, START + 20 * HOUR
        events = list(generate(cfg, scenario, begin, end - begin, seed))
        engine = Engine(cfg)
        for event in events:
            assert engine.apply(event) == "applied"
        # "today" starts at midnight UTC: the warm-up hour belongs to yesterday
        views = merge(snapshot(engine, end, "sim"))
        vector = views.queues[("x", "q", "voice")].windows["today"]
        if pooled_vector is None:
            pooled_vector = list(vector)
        else:
            add_into(pooled_vector, vector)
        counted.add(tally(events, since=START))
    assert pooled_vector is not None
    figs = figures(pooled_vector, cfg, layout, ("x", "q", "voice"))
    answered, sl, asa = figs["answered"].value, figs["service_level"].value, figs["asa_s"].value
    assert answered is not None and sl is not None and asa is not None
    assert answered == counted.answered > 80_000
    assert sl == pytest.approx(counted.service_level, abs=1e-12)
    assert asa == pytest.approx(counted.asa_s, rel=1e-6)  # the engine keeps whole milliseconds
    assert sl == pytest.approx(erlang.service_level(RATE, AHT, AGENTS, 20), abs=0.035)
    assert asa == pytest.approx(erlang.asa(RATE, AHT, AGENTS), rel=0.25)
