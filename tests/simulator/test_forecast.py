"""The staffing forecast against the simulator on steady load: Erlang C on the last 30 minutes'
arrivals and handle time, with the agents on the floor, expects the service level then measured.

Each checkpoint's forecast is read as the wallboard reads it (engine, snapshot records, merged
views, the agents' roster) and compared with the SL measured over the next 30 minutes (answered
within 20 s ÷ answered, the share Erlang C forecasts); checkpoints are pooled over runs.
"""

from __future__ import annotations

import pytest

from floorboard.engine.engine import Engine
from floorboard.engine.forecast import queue_staffing
from floorboard.engine.read import snapshot
from floorboard.engine.views import merge
from floorboard.simulator import generate
from tests.simulator.helpers import HOUR, tally
from tests.simulator.test_engine_erlang import voice_config
from tests.simulator.test_realism import START, STATIONARY

HALF_HOUR = HOUR // 2
RUNS = range(201, 217)  # sixteen 5-hour runs after a one-hour warm-up: 160 checkpoints


# Steady load at occupancy 0.82 and 0.75. Near saturation (20 agents, 0.9) the forecast runs
# 6 points above what is measured: docs/kpis.md#staffing-forecast lists it as a limit.
@pytest.mark.parametrize("agents", [22, 24])
def test_expected_service_level_matches_the_one_then_measured(agents: int) -> None:
    cfg = voice_config()
    expected: list[float] = []
    within = answered = 0
    needed: list[int] = []
    for seed in RUNS:
        begin = START - HOUR
        scenario = STATIONARY.replace(agents_per_team=agents)
        events = list(generate(cfg, scenario, begin, 6 * HOUR, seed))
        engine = Engine(cfg)
        applied = 0
        for check in range(START, START + 5 * HOUR, HALF_HOUR):
            while applied < len(events) and events[applied].ts <= check:
                engine.apply(events[applied])
                applied += 1
            views = merge(snapshot(engine, check, "sim"))
            forecast = queue_staffing(views, views.queues[("x", "q", "voice")], cfg, engine.layout)
            assert forecast.staffed == agents
            assert forecast.expected_sl is not None and forecast.needed is not None
            expected.append(forecast.expected_sl)
            needed.append(forecast.needed)
            after = tally(events, since=check, until=check + HALF_HOUR)
            within += after.answered_within
            answered += after.answered
    measured = within / answered
    mean_expected = sum(expected) / len(expected)
    assert abs(mean_expected - measured) <= 0.05
    # 18 Erlangs: Erlang C needs 22 agents for 80 % within 20 s (21 give 72 %); a half hour's
    # arrivals and handle times are a sample, so single forecasts spread around it (measured:
    # 22 agents expected 82.8 %, measured 82.8 %; 24 agents 93.4 % and 94.2 %; median needed 21)
    assert sorted(needed)[len(needed) // 2] in (21, 22, 23)
